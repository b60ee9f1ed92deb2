/**
 * Rate limiting and idempotency keys on their stores.
 *
 * 1. Limiter decisions per second and round trips per decision: memory; Redis (faultline's
 *    one-EVALSHA GCRA) side by side with rate-limiter-flexible on the same private Redis and
 *    the same ioredis client; and the physical limit, `redis-benchmark` running the same
 *    EVALSHA at the same concurrency.
 * 2. What idempotency keys add to a request (memory, Redis, PostgreSQL) against the same
 *    route without them: latency, throughput and store round trips, for first requests and
 *    for replays.
 *
 * Goals: one Redis round trip per decision; Redis limiter throughput at least
 * rate-limiter-flexible's, and within 1.5x of redis-benchmark; idempotency adds at most two
 * store round trips to a first request and one to a replay.
 */
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { MemoryIdempotencyStore } from '../src/idempotency/memory.js';
import { idempotency } from '../src/idempotency/middleware.js';
import type { IdempotencyStore } from '../src/idempotency/types.js';
import { PostgresIdempotencyStore } from '../src/postgres/idempotency.js';
import { MemoryRateLimitStore } from '../src/ratelimit/memory.js';
import { toRedisCommander } from '../src/redis/client.js';
import { RedisIdempotencyStore } from '../src/redis/idempotency.js';
import { RedisRateLimitStore } from '../src/redis/ratelimit.js';
import {
  countCommands,
  countQueries,
  latencies,
  redisBenchmark,
  scriptCalls,
  startRedis,
  throughput,
} from './stores/support.js';
import type { BenchReport } from './types.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Limiter A/B pairs: more and shorter than the other rounds, since their ratio is the goal. */
const PAIRS = Number(process.env.BENCH_PAIRS ?? 9);
const CONCURRENCY = 32;
const KEYS = 10_000;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The round with the median throughput. */
function median<T extends { perSecond: number }>(rounds: T[]): T {
  return [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)]!;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export default async function run(): Promise<BenchReport> {
  const redis = await startRedis();
  try {
    const limiter = await limiterFigures(redis.url, redis.port);
    const idem = await idempotencyFigures(redis.url);
    return report(limiter, idem);
  } finally {
    await redis.stop();
  }
}

interface LimiterFigures {
  memory: number;
  /** faultline ÷ rate-limiter-flexible per round (each pair measured back to back), median. */
  pairedRatio: number;
  pairedRatios: number[];
  ours: { perSecond: number; commands: number; serverCalls: number };
  rlf: { perSecond: number; commands: number; serverCalls: number };
  /** redis-benchmark, the same EVALSHA, one command at a time on each of 32 connections. */
  physical: number | undefined;
  /** redis-benchmark, the same EVALSHA, 32 at a time on one connection. */
  physicalPipelined: number | undefined;
  /** The EVALSHA redis-benchmark sends. */
  command: string[];
  /** The load average (1, 5, 15 min) before and after the limiter rounds. */
  load: { before: number[]; after: number[] };
}

async function limiterFigures(url: string, port: number): Promise<LimiterFigures> {
  const loadBefore = loadavg();
  const policy = { limit: 1_000_000, windowMs: 1000 };
  const memoryStore = new MemoryRateLimitStore();
  const started = performance.now();
  let memoryOps = 0;
  while (performance.now() - started < SECONDS * 1000) {
    for (let i = 0; i < 1000; i++) {
      memoryStore.consumeSync([{ key: `k${(memoryOps + i) % KEYS}`, policy }]);
    }
    memoryOps += 1000;
  }
  const memory = memoryOps / ((performance.now() - started) / 1000);

  // One ioredis client, default settings, shared by both limiters.
  const client = new Redis(url);
  const counter = countCommands(client);
  const ours = new RedisRateLimitStore({ client, prefix: 'bench:fl:' });
  const rlf = new RateLimiterRedis({
    storeClient: client,
    points: 1_000_000,
    duration: 1,
    keyPrefix: 'bench:rlf',
  });
  // Warm both (script loads), then measure each alone.
  await ours.consume([{ key: 'warm', policy }]);
  await rlf.consume('warm');

  const measure = async (work: (loop: number, i: number) => Promise<unknown>) => {
    counter.reset();
    const before = await scriptCalls(client);
    const result = await throughput(CONCURRENCY, (SECONDS * 1000) / 2, work);
    const commands = counter.count / result.ops;
    const serverCalls = ((await scriptCalls(client)) - before) / result.ops;
    return { perSecond: result.perSecond, commands, serverCalls };
  };
  // Interleaved rounds, the median of each: the machine's load drifts over a run. The order
  // alternates (A B, B A, ...) so that neither limiter always runs first in a round.
  const oursRounds: Awaited<ReturnType<typeof measure>>[] = [];
  const rlfRounds: Awaited<ReturnType<typeof measure>>[] = [];
  const runOurs = async () => {
    oursRounds.push(
      await measure((loop, i) => ours.consume([{ key: `k${(loop * 7919 + i) % KEYS}`, policy }])),
    );
  };
  const runRlf = async () => {
    rlfRounds.push(await measure((loop, i) => rlf.consume(`k${(loop * 7919 + i) % KEYS}`)));
  };
  for (let round = 0; round < PAIRS; round++) {
    if (round % 2 === 0) {
      await runOurs();
      await runRlf();
    } else {
      await runRlf();
      await runOurs();
    }
  }
  client.disconnect();
  const oursFigures = median(oursRounds);
  const rlfFigures = median(rlfRounds);
  // Each round's two runs are adjacent in time, so their ratio cancels most of the drift.
  const pairedRatios = oursRounds.map((round, i) => round.perSecond / rlfRounds[i]!.perSecond);
  const pairedRatio = [...pairedRatios].sort((a, b) => a - b)[Math.floor(PAIRS / 2)]!;

  // The physical limit: redis-benchmark's C client sending the very EVALSHA the store sends
  // (captured from it, so the arguments cannot drift from the script's), over as many keys.
  const admin = new Redis(url);
  const commander = toRedisCommander(admin);
  let line: string[] = [];
  const capture = new RedisRateLimitStore({
    client: {
      send: (command, args) => {
        line = [command, ...args.map(String)];
        return commander.send(command, args);
      },
    },
    prefix: 'bench:rb:',
  });
  const probe = await capture.consume([{ key: 'k0', policy }]);
  admin.disconnect();
  if (!probe.allowed || line[0] !== 'EVALSHA') {
    throw new Error(`The captured EVALSHA does not decide: ${JSON.stringify(probe)}`);
  }
  const command = line.map((arg) => arg.replace('{k0}', '{k__rand_int__}'));
  const physicalRounds: number[] = [];
  const pipelinedRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rps = await redisBenchmark(port, CONCURRENCY, 100_000, command);
    if (rps !== undefined) physicalRounds.push(rps);
    const piped = await redisBenchmark(port, 1, 100_000, command, CONCURRENCY);
    if (piped !== undefined) pipelinedRounds.push(piped);
  }
  const middle = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    memory,
    pairedRatio,
    pairedRatios,
    ours: oursFigures,
    rlf: rlfFigures,
    physical: middle(physicalRounds),
    physicalPipelined: middle(pipelinedRounds),
    command,
    load: { before: loadBefore, after: loadavg() },
  };
}

interface IdemRow {
  store: string;
  firstMean: number;
  firstP99: number;
  replayMean: number;
  firstPerSecond: number;
  firstTrips: number;
  replayTrips: number;
}

async function idempotencyFigures(url: string): Promise<{ baseline: IdemRow; rows: IdemRow[] }> {
  const handler = async () =>
    new Response('{"id":"ord_1","status":"created"}', {
      status: 201,
      headers: { 'content-type': 'application/json' },
    });
  const request = (key: string | undefined) =>
    new Request('http://api.test/orders', {
      method: 'POST',
      headers: key
        ? { 'content-type': 'application/json', 'idempotency-key': key }
        : { 'content-type': 'application/json' },
      body: '{"sku":"widget","quantity":2}',
    });
  const SAMPLES = 2000;

  const plain = await latencies(SAMPLES, () => handler().then((r) => r.arrayBuffer()));
  const plainThroughput = await throughput(16, SECONDS * 1000, () =>
    handler().then((r) => r.arrayBuffer()),
  );
  const baseline: IdemRow = {
    store: 'none (same route without idempotency)',
    firstMean: plain.mean,
    firstP99: plain.p99,
    replayMean: plain.mean,
    firstPerSecond: plainThroughput.perSecond,
    firstTrips: 0,
    replayTrips: 0,
  };

  const redisClient = new Redis(url);
  const redisCounter = countCommands(redisClient);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
  const counted = countQueries(pool);
  const table = `fl_bench_idem_${process.pid}`;
  const pgStore = new PostgresIdempotencyStore({ pool: counted, table });
  await pgStore.setup();

  const stores: {
    name: string;
    store: IdempotencyStore;
    trips: () => number;
    reset: () => void;
  }[] = [
    {
      name: 'memory',
      store: new MemoryIdempotencyStore({ maxRecords: 1_000_000 }),
      trips: () => 0,
      reset: () => undefined,
    },
    {
      name: 'Redis',
      store: new RedisIdempotencyStore({
        client: toRedisCommander(redisClient),
        prefix: 'bench:idem:',
        restartGuard: false,
      }),
      trips: () => redisCounter.count,
      reset: () => redisCounter.reset(),
    },
    {
      name: 'PostgreSQL',
      store: pgStore,
      trips: () => counted.queries,
      reset: () => counted.reset(),
    },
  ];
  const rows: IdemRow[] = [];
  try {
    for (const { name, store, trips, reset } of stores) {
      const guard = idempotency({ store, timeoutMs: 10_000 });
      const call = (key: string) => guard(request(key), handler).then((r) => r.arrayBuffer());
      await call(`${name}-warm`);
      reset();
      const first = await latencies(SAMPLES, (i) => call(`${name}-first-${i}`));
      const firstTrips = trips() / SAMPLES;
      reset();
      const replay = await latencies(SAMPLES, (i) => call(`${name}-first-${i}`));
      const replayTrips = trips() / SAMPLES;
      const concurrent = await throughput(16, SECONDS * 1000, (loop, i) =>
        call(`${name}-tp-${loop}-${i}`),
      );
      rows.push({
        store: name,
        firstMean: first.mean,
        firstP99: first.p99,
        replayMean: replay.mean,
        firstPerSecond: concurrent.perSecond,
        firstTrips,
        replayTrips,
      });
    }
  } finally {
    redisClient.disconnect();
    await pool.query(
      `DROP TABLE IF EXISTS "${table}" CASCADE; DROP FUNCTION IF EXISTS "${table}_claim"; DROP FUNCTION IF EXISTS "${table}_complete"`,
    );
    await pool.end();
  }
  return { baseline, rows };
}

function report(
  limiter: LimiterFigures,
  idem: { baseline: IdemRow; rows: IdemRow[] },
): BenchReport {
  const { ours, rlf, physical, physicalPipelined } = limiter;
  const vsRlf = limiter.pairedRatio;
  const vsPhysical = physical === undefined ? undefined : physical / ours.perSecond;
  const vsPipelined =
    physicalPipelined === undefined ? undefined : physicalPipelined / ours.perSecond;
  const goals = [
    `- One Redis round trip per limiter decision: ${fmt(ours.commands, 2)} commands sent per decision (${fmt(ours.serverCalls, 2)} script calls seen by the server) — ${ours.commands <= 1.001 ? 'met' : 'not met'}.`,
    `- Throughput at least rate-limiter-flexible's with the same client: ${fmt(vsRlf, 2)}x (median of the per-round ratios ${limiter.pairedRatios.map((r) => fmt(r, 2)).join(', ')}) — ${vsRlf >= 1 ? 'met' : 'not met'}.`,
    vsPhysical === undefined
      ? '- Within 1.5x of redis-benchmark: not measured (redis-benchmark missing).'
      : `- Within 1.5x of the physical limit (redis-benchmark running the same EVALSHA at the same concurrency, ${CONCURRENCY} connections with one command each in flight): redis-benchmark ÷ faultline = ${fmt(vsPhysical, 2)} — ${vsPhysical <= 1.5 ? 'met' : 'not met'}.${vsPipelined === undefined ? '' : ` Against redis-benchmark sending the ${CONCURRENCY} commands pipelined on one connection, the way one ioredis client carries ${CONCURRENCY} callers, the ratio is ${fmt(vsPipelined, 2)}: the gap is the Node process (ioredis and a socket write per command) on a machine whose two cores it shares with Redis.`}`,
  ];
  const worstFirst = Math.max(...idem.rows.map((r) => r.firstTrips));
  const worstReplay = Math.max(...idem.rows.map((r) => r.replayTrips));
  goals.push(
    `- Idempotency adds at most two store round trips to a first request (${fmt(worstFirst, 2)}) and one to a replay (${fmt(worstReplay, 2)}) — ${worstFirst <= 2.001 && worstReplay <= 1.001 ? 'met' : 'not met'}.`,
  );
  const markdown = `### Limiter decisions

One Node process; Redis is a private \`redis-server\` on 127.0.0.1 (no persistence); ${CONCURRENCY} concurrent callers over ${fmt(KEYS)} keys, ${PAIRS} interleaved rounds of ${SECONDS / 2} s per limiter (the median shown); one ioredis client with default settings shared by both Redis limiters. Load average (1, 5, 15 min) ${limiter.load.before.map((v) => v.toFixed(2)).join(' ')} before the limiter rounds, ${limiter.load.after.map((v) => v.toFixed(2)).join(' ')} after.

| limiter | decisions/s | commands sent per decision | script calls per decision (server) |
|---|---:|---:|---:|
| faultline memory (\`consumeSync\`, one caller) | ${fmt(limiter.memory)} | 0 | 0 |
| faultline Redis (GCRA, one EVALSHA) | ${fmt(ours.perSecond)} | ${fmt(ours.commands, 2)} | ${fmt(ours.serverCalls, 2)} |
| rate-limiter-flexible \`RateLimiterRedis\` | ${fmt(rlf.perSecond)} | ${fmt(rlf.commands, 2)} | ${fmt(rlf.serverCalls, 2)} |
| redis-benchmark, same EVALSHA, ${CONCURRENCY} connections × 1 in flight (median of ${ROUNDS}) | ${physical === undefined ? 'n/a' : fmt(physical)} | 1 | 1 |
| redis-benchmark, same EVALSHA, 1 connection × ${CONCURRENCY} pipelined (median of ${ROUNDS}) | ${physicalPipelined === undefined ? 'n/a' : fmt(physicalPipelined)} | 1 | 1 |

### Idempotency overhead per request

The same Fetch route (a 201 with a small JSON body) called in-process, without and with \`idempotency()\`: mean and p99 latency of 2 000 sequential first requests (new key each), mean of 2 000 replays, and first requests per second from 16 concurrent callers. Round trips are the store commands (Redis) or queries (PostgreSQL) sent per request.

| store | first request mean µs | first p99 µs | replay mean µs | first requests/s (16 callers) | round trips, first | round trips, replay |
|---|---:|---:|---:|---:|---:|---:|
${[idem.baseline, ...idem.rows]
  .map(
    (r) =>
      `| ${r.store} | ${fmt(r.firstMean)} | ${fmt(r.firstP99)} | ${fmt(r.replayMean)} | ${fmt(r.firstPerSecond)} | ${fmt(r.firstTrips, 2)} | ${fmt(r.replayTrips, 2)} |`,
  )
  .join('\n')}

### Goals

${goals.join('\n')}

What each side sends: faultline one \`EVALSHA\` (\`TIME\`, \`GET\`, \`SET … KEEPTTL\` or \`SET … PXAT\` inside); rate-limiter-flexible \`RateLimiterRedis\` one \`EVALSHA\` of its own script (\`SET NX EX\`, \`INCRBY\`, \`PTTL\` inside) through ioredis' \`defineCommand\`. redis-benchmark sends the exact command line captured from faultline's store (\`${limiter.command.slice(0, 3).join(' ')} …\`), its key drawn from ${fmt(KEYS)}. Both limiters share one ioredis client (default settings: no auto-pipelining), run ${CONCURRENCY} callers over the same ${fmt(KEYS)} keys, and alternate which runs first in a round. faultline's script does more than rate-limiter-flexible's fixed window: it reads the server clock for an exact retry time, so Redis spends more per call on it; its Node side costs less (one integer reply to read for an admitted decision, arguments sent as text). \`bench/stores/limiter-ab.ts\` prints both sides' server and Node time per decision. Redis and the Node process share the machine's two cores with whatever else runs; on a loaded machine the figures move by ±30% between runs, so compare rows of one run.
`;
  return {
    title: 'Stores: rate limiting and idempotency keys',
    command: 'npm run bench -- stores',
    markdown,
    raw: {
      limiter,
      idempotency: idem,
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      rounds: ROUNDS,
      pairs: PAIRS,
    },
  };
}
