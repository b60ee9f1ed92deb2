import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRateLimitStore } from '../../src/postgres/ratelimit.js';
import { MemoryRateLimitStore } from '../../src/ratelimit/memory.js';
import { RedisRateLimitStore } from '../../src/redis/ratelimit.js';
import { rateLimitConformance } from './ratelimit-conformance.js';
import {
  connectIoRedis,
  connectNodeRedis,
  connectPostgres,
  dropPostgresTables,
  dropRedisPrefix,
  uniqueId,
} from './services.js';

describe('rate-limit store conformance: memory', () => {
  const store = new MemoryRateLimitStore();
  rateLimitConformance(() => store);
});

describe('rate-limit store conformance: Redis (ioredis)', () => {
  let client: Redis;
  let store: RedisRateLimitStore;
  const prefix = `${uniqueId('rl')}:`;
  beforeAll(async () => {
    client = await connectIoRedis();
    store = new RedisRateLimitStore({ client, prefix });
  });
  afterAll(async () => {
    if (!client) return;
    await dropRedisPrefix(client, prefix);
    client.disconnect();
  });
  rateLimitConformance(() => store);

  it('reloads its script after the server forgets it (NOSCRIPT)', async () => {
    const checks = [{ key: 'noscript', policy: { limit: 5, windowMs: 60_000 } }];
    expect((await store.consume(checks)).allowed).toBe(true);
    await client.script('FLUSH');
    const after = await store.consume(checks);
    expect(after.results[0]!.remaining).toBe(3);
  });

  it('spends exactly one round trip (one EVALSHA) per decision, whatever the policies', async () => {
    const checks = [
      { key: 'rtt', policy: { limit: 5, windowMs: 1000 } },
      { key: 'rtt', policy: { limit: 50, windowMs: 60_000 } },
      { key: 'rtt-2', policy: { limit: 500, windowMs: 3_600_000 } },
    ];
    await store.consume(checks);
    const sent: string[] = [];
    const monitored = new RedisRateLimitStore({
      client: {
        send: (command, args) => {
          sent.push(command);
          return client.call(command, args as string[]);
        },
      },
      prefix,
    });
    for (let i = 0; i < 10; i++) await monitored.consume(checks);
    expect(sent).toEqual(Array(10).fill('EVALSHA'));
  });
});

describe('rate-limit store conformance: Redis (node-redis)', () => {
  let client: Awaited<ReturnType<typeof connectNodeRedis>>;
  let store: RedisRateLimitStore;
  const prefix = `${uniqueId('rln')}:`;
  beforeAll(async () => {
    client = await connectNodeRedis();
    store = new RedisRateLimitStore({ client, prefix });
  });
  afterAll(async () => {
    if (!client) return;
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });
  rateLimitConformance(() => store);
});

describe('rate-limit store conformance: PostgreSQL', () => {
  let pool: pg.Pool;
  let store: PostgresRateLimitStore;
  const table = uniqueId('fl_rl');
  beforeAll(async () => {
    pool = await connectPostgres();
    store = new PostgresRateLimitStore({ pool, table });
  });
  afterAll(async () => {
    if (!pool) return;
    await dropPostgresTables(pool, table);
    await pool.end();
  });
  rateLimitConformance(() => store);

  it('sweeps rows whose bucket is full again', async () => {
    const policy = { limit: 10, windowMs: 100, burst: 1 };
    await store.consume([{ key: 'sweep-a', policy }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${table}" WHERE key LIKE '%sweep-a'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('sets its schema up once even when many processes start together', async () => {
    const racing = uniqueId('fl_rl_race');
    const stores = Array.from(
      { length: 8 },
      () => new PostgresRateLimitStore({ pool, table: racing }),
    );
    const decisions = await Promise.all(
      stores.map((s) => s.consume([{ key: 'k', policy: { limit: 100, windowMs: 60_000 } }])),
    );
    expect(decisions.every((d) => d.allowed)).toBe(true);
    await dropPostgresTables(pool, racing);
  });

  it('refuses table names that are not plain identifiers', () => {
    expect(() => new PostgresRateLimitStore({ pool, table: 'x; DROP TABLE y' })).toThrow(TypeError);
  });
});
