/**
 * Four server processes sharing one store: the same idempotency key sent 1 000 times at once
 * runs the handler exactly once, and the shared limiter admits within 1% of its rate.
 *
 * Both hold on a loaded machine (CI runs every test file at once on two cores): requests go
 * over connections of their own, never over one the server may be closing for idleness, and
 * the limiter's rate is measured on the store's clock (see `limiterState`), not by when
 * answers happen to arrive.
 */
import { Agent, request } from 'node:http';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRateLimitStore } from '../../src/postgres/ratelimit.js';
import type { RateLimitPolicy, RateLimitStore } from '../../src/ratelimit/types.js';
import { RedisRateLimitStore } from '../../src/redis/ratelimit.js';
import { startWorkers, stopWorkers, type Worker } from './fixtures/processes.js';
import {
  connectIoRedis,
  connectPostgres,
  DATABASE_URL,
  dropPostgresTables,
  dropRedisPrefix,
  REDIS_URL,
  sleep,
  uniqueId,
} from './services.js';

// Low enough that four processes saturate it even on a loaded two-core machine.
const RATE = 50;
/**
 * Five seconds of quota: the bucket cannot fill up (and so lose quota time) in any pause of
 * the load shorter than that, such as a loaded machine's slow start or a straggling request.
 */
const BURST = 250;
const INTERVAL_MS = 1000 / RATE;
const TOLERANCE_MS = BURST * INTERVAL_MS;
/** The shared policy, as the workers configure it (RL_LIMIT, RL_WINDOW_MS, RL_BURST). */
const POLICY: RateLimitPolicy = { name: 'shared', limit: RATE, windowMs: 1000, burst: BURST };

interface Answer {
  status: number;
  replayed: boolean;
  body: string;
}

/** One HTTP request and its whole answer. */
function send(
  port: number,
  method: string,
  path: string,
  agent: Agent | false,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          replayed: res.headers['idempotent-replayed'] === 'true',
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The shared limiter's state, read in the store itself: its TAT and the store's clock at the
 * same instant (ms since the epoch). A request's decision falls somewhere between its sending
 * and its answer, which a loaded machine can set a second apart; the TAT says to the
 * microsecond how many units the limiter has granted, and the store's clock when.
 */
interface LimiterState {
  read(): Promise<{ now: number; tat: number }>;
  /** A store for the same key, to spend the fresh bucket before the run. */
  readonly store: RateLimitStore;
  /** The check the workers make on every request. */
  readonly check: { key: string; policy: RateLimitPolicy };
}

/** The workers' rate-limit key (see `fixtures/worker.ts`: namespace PREFIX, key `everyone`). */
const workerKey = (prefix: string) => `${prefix}:fn:everyone`;

function redisState(redis: Redis, prefix: string): LimiterState {
  const check = { key: workerKey(prefix), policy: POLICY };
  const storePrefix = `${prefix}rl:`;
  // The store's key layout: `<prefix>{<key>}<limit>/<windowMs>/<burst>`.
  const key = `${storePrefix}{${check.key}}${RATE}/1000/${BURST}`;
  return {
    check,
    store: new RedisRateLimitStore({ client: redis, prefix: storePrefix }),
    async read() {
      const replies = (await redis.multi().time().getBuffer(key).exec())!;
      for (const [error] of replies) if (error) throw error;
      const [seconds, micros] = replies[0]![1] as [string, string];
      const value = replies[1]![1] as Buffer | null;
      // 16 bytes: the TAT and the key's expiry as two little-endian doubles.
      const tat = value?.length === 16 ? value.readDoubleLE(0) : Number.NaN;
      return { now: Number(seconds) * 1000 + Number(micros) / 1000, tat };
    },
  };
}

function postgresState(pool: pg.Pool, table: string, prefix: string): LimiterState {
  const check = { key: workerKey(prefix), policy: POLICY };
  return {
    check,
    store: new PostgresRateLimitStore({ pool, table }),
    async read() {
      const client = await pool.connect();
      try {
        // The row lock first: no decision can commit between the TAT and the clock.
        await client.query('BEGIN');
        const { rows } = await client.query(
          `SELECT tat FROM "${table}" WHERE key = $1 FOR UPDATE`,
          // The store's key layout: `<limit>/<windowMs>/<burst>|<key>`.
          [`${RATE}/1000/${BURST}|${check.key}`],
        );
        const clock = await client.query(
          'SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now',
        );
        await client.query('COMMIT');
        return { now: Number(clock.rows[0].now), tat: Number(rows[0]?.tat ?? Number.NaN) };
      } finally {
        client.release();
      }
    },
  };
}

/**
 * Waits until the limiter has no unit left (TAT more than the tolerance less one interval
 * ahead): the offered load exceeds the rate right then. Resolves with that reading.
 */
async function whenEmpty(state: LimiterState, withinMs: number) {
  const until = performance.now() + withinMs;
  let last = await state.read();
  while (!(last.tat - last.now > TOLERANCE_MS - INTERVAL_MS)) {
    if (performance.now() > until) {
      throw new Error(
        `The shared limiter still had units after ${withinMs} ms under a load above its rate: ${JSON.stringify(last)}`,
      );
    }
    await sleep(2);
    last = await state.read();
  }
  return last;
}

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
      // Far longer than any request takes even on a loaded machine: a lease running out under
      // the original request would let a second one run the handler.
      LEASE_MS: '30000',
      TIMEOUT_MS: '5000',
      HANDLER_MS: '100',
      RL_LIMIT: String(RATE),
      RL_WINDOW_MS: '1000',
      RL_BURST: String(BURST),
      // The shared Redis may have started moments before the tests (CI): a lease of 30 s must
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
    // A connection of its own for every request: a server closes idle keep-alive connections,
    // and on a loaded machine a pooled connection can be reused just as the server closes it.
    const post = (i: number) =>
      send(
        workers[i % 4]!.port,
        'POST',
        '/orders',
        false,
        { 'content-type': 'application/json', 'idempotency-key': key },
        JSON.stringify({ sku: 'widget', quantity: 2 }),
      );
    // Two waves: the first overlaps the running handler (409s), the second comes after it
    // finished (replays).
    const first = await Promise.all(Array.from({ length: 500 }, (_, i) => post(i)));
    await sleep(300);
    const second = await Promise.all(Array.from({ length: 500 }, (_, i) => post(i)));
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
    const state =
      store === 'redis' ? redisState(redis, prefix) : postgresState(pool!, `${table}_rl`, prefix);
    // The fresh bucket spent at once by the test: from here on the TAT counts the workers'
    // admissions, one interval each.
    expect((await state.store.consume([state.check], BURST)).allowed).toBe(true);
    const start = await state.read();

    const agent = new Agent({ keepAlive: true });
    let admitted = 0;
    let refused = 0;
    const other: number[] = [];
    let stop = false;
    const loop = async (i: number) => {
      const port = workers[i % 4]!.port;
      while (!stop) {
        const { status } = await send(port, 'GET', '/limited', agent);
        if (status === 200) admitted++;
        else if (status === 429) refused++;
        else other.push(status);
      }
    };
    const loops = Promise.all(Array.from({ length: 64 }, (_, i) => loop(i)));
    let from: Awaited<ReturnType<LimiterState['read']>>;
    let to: typeof from;
    try {
      // The measured window runs between two moments the limiter had no unit left, at least
      // 8 s apart, read on the store's clock.
      from = await whenEmpty(state, 20_000);
      await sleep(8000);
      to = await whenEmpty(state, 10_000);
    } finally {
      stop = true;
      await loops;
      agent.destroy();
    }
    const end = await state.read();

    // Units granted in the window: the TAT moves one interval per admission.
    const granted = (to.tat - from.tat) / INTERVAL_MS;
    const produced = (to.now - from.now) / INTERVAL_MS;
    // Units charged over the whole run, which every admitted request must account for.
    const charged = (end.tat - start.tat) / INTERVAL_MS;
    const figures = JSON.stringify({
      admitted,
      charged: Number(charged.toFixed(3)),
      refused,
      other: other.length,
      windowMs: Math.round(to.now - from.now),
      granted: Number(granted.toFixed(3)),
      produced: Number(produced.toFixed(3)),
    });
    expect(other, figures).toEqual([]);
    // Every 200 is one unit charged in the shared store: none admitted without it (a store
    // timeout failing open, a lost update between processes), none charged twice.
    expect(Math.abs(admitted - charged), figures).toBeLessThan(0.5);
    // So the requests admitted inside the window are `granted`, to the unit, against the
    // `produced` units the configured rate allows in it.
    expect(Math.abs(granted - produced) / produced, figures).toBeLessThan(0.01);
  }, 60_000);
});
