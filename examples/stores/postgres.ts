/**
 * The node:http shop with its quotas and idempotency keys in PostgreSQL (pg); the tables are
 * created on first use. Run it:
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx examples/stores/postgres.ts`.
 */
import { fileURLToPath } from 'node:url';
import { PostgresIdempotencyStore, PostgresRateLimitStore } from 'faultline/postgres';
import pg from 'pg';
import { start as startShop } from '../node/server.js';

export async function start(port = 0, prefix = 'shop') {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  const server = await startShop(port, {
    rateLimit: new PostgresRateLimitStore({ pool, table: `${prefix}_rate_limits` }),
    idempotency: new PostgresIdempotencyStore({ pool, table: `${prefix}_idempotency` }),
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      await pool.end(); // the stores never end the pool they were given
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop API (PostgreSQL stores) listening on ${url}`);
}
