/**
 * Four server processes sharing one store: the same idempotency key sent 1 000 times at once
 * runs the handler exactly once, and the shared limiter admits within 1% of its rate.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, stopWorkers, type Worker } from './fixtures/processes.js';
import {
  connectIoRedis,
  connectPostgres,
  DATABASE_URL,
  dropPostgresTables,
  dropRedisPrefix,
  REDIS_URL,
  uniqueId,
} from './services.js';

// Low enough that four processes saturate it even on a loaded two-core machine.
const RATE = 50;
/** Enough slack that a request arriving a little late loses no quota time. */
const BURST = 50;

describe.each(['redis', 'postgres'] as const)('4 processes sharing %s', (store) => {
  let workers: Worker[] = [];
  let redis: Redis;
  let pool: pg.Pool | undefined;
  const prefix = `${uniqueId('mp')}:`;
  const table = uniqueId('fl_mp');

  beforeAll(async () => {
    redis = await connectIoRedis();
    if (store === 'postgres') {
      pool = await connectPostgres();
      await pool.query(`CREATE TABLE "${table}_runs" (key text NOT NULL)`);
    }
    workers = await startWorkers(4, {
      STORE: store,
      PREFIX: prefix,
      TABLE: table,
      REDIS_URL,
      COUNT_REDIS_URL: REDIS_URL,
      DATABASE_URL,
      LEASE_MS: '10000',
      TIMEOUT_MS: '5000',
      HANDLER_MS: '100',
      RL_LIMIT: String(RATE),
      RL_WINDOW_MS: '1000',
      RL_BURST: String(BURST),
      // The shared Redis may have started moments before the tests (CI): a lease of 10 s must
      // not make every claim wait for Redis to have been up that long.
      RESTART_GUARD: '0',
    });
  }, 90_000);

  afterAll(async () => {
    await stopWorkers(workers);
    if (redis) {
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
    }
    if (pool) {
      await dropPostgresTables(pool, `${table}_runs`, `${table}_rl`, `${table}_idem`);
      await pool.end();
    }
  });

  it('runs 1 000 concurrent requests with one key exactly once; the rest replay or get 409', async () => {
    const key = `same-${store}`;
    const send = (i: number) =>
      fetch(`http://127.0.0.1:${workers[i % 4]!.port}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ sku: 'widget', quantity: 2 }),
      }).then(async (response) => ({
        status: response.status,
        replayed: response.headers.get('idempotent-replayed') === 'true',
        body: await response.text(),
      }));
    // Two waves: the first overlaps the running handler (409s), the second comes after it
    // finished (replays).
    const first = await Promise.all(Array.from({ length: 500 }, (_, i) => send(i)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await Promise.all(Array.from({ length: 500 }, (_, i) => send(i)));
    const all = [...first, ...second];

    const runs = Number(await redis.get(`${prefix}runs:${key}`));
    expect(runs).toBe(1);
    const statuses = JSON.stringify(
      all.reduce<Record<number, number>>((acc, r) => {
        acc[r.status] = (acc[r.status] ?? 0) + 1;
        return acc;
      }, {}),
    );
    const originals = all.filter((r) => r.status === 200 && !r.replayed);
    const replays = all.filter((r) => r.status === 200 && r.replayed);
    const conflicts = all.filter((r) => r.status === 409);
    expect(originals, statuses).toHaveLength(1);
    expect(replays.length + conflicts.length, statuses).toBe(999);
    expect(second.every((r) => r.status === 200)).toBe(true);
    expect(new Set(replays.map((r) => r.body))).toEqual(new Set([originals[0]!.body]));
    for (const conflict of conflicts.slice(0, 3)) {
      expect(JSON.parse(conflict.body)).toMatchObject({ code: 'idempotency_key_in_flight' });
    }
  }, 60_000);

  it('admits within 1% of the configured rate across the 4 processes', async () => {
    // Long enough that the edges of the run (a few ms each) stay far below 1% of it.
    const durationMs = 8000;
    let admitted = 0;
    let refused = 0;
    let other = 0;
    // The decision of the last admitted request fell between its sending and its answer:
    // the middle of the two ends the measured window.
    let lastAdmitted = 0;
    const started = performance.now();
    const stopAt = started + durationMs;
    const loop = async (i: number) => {
      const port = workers[i % 4]!.port;
      while (performance.now() < stopAt) {
        const sent = performance.now();
        const response = await fetch(`http://127.0.0.1:${port}/limited`);
        await response.arrayBuffer();
        if (response.status === 200) {
          admitted++;
          lastAdmitted = Math.max(lastAdmitted, (sent + performance.now()) / 2);
        } else if (response.status === 429) refused++;
        else other++;
      }
    };
    await Promise.all(Array.from({ length: 48 }, (_, i) => loop(i)));
    const elapsed = lastAdmitted - started;
    const expected = BURST + (elapsed * RATE) / 1000;
    const figures = { admitted, refused, other, elapsed: Math.round(elapsed), expected };
    expect(figures.other, JSON.stringify(figures)).toBe(0);
    // Saturated: more requests offered than the rate, all along.
    expect(refused, JSON.stringify(figures)).toBeGreaterThan(admitted / 10);
    expect(Math.abs(admitted - expected) / expected, JSON.stringify(figures)).toBeLessThan(0.01);
  }, 60_000);
});
