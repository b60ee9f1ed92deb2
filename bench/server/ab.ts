/**
 * A/B of a few benchmark server variants of one framework, for a decision between two versions
 * of the code without the whole server benchmark: each variant against the first, by requests
 * per second and by server CPU time per request (the steadier of the two on a shared machine).
 *
 * Usage: `npx tsx bench/server/ab.ts <framework> <status> <variant> <variant>…`, e.g.
 * `npx tsx bench/server/ab.ts express 200 plain-success faultline-success`. `BENCH_ROUNDS`
 * (default 6) and `BENCH_SECONDS` (default 1.5) set the length. Each variant is loaded side by
 * side with the first (`measurePairs`); `BENCH_MODE=turns` loads them one after the other
 * instead (`measureGroup`). List a variant twice for an A/A.
 */
import { loadavg } from 'node:os';
import { bundleServer } from './bundle.js';
import { compare, type Measure, measureGroup, measurePairs } from './measure.js';

const [framework, status, ...variants] = process.argv.slice(2);
if (framework === undefined || status === undefined || variants.length < 2) {
  process.stderr.write('usage: ab.ts <framework> <status> <variant> <variant>…\n');
  process.exit(2);
}
const bundle = await bundleServer();
const before = loadavg();
const plan = {
  seconds: Number(process.env.BENCH_SECONDS ?? 1.5),
  warmupSeconds: 2,
  connections: 50,
  rounds: Number(process.env.BENCH_ROUNDS ?? 6),
};
const runs =
  process.env.BENCH_MODE === 'turns'
    ? await measureGroup(bundle, framework, variants, Number(status), plan)
    : await pairedRuns();

/** Each variant paired with the first, loaded side by side (see `measurePairs`). */
async function pairedRuns(): Promise<Measure[][]> {
  const pairs = variants.slice(1).map((_, i) => [0, i + 1] as const);
  const measured = await measurePairs(bundle, framework!, variants, pairs, Number(status), plan);
  return [measured[0]![0], ...measured.map(([, ours]) => ours)];
}
const baseline = variants[0]!;
for (let i = 1; i < variants.length; i++) {
  const row = compare(runs[0]!, runs[i]!);
  process.stdout.write(
    `${framework} ${baseline} → ${variants[i]}: ${Math.round(row.baseline)} → ${Math.round(row.ours)} req/s ` +
      `(${row.ratio.toFixed(3)}x), CPU ${row.baselineCpuUs?.toFixed(1)} → ${row.oursCpuUs?.toFixed(1)} ` +
      `µs/request (${row.cpuRatio?.toFixed(3)}x); rounds ${row.rounds.map((r) => r.toFixed(2)).join(' ')}\n`,
  );
}
const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
process.stdout.write(`load average ${load(before)} before, ${load(loadavg())} after\n`);
