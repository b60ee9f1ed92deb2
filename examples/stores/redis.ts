/**
 * The node:http shop with its quotas and idempotency keys in Redis (ioredis), shared by every
 * instance of the API. Run it: `REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/stores/redis.ts`.
 *
 * Right after Redis starts, keyed requests answer 409 (in flight) until it has been up for a
 * lease (60 s): a restart may have lost the record of a request still running.
 */
import { fileURLToPath } from 'node:url';
import { RedisIdempotencyStore, RedisRateLimitStore } from 'faultline/redis';
import { Redis } from 'ioredis';
import { start as startShop } from '../node/server.js';

export async function start(port = 0, prefix = 'shop:') {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const server = await startShop(port, {
    rateLimit: new RedisRateLimitStore({ client: redis, prefix: `${prefix}rl:` }),
    idempotency: new RedisIdempotencyStore({ client: redis, prefix: `${prefix}idem:` }),
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      await redis.quit(); // the stores never close the client they were given
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop API (Redis stores) listening on ${url}`);
}
