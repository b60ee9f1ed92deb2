/**
 * The real services the store tests run against. A missing service fails the test run (with
 * `CI=true` and without): these tests exist to show the stores work on real servers.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A prefix or table suffix unique to this test file run, so parallel files never collide. */
export function uniqueId(label: string): string {
  return `${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * An ioredis client that answers PING, or a rejection saying which service is missing.
 * `stringNumbers` makes it answer integers as text.
 */
export async function connectIoRedis(
  url = REDIS_URL,
  options: { readonly stringNumbers?: boolean } = {},
): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    stringNumbers: options.stringNumbers ?? false,
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`Redis is required at ${url} (set REDIS_URL): ${(error as Error).message}`);
  }
  return client;
}

/** A node-redis client that answers PING. */
export async function connectNodeRedis(url = REDIS_URL) {
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    await client.disconnect().catch(() => undefined);
    throw new Error(`Redis is required at ${url} (set REDIS_URL): ${(error as Error).message}`);
  }
  return client;
}

/** A pg Pool that answers a query. */
export async function connectPostgres(url = DATABASE_URL, max = 10): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 3000 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is required at ${url} (set DATABASE_URL): ${(error as Error).message}`,
    );
  }
  return pool;
}

/** Deletes every Redis key under a prefix (bounded SCAN). */
export async function dropRedisPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  for (let i = 0; i < 10_000; i++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

/** Drops the tables and functions a test created. */
export async function dropPostgresTables(pool: pg.Pool, ...tables: string[]): Promise<void> {
  for (const table of tables) {
    await pool.query(`DROP TABLE IF EXISTS "${table}" CASCADE`);
    for (const suffix of ['_gcra', '_claim', '_complete']) {
      await pool.query(`DROP FUNCTION IF EXISTS "${table}${suffix}" CASCADE`);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
