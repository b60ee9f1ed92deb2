/**
 * A quick A/B of the two Redis limiters, apart from the full store benchmark: faultline's
 * GCRA store and rate-limiter-flexible's `RateLimiterRedis` on one private redis-server and one
 * shared ioredis client (default settings), 32 concurrent callers, rounds interleaved A B, B A.
 * Prints each round with the Node CPU per decision and the server's time per script call,
 * then the median of each and the median of the per-round ratios.
 *
 * Run: `npx tsx bench/stores/limiter-ab.ts` (ROUNDS, SECONDS in the environment).
 */
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RedisRateLimitStore } from '../../src/redis/ratelimit.js';
import { startRedis, throughput } from './support.js';

const SECONDS = Number(process.env.SECONDS ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const CONCURRENCY = 32;
const KEYS = 10_000;

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const redis = await startRedis();
const client = new Redis(redis.url);
const admin = new Redis(redis.url);
try {
  const policy = { limit: 1_000_000, windowMs: 1000 };
  const ours = new RedisRateLimitStore({ client, prefix: 'ab:fl:' });
  const rlf = new RateLimiterRedis({
    storeClient: client,
    points: 1_000_000,
    duration: 1,
    keyPrefix: 'ab:rlf',
  });
  await ours.consume([{ key: 'warm', policy }]);
  await rlf.consume('warm');

  const phase = async (label: string, work: (loop: number, i: number) => Promise<unknown>) => {
    await admin.config('RESETSTAT');
    const cpu = process.cpuUsage();
    const result = await throughput(CONCURRENCY, SECONDS * 1000, work);
    const used = process.cpuUsage(cpu);
    const stats = String(await admin.info('commandstats'));
    const serverUs = /cmdstat_evalsha:.*?usec_per_call=([\d.]+)/.exec(stats)?.[1] ?? '?';
    const nodeUs = ((used.user + used.system) / result.ops).toFixed(1);
    console.log(
      `${label} ${Math.round(result.perSecond)}/s  node ${nodeUs} µs/decision  server ${serverUs} µs/call`,
    );
    return result.perSecond;
  };
  const a: number[] = [];
  const b: number[] = [];
  // The order alternates (A B, B A, ...) so that neither limiter always runs first.
  const ours1 = () =>
    phase('faultline', (loop, i) =>
      ours.consume([{ key: `k${(loop * 7919 + i) % KEYS}`, policy }]),
    );
  const rlf1 = () => phase('rlf      ', (loop, i) => rlf.consume(`k${(loop * 7919 + i) % KEYS}`));
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      a.push(await ours1());
      b.push(await rlf1());
    } else {
      b.push(await rlf1());
      a.push(await ours1());
    }
  }
  const ratios = a.map((value, i) => value / b[i]!);
  console.log(
    `median faultline ${Math.round(median(a))}/s, rlf ${Math.round(median(b))}/s; ` +
      `per-round ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}, median ${median(ratios).toFixed(2)}`,
  );
} finally {
  client.disconnect();
  admin.disconnect();
  await redis.stop();
}
