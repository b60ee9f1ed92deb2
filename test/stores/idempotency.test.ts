import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory.js';
import type { Lease, StoredResponse } from '../../src/idempotency/types.js';
import { PostgresIdempotencyStore } from '../../src/postgres/idempotency.js';
import { RedisIdempotencyStore } from '../../src/redis/idempotency.js';
import { idempotencyConformance } from './idempotency-conformance.js';
import {
  connectIoRedis,
  connectNodeRedis,
  connectPostgres,
  dropPostgresTables,
  dropRedisPrefix,
  uniqueId,
} from './services.js';

const HOUR = 3_600_000;
const ok: StoredResponse = { status: 200, headers: [], body: new TextEncoder().encode('ok') };

describe('idempotency store conformance: memory', () => {
  const store = new MemoryIdempotencyStore();
  idempotencyConformance(() => store);
});

describe('idempotency store conformance: Redis (ioredis)', () => {
  let client: Redis;
  let store: RedisIdempotencyStore;
  const prefix = `${uniqueId('idem')}:`;
  beforeAll(async () => {
    client = await connectIoRedis();
    store = new RedisIdempotencyStore({ client, prefix, restartGuard: false });
  });
  afterAll(async () => {
    if (!client) return;
    await dropRedisPrefix(client, prefix);
    client.disconnect();
  });
  idempotencyConformance(() => store);

  it('keeps the lease as the key TTL and the retention after completion', async () => {
    const claim = await store.claim('ttl', 'fp', 5_000, HOUR);
    const lease = (claim as { lease: Lease }).lease;
    expect(await client.pttl(`${prefix}ttl`)).toBeLessThanOrEqual(5_000);
    await store.complete(lease, ok);
    expect(await client.pttl(`${prefix}ttl`)).toBeGreaterThan(HOUR - 5_000);
  });

  it('answers in-flight while Redis has been up for less than the lease (restart guard)', async () => {
    const guarded = new RedisIdempotencyStore({ client, prefix });
    const info = await client.info('server');
    const uptimeMs = Number(/uptime_in_seconds:(\d+)/.exec(info)![1]) * 1000;
    // A lease longer than the uptime: a lease from before a restart could still be running.
    expect(await guarded.claim('guarded', 'fp', uptimeMs + HOUR, 2 * HOUR + uptimeMs)).toEqual({
      kind: 'in-flight',
    });
    // An existing record is answered as usual, guard or not.
    const lease = (await store.claim('guarded-2', 'fp', HOUR, HOUR)) as { lease: Lease };
    await store.complete(lease.lease, ok);
    expect(
      (await guarded.claim('guarded-2', 'fp', uptimeMs + HOUR, 2 * HOUR + uptimeMs)).kind,
    ).toBe('completed');
  });
});

describe('idempotency store conformance: Redis (node-redis)', () => {
  let client: Awaited<ReturnType<typeof connectNodeRedis>>;
  let store: RedisIdempotencyStore;
  const prefix = `${uniqueId('idemn')}:`;
  beforeAll(async () => {
    client = await connectNodeRedis();
    store = new RedisIdempotencyStore({ client, prefix, restartGuard: false });
  });
  afterAll(async () => {
    if (!client) return;
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });
  idempotencyConformance(() => store);
});

describe('idempotency store conformance: PostgreSQL', () => {
  let pool: pg.Pool;
  let store: PostgresIdempotencyStore;
  const table = uniqueId('fl_idem');
  beforeAll(async () => {
    pool = await connectPostgres();
    store = new PostgresIdempotencyStore({ pool, table });
  });
  afterAll(async () => {
    if (!pool) return;
    await dropPostgresTables(pool, table);
    await pool.end();
  });
  idempotencyConformance(() => store);

  it('sweeps expired records', async () => {
    await store.claim('sweep-me', 'fp', 50, HOUR);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    expect((await store.claim('sweep-me', 'fp', 50, HOUR)).kind).toBe('claimed');
  });
});

describe('MemoryIdempotencyStore limits', () => {
  it('makes room by dropping completed records, never live leases', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 3 });
    const first = (await store.claim('a', 'fp', HOUR, HOUR)) as { lease: Lease };
    await store.complete(first.lease, ok);
    await store.claim('b', 'fp', HOUR, HOUR);
    await store.claim('c', 'fp', HOUR, HOUR);
    // Full: the completed record of `a` makes room, so `a` would now run again.
    expect((await store.claim('d', 'fp', HOUR, HOUR)).kind).toBe('claimed');
    // Full of live leases: a new key is refused rather than a lease dropped.
    await expect(store.claim('e', 'fp', HOUR, HOUR)).rejects.toThrow(/full/);
    expect((await store.claim('b', 'fp', HOUR, HOUR)).kind).toBe('in-flight');
    expect(store.size).toBe(3);
  });
});
