import { randomBytes } from 'node:crypto';
import { type IdempotencyStore, MemoryIdempotencyStore } from '../idempotency/index.js';
import { PostgresIdempotencyStore } from '../postgres/index.js';
import { MemoryRateLimitStore, type RateLimitStore } from '../ratelimit/index.js';
import { RedisIdempotencyStore, RedisRateLimitStore } from '../redis/index.js';

/** Where the demo API keeps rate-limit state and idempotency records. */
export interface DemoStores {
  readonly rateLimit: RateLimitStore;
  readonly idempotency: IdempotencyStore;
  /** Which engines, for the banner: `memory`, `redis`, `redis + postgres`… */
  readonly label: string;
  /** Closes the stores and the connections opened for them. */
  close(): Promise<void>;
}

/** The environment variables that switch the demo to real stores. */
export interface StoreEnv {
  /** Redis for rate limits and idempotency keys (`redis://127.0.0.1:6379`). */
  readonly REDIS_URL?: string | undefined;
  /** PostgreSQL for idempotency keys (`postgres://postgres@127.0.0.1:5432/test`). */
  readonly DATABASE_URL?: string | undefined;
}

/**
 * Opens the demo's stores: the embedded memory stores by default; Redis (ioredis) for both when
 * `REDIS_URL` is set; PostgreSQL (pg) for idempotency keys when `DATABASE_URL` is set. The
 * drivers are loaded only when asked for, so the default run needs neither.
 *
 * @throws {Error} naming the service when one was asked for and does not answer.
 */
export async function openStores(env: StoreEnv): Promise<DemoStores> {
  const closers: (() => Promise<unknown>)[] = [];
  // Keys of one run never meet those of another run against the same server.
  const run = randomBytes(4).toString('hex');
  let rateLimit: RateLimitStore = new MemoryRateLimitStore();
  let idempotency: IdempotencyStore = new MemoryIdempotencyStore();
  const labels: string[] = [];
  try {
    if (env.REDIS_URL) {
      const { Redis } = await import('ioredis');
      const redis = new Redis(env.REDIS_URL, {
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        // A Redis that is not there at the start is an error to report, not to wait out.
        retryStrategy: (times) => (times > 3 ? null : 200),
      });
      let lastError: Error | undefined;
      redis.on('error', (error: Error) => {
        lastError = error;
      });
      closers.push(async () => redis.quit().catch(() => redis.disconnect()));
      try {
        await redis.connect();
        await redis.ping();
      } catch (error) {
        const cause = lastError ?? (error as Error);
        throw new Error(`Redis at REDIS_URL did not answer: ${cause.message}`);
      }
      rateLimit = new RedisRateLimitStore({ client: redis, prefix: `faultline-demo:${run}:rl:` });
      idempotency = new RedisIdempotencyStore({
        client: redis,
        prefix: `faultline-demo:${run}:idem:`,
      });
      labels.push('Redis');
    }
    if (env.DATABASE_URL) {
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({
        connectionString: env.DATABASE_URL,
        max: 10,
        connectionTimeoutMillis: 3000,
      });
      pool.on('error', () => undefined);
      closers.push(() => pool.end());
      try {
        await pool.query('SELECT 1');
      } catch (error) {
        throw new Error(`PostgreSQL at DATABASE_URL did not answer: ${(error as Error).message}`);
      }
      idempotency = new PostgresIdempotencyStore({ pool, table: 'faultline_demo_idempotency' });
      labels.push('PostgreSQL');
    }
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
  const label =
    labels.length === 0
      ? 'memory (set REDIS_URL or DATABASE_URL for real stores)'
      : env.DATABASE_URL && !env.REDIS_URL
        ? 'memory rate limits, PostgreSQL idempotency keys'
        : env.DATABASE_URL
          ? 'Redis rate limits, PostgreSQL idempotency keys'
          : 'Redis (rate limits and idempotency keys)';
  return {
    rateLimit,
    idempotency,
    label,
    async close() {
      await rateLimit.close?.();
      await idempotency.close?.();
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
