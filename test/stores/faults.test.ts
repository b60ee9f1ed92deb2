/**
 * Faults: a Redis of the test's own killed and restarted mid-run, a slow store, a server
 * process killed with SIGKILL while it holds a lease. No request runs twice, nothing
 * acknowledged is lost, and each failure mode of the limiter does what it was set to do.
 */
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/client/client.js';
import { trafficCatalog } from '../../src/ratelimit/catalog.js';
import { RateLimiter, type StoreFailureMode } from '../../src/ratelimit/limiter.js';
import { RedisRateLimitStore } from '../../src/redis/ratelimit.js';
import {
  freePort,
  PrivateRedis,
  startWorker,
  startWorkers,
  stopWorkers,
  type Worker,
} from './fixtures/processes.js';
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

/** An ioredis client that fails fast while its server is down. */
function fragileClient(url: string): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => 50,
  });
  client.on('error', () => undefined);
  return client;
}

describe('limiter failure modes on a Redis that dies, comes back and stalls', () => {
  let redis: PrivateRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    client = fragileClient(redis.url);
    await new Promise((resolve) => client.once('ready', resolve));
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.kill();
  });

  it('fails open, fails closed or falls back as configured; logs each switch once', async () => {
    const checks = [{ key: 'modes', policy: { limit: 3, windowMs: 60_000 } }];
    const store = new RedisRateLimitStore({ client, prefix: 'modes:' });
    const make = (mode: StoreFailureMode) => {
      const logger = { warn: vi.fn(), info: vi.fn() };
      const limiter = new RateLimiter({
        store,
        onStoreFailure: mode,
        timeoutMs: 100,
        probeIntervalMs: 100,
        logger,
      });
      return { limiter, logger };
    };
    const open = make('fail-open');
    const closed = make('fail-closed');
    const fallback = make('fallback');
    for (const { limiter } of [open, closed, fallback]) {
      expect(await limiter.consume(checks)).toMatchObject({ kind: 'decision', source: 'store' });
    }

    await redis.kill();
    for (let i = 0; i < 5; i++) {
      expect(await open.limiter.consume(checks)).toEqual({ kind: 'open' });
      expect(await closed.limiter.consume(checks)).toEqual({ kind: 'closed' });
      const local = await fallback.limiter.consume(checks);
      expect(local).toMatchObject({ kind: 'decision', source: 'fallback' });
      // The local limiter enforces the same policy: 3 admitted, then refused.
      expect(local.kind === 'decision' && local.decision.allowed).toBe(i < 3);
    }
    for (const { limiter, logger } of [open, closed, fallback]) {
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(limiter.metrics()).toMatchObject({ degraded: true, degradations: 1 });
    }

    await redis.start();
    await sleep(300);
    for (const { limiter, logger } of [open, closed, fallback]) {
      // One probe per interval: within a few requests the store decides again.
      let source: string | undefined;
      for (let i = 0; i < 20 && source !== 'store'; i++) {
        const verdict = await limiter.consume(checks);
        source = verdict.kind === 'decision' ? verdict.source : verdict.kind;
        if (source !== 'store') await sleep(50);
      }
      expect(source).toBe('store');
      expect(logger.info).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(limiter.metrics()).toMatchObject({ degraded: false, recoveries: 1 });
    }
  });

  it('treats a stalled store as down after the time limit, and recovers', async () => {
    const store = new RedisRateLimitStore({ client, prefix: 'slow:' });
    const limiter = new RateLimiter({
      store,
      onStoreFailure: 'fallback',
      timeoutMs: 100,
      probeIntervalMs: 50,
    });
    const checks = [{ key: 'slow', policy: { limit: 100, windowMs: 60_000 } }];
    expect((await limiter.consume(checks)).kind).toBe('decision');
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '700', 'ALL');
    const started = performance.now();
    const verdict = await limiter.consume(checks);
    expect(performance.now() - started).toBeLessThan(600);
    expect(verdict).toMatchObject({ kind: 'decision', source: 'fallback' });
    expect(limiter.metrics().storeTimeouts).toBe(1);
    await sleep(900);
    let source: string | undefined;
    for (let i = 0; i < 20 && source !== 'store'; i++) {
      const next = await limiter.consume(checks);
      source = next.kind === 'decision' ? next.source : next.kind;
      if (source !== 'store') await sleep(60);
    }
    expect(source).toBe('store');
    admin.disconnect();
  });
});

describe('end to end with the faultline client: Redis killed, restarted and stalled, a worker killed', () => {
  let redis: PrivateRedis;
  let counter: Redis;
  let workers: Worker[] = [];
  const prefix = `${uniqueId('fault')}:`;
  const leaseMs = 1500;

  beforeAll(async () => {
    counter = await connectIoRedis();
    redis = new PrivateRedis(await freePort());
    await redis.start();
    workers = await startWorkers(3, {
      STORE: 'redis',
      PREFIX: prefix,
      REDIS_URL: redis.url,
      COUNT_REDIS_URL: REDIS_URL,
      LEASE_MS: String(leaseMs),
      TIMEOUT_MS: '200',
      HANDLER_MS: '30',
      RL_MODE: 'fallback',
      RL_LIMIT: '100000',
      RL_BURST: '100000',
    });
  }, 90_000);

  afterAll(async () => {
    await stopWorkers(workers);
    await redis?.kill();
    if (counter) {
      await dropRedisPrefix(counter, prefix);
      counter.disconnect();
    }
  });

  it('runs every request at most once and loses no acknowledged one', async () => {
    const live = () =>
      workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    let next = 0;
    const crashKey = 'op-crash';
    let crashSent = false;
    // A load balancer: each attempt goes to the next live worker. One worker is kept for the
    // crash: attempts of one operation ask it to die while it holds the lease, until it does
    // (an attempt refused before the handler, a 409 while the fresh Redis is younger than a
    // lease, kills nobody). It takes no other traffic, so no other request dies with it after
    // its effect — a crash the lease alone cannot cover (the PostgreSQL transactional mode does).
    const crashWorker = workers[0]!;
    const balancer = async (input: string, init: RequestInit) => {
      const url = new URL(input);
      const headers = new Headers(init.headers);
      if (headers.get('idempotency-key') === crashKey && !crashSent) {
        url.port = String(crashWorker.port);
        headers.set('x-crash', 'before-effect');
        try {
          return await fetch(url, { ...init, headers });
        } catch (error) {
          crashSent = true; // the worker died holding the lease
          throw error;
        }
      }
      const targets = live().filter((worker) => worker !== crashWorker);
      url.port = String(targets[next++ % targets.length]!.port);
      return fetch(url, { ...init, headers });
    };
    const client = createClient({
      baseUrl: 'http://127.0.0.1:1',
      catalog: trafficCatalog,
      fetch: balancer,
      retry: { attempts: 60, base: 40, maxDelay: 300, maxHint: 3000 },
      budget: false,
      breaker: false,
      timeout: 5000,
    });

    const operations = Array.from({ length: 120 }, (_, i) => (i === 7 ? crashKey : `op-${i}`));
    const acknowledged = new Set<string>();
    const failed: string[] = [];
    const run = async (key: string, delay: number) => {
      await sleep(delay);
      try {
        await client.post('/orders', { key }, { idempotencyKey: key });
        acknowledged.add(key);
      } catch (error) {
        failed.push(`${key}: ${(error as Error).message}`);
      }
    };
    const load = Promise.all(operations.map((key, i) => run(key, i * 20)));
    // Faults while the load runs: Redis dies and comes back empty, then stalls.
    await sleep(500);
    await redis.kill();
    await sleep(100);
    // One order to each worker while Redis is down, sent past the client (which rightly holds
    // its requests back while the API answers 503 with Retry-After), so that every limiter meets
    // the outage; the idempotency guard refuses them before any handler runs.
    await Promise.all(
      live().map((w) =>
        fetch(`http://127.0.0.1:${w.port}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `probe-${w.port}` },
          body: JSON.stringify({ key: `probe-${w.port}` }),
        }).then(
          (res) => res.arrayBuffer(),
          () => undefined,
        ),
      ),
    );
    await sleep(600);
    await redis.start();
    await sleep(600);
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '500', 'ALL');
    admin.disconnect();
    await load;

    expect(crashSent).toBe(true);
    // The killed worker's exit event can trail the failed request: wait for it, bounded.
    for (let i = 0; i < 50 && live().length > 2; i++) await sleep(100);
    expect(live()).toHaveLength(2);
    expect(failed).toEqual([]);
    const runs = await Promise.all(
      operations.map(async (key) => Number((await counter.get(`${prefix}runs:${key}`)) ?? 0)),
    );
    const duplicates = runs.filter((count) => count > 1).length;
    expect(duplicates).toBe(0);
    // Every acknowledged operation ran exactly once: nothing acknowledged was lost.
    for (const [i, key] of operations.entries()) {
      if (acknowledged.has(key)) expect(runs[i], key).toBe(1);
    }
    expect(acknowledged.size).toBe(operations.length);

    // The faults were seen: each surviving worker's guards went down and came back, the
    // limiter decided locally meanwhile, and the idempotency guard refused with 503.
    const metrics = await Promise.all(
      live().map(async (w) => (await fetch(`http://127.0.0.1:${w.port}/metrics`)).json()),
    );
    const total = (pick: (m: any) => number) => metrics.reduce((sum, m) => sum + pick(m), 0);
    expect(total((m) => m.idempotency.degradations)).toBeGreaterThanOrEqual(2);
    expect(total((m) => m.idempotency.recoveries)).toBeGreaterThanOrEqual(2);
    expect(total((m) => m.idempotency.unavailable)).toBeGreaterThan(0);
    expect(total((m) => m.orders.fallbackDecisions)).toBeGreaterThan(0);
    expect(total((m) => m.idempotency.inFlight)).toBeGreaterThan(0);
  }, 90_000);
});

describe('a worker killed with SIGKILL inside its PostgreSQL transaction', () => {
  let pool: pg.Pool;
  let workers: Worker[] = [];
  const table = uniqueId('fl_kill');

  beforeAll(async () => {
    pool = await connectPostgres();
    await pool.query(`CREATE TABLE "${table}_runs" (key text NOT NULL)`);
    const env = {
      STORE: 'postgres',
      TABLE: table,
      DATABASE_URL,
      COUNT_REDIS_URL: REDIS_URL,
      LEASE_MS: '1000',
      TIMEOUT_MS: '2000',
      HANDLER_MS: '20',
    };
    workers = [await startWorker(env), await startWorker(env)];
  }, 60_000);

  afterAll(async () => {
    await stopWorkers(workers);
    if (pool) {
      await dropPostgresTables(pool, `${table}_runs`, `${table}_rl`, `${table}_idem`);
      await pool.end();
    }
  });

  it('rolls its effect back; the retry after the lease runs it exactly once', async () => {
    const key = 'tx-killed';
    const send = (port: number, crash: boolean) =>
      fetch(`http://127.0.0.1:${port}/tx-orders`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': key,
          ...(crash ? { 'x-crash': 'after-effect' } : {}),
        },
        body: JSON.stringify({ sku: 'kiwi' }),
      });
    // The first worker writes its effect in the transaction, then dies before committing.
    await expect(send(workers[0]!.port, true)).rejects.toThrow();
    await workers[0]!.exited;
    const survivor = workers[1]!.port;
    const early = await send(survivor, false);
    expect(early.status).toBe(409);
    let response = early;
    for (let i = 0; i < 40 && response.status === 409; i++) {
      await sleep(100);
      response = await send(survivor, false);
    }
    expect(response.status).toBe(201);
    const replay = await send(survivor, false);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${table}_runs" WHERE key = $1`,
      [key],
    );
    expect(rows[0].n).toBe(1);
  }, 60_000);
});
