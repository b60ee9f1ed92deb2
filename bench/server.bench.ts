/**
 * Error-path and success-path throughput of each server adapter with autocannon, against the
 * same framework answering by hand. Each server runs in a child process (bench/server/app.ts)
 * on 127.0.0.1; the load generator runs here.
 *
 * Goals, like for like: an error answered directly by faultline at least 0.95x the same error
 * answered directly by hand, a thrown error at least 0.95x a thrown error answered by a
 * hand-written error handler (with and without a stack trace), and the success path with
 * faultline installed at least 0.98x the framework alone. The row comparing a direct answer by
 * hand with faultline's thrown one is shown for information, with what throwing costs.
 */
import { loadavg } from 'node:os';
import { bundleServer, SERVER_FLAGS } from './server/bundle.js';
import type { Comparison, LoadPlan, Measure } from './server/measure.js';
import { compare, measurePairs, median } from './server/measure.js';
import type { BenchReport } from './types.js';

const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS?.split(',') ?? [
  'node',
  'fetch',
  'express',
  'fastify',
  'hono',
]) as readonly string[];
const PLAN: LoadPlan = {
  seconds: Number(process.env.BENCH_SECONDS ?? 1.5),
  /** Long enough for every server's hot code to be optimised before the measured runs. */
  warmupSeconds: 2,
  connections: 50,
  /**
   * Each compared pair is measured this many times, its two servers loaded at the same moment
   * on one CPU (see `measurePairs`). A ratio kept is the median of the rounds' ratios.
   */
  rounds: Number(process.env.BENCH_ROUNDS ?? 8),
};
const ERROR_GOAL = 0.95;
const SUCCESS_GOAL = 0.98;

/**
 * The servers measured together, per framework. Within the error group, each compared pair is
 * loaded one after the other.
 */
const GROUPS = [
  {
    status: 404,
    variants: [
      'hand-error',
      'faultline-send',
      'faultline-error',
      'hand-error-throw',
      'hand-error-stack',
      'faultline-error-stack',
    ],
  },
  { status: 200, variants: ['plain-success', 'faultline-success'] },
] as const;

/** A row of the table: two variants of one group, and the goal of the pair if it has one. */
interface RowSpec {
  readonly path: string;
  readonly baseline: string;
  readonly ours: string;
  /** `undefined`: shown for information, not a goal (the two sides do different things). */
  readonly goal: number | undefined;
}

const ROWS: readonly RowSpec[] = [
  {
    path: 'error, answered directly',
    baseline: 'hand-error',
    ours: 'faultline-send',
    goal: ERROR_GOAL,
  },
  {
    path: 'error, thrown by hand',
    baseline: 'hand-error-throw',
    ours: 'faultline-error',
    goal: ERROR_GOAL,
  },
  {
    path: 'error, stack trace',
    baseline: 'hand-error-stack',
    ours: 'faultline-error-stack',
    goal: ERROR_GOAL,
  },
  { path: 'success', baseline: 'plain-success', ours: 'faultline-success', goal: SUCCESS_GOAL },
  { path: 'error', baseline: 'hand-error', ours: 'faultline-error', goal: undefined },
];

/** What throwing costs on each side: requests per second of the thrown ÷ the direct answer. */
const COSTS = [
  { name: 'throwing, by hand', direct: 'hand-error', thrown: 'hand-error-throw' },
  { name: 'throwing, faultline', direct: 'faultline-send', thrown: 'faultline-error' },
  { name: 'a stack trace, by hand', direct: 'hand-error-throw', thrown: 'hand-error-stack' },
] as const;

/** A row: `baseline` is the hand-written side, `ours` faultline's. */
interface Row extends Comparison {
  framework: string;
  path: string;
  baselineVariant: string;
  faultlineVariant: string;
  goal: number | undefined;
}

interface Cost {
  framework: string;
  name: string;
  /** The median over rounds of the thrown answer's requests per second ÷ the direct one's. */
  ratio: number;
  /** The same, by server CPU time per request (direct ÷ thrown). */
  cpuRatio: number | undefined;
}

export default async function run(): Promise<BenchReport> {
  const bundle = await bundleServer();
  const loadBefore = loadavg();
  const rows: Row[] = [];
  const costs: Cost[] = [];
  for (const framework of FRAMEWORKS) {
    /** Each compared pair's runs, measured side by side, by `baseline→ours`. */
    const runs = new Map<string, [Measure[], Measure[]]>();
    const key = (a: string, b: string) => `${a}→${b}`;
    for (const group of GROUPS) {
      const variants: readonly string[] = group.variants;
      const pairs = [
        ...ROWS.map((row) => [row.baseline, row.ours] as const),
        ...COSTS.map((cost) => [cost.direct, cost.thrown] as const),
      ].filter(([a, b]) => variants.includes(a) && variants.includes(b));
      const measured = await measurePairs(
        bundle,
        framework,
        variants,
        pairs.map(([a, b]) => [variants.indexOf(a), variants.indexOf(b)] as const),
        group.status,
        PLAN,
      );
      for (const [i, [a, b]] of pairs.entries()) runs.set(key(a, b), measured[i]!);
    }
    const pair = (a: string, b: string) => compare(...runs.get(key(a, b))!);
    for (const spec of ROWS) {
      const comparison = pair(spec.baseline, spec.ours);
      const row: Row = {
        framework,
        path: spec.path,
        ...comparison,
        baselineVariant: spec.baseline,
        faultlineVariant: spec.ours,
        goal: spec.goal,
      };
      rows.push(row);
      process.stdout.write(
        `  ${framework} ${row.path}: ${Math.round(row.baseline)} → ${Math.round(row.ours)} req/s (${row.ratio.toFixed(3)}x; rounds ${row.rounds.map((r) => r.toFixed(2)).join(' ')})` +
          (row.cpuRatio === undefined
            ? '\n'
            : `, CPU ${row.baselineCpuUs!.toFixed(1)} → ${row.oursCpuUs!.toFixed(1)} µs/request (${row.cpuRatio.toFixed(3)}x)\n`),
      );
    }
    for (const spec of COSTS) {
      const comparison = pair(spec.direct, spec.thrown);
      costs.push({
        framework,
        name: spec.name,
        ratio: comparison.ratio,
        cpuRatio: comparison.cpuRatio,
      });
    }
  }
  const loadAfter = loadavg();
  return report(rows, costs, loadBefore, loadAfter);
}

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined ? '–' : value.toFixed(digits);

/** What throwing costs by hand, from the ratio of thrown to direct requests per second. */
function throwCost(ratio: number): string {
  return ratio < 1
    ? `throwing itself costs ${Math.round((1 - ratio) * 100)}% of the requests per second by hand`
    : `throwing itself cost nothing measurable by hand in this run (${ratio.toFixed(3)}x)`;
}

/** The row's note: what it compares, in a few words, and what throwing costs by hand. */
function note(row: Row, costs: readonly Cost[]): string {
  const hand = costs.find(
    (entry) => entry.framework === row.framework && entry.name === 'throwing, by hand',
  );
  const cost = hand === undefined ? '' : `; ${throwCost(hand.ratio)}`;
  switch (row.path) {
    case 'error, answered directly':
      return 'both answer the error without throwing';
    case 'error, thrown by hand':
      return `both throw (no stack trace) to an error handler${cost}`;
    case 'error, stack trace':
      return 'both throw an error with a stack trace to an error handler';
    case 'success':
      return 'the same 200, faultline installed or not';
    default:
      return `not like for like: by hand answered directly, with faultline thrown${cost}`;
  }
}

function report(
  rows: readonly Row[],
  costs: readonly Cost[],
  loadBefore: number[],
  loadAfter: number[],
): BenchReport {
  const verdict = (row: Row): string =>
    row.goal === undefined
      ? 'information'
      : `≥ ${row.goal}x ${row.ratio >= row.goal ? 'met' : '**not met**'}`;
  const table = [
    '| adapter | path | by hand / framework alone (req/s) | with faultline (req/s) | ratio | goal | server CPU µs/request (hand → faultline) | CPU ratio | p99 ms (hand → faultline) | compares |',
    '|---|---|---:|---:|---:|---|---:|---:|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.framework} | ${row.path} | ${Math.round(row.baseline)} | ${Math.round(row.ours)} | ${row.ratio.toFixed(3)}x | ${verdict(row)} | ${fixed(row.baselineCpuUs, 1)} → ${fixed(row.oursCpuUs, 1)} | ${fixed(row.cpuRatio, 3)}x | ${row.baselineP99} → ${row.oursP99} | ${note(row, costs)} |`,
    ),
  ].join('\n');
  const frameworks = [...new Set(costs.map((cost) => cost.framework))];
  const names = [...new Set(costs.map((cost) => cost.name))];
  const costTable = [
    `| adapter | ${names.map((name) => `${name}: req/s ratio (CPU ratio)`).join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...frameworks.map((framework) => {
      const cells = names.map((name) => {
        const cost = costs.find((entry) => entry.framework === framework && entry.name === name);
        return cost === undefined ? '–' : `${cost.ratio.toFixed(3)}x (${fixed(cost.cpuRatio, 3)}x)`;
      });
      return `| ${framework} | ${cells.join(' | ')} |`;
    }),
  ].join('\n');
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
  const goals = rows.filter((row) => row.goal !== undefined);
  const missed = goals.filter((row) => row.ratio < row.goal!);
  const handThrow = costs.filter((cost) => cost.name === 'throwing, by hand').map((c) => c.ratio);
  return {
    title: 'Server adapters: error and success paths',
    command: 'npm run bench -- server',
    markdown:
      `autocannon, ${PLAN.connections} connections, ${PLAN.seconds} s per run after ${PLAN.warmupSeconds} s of warm-up, ` +
      `${PLAN.rounds} rounds. Each server runs in its own process on 127.0.0.1. The two servers ` +
      'of a compared pair are pinned to the same CPU (`taskset`; the load generator has the other) ' +
      'and loaded at the same moment, each by its own connections: the scheduler shares the CPU ' +
      'between them, so each answers as many requests as its cost per request allows, and ' +
      'whatever else the shared machine does in that window falls on both alike. A ratio is the ' +
      "median of the rounds' ratios. (Loaded one after the other, two identical servers differed " +
      'by up to 40% within a round on this machine; side by side, by at most 7%.) ' +
      "The server's CPU time per request (its threads' scheduler statistics, Linux) is measured " +
      'in the same runs. Servers are bundled with esbuild (no source maps, no kept ' +
      `names) and run as plain JavaScript, with \`${SERVER_FLAGS.join(' ')}\` (the young generation ` +
      'a busy server grows to, from the start). ' +
      `Load average (1, 5, 15 min) ${load(loadBefore)} before, ${load(loadAfter)} after.\n\n` +
      'Error path: `GET /orders/42` answered with a 404. The hand-written answer is the same ' +
      "error as faultline's, byte for byte: the same status, `content-type: application/problem+json` " +
      '(no charset added), the same problem+json body with the request id, `x-request-id` (echoed, ' +
      'else a fresh UUID) and `cache-control: no-store`, with no ETag, the headers in the same ' +
      'order; in Express that means `setHeader` and `res.end` (`res.json`/`res.set` rewrite the type ' +
      'and hash an ETag), in Fastify a buffer (a string gets `; charset=utf-8`), in Hono a ' +
      '`Response` of its own (`c.body` sorts the header names). The goals compare like with like:\n\n' +
      '- *error, answered directly*: the handler answers the 404 without throwing, by hand as ' +
      "above, with faultline through the adapter's direct answer by kind, which makes no error " +
      "object: `Reply.error('notFound')` returned from a node:http or Fetch route, Express " +
      "`errors.send(req, res, 'notFound')`, Fastify `reply.sendError('notFound')`, Hono " +
      "`errors.response(c, 'notFound')` (making an `Error`, even without a stack trace, cost Hono " +
      'and Fastify 9–11% of their requests per second).\n' +
      '- *error, thrown by hand*: the handler throws its error (made without a stack trace, as ' +
      "`faultline.error` makes its own): by hand to a hand-written error handler in the framework's " +
      'own way (try/catch, an error middleware, `setErrorHandler`, `onError`), with faultline to ' +
      "faultline's.\n" +
      '- *error, stack trace*: both throw an error with a stack trace, as most code does: by hand a ' +
      "`NotFoundError extends Error`, with faultline `catalog.create('not_found')`.\n" +
      '- *success*: the same route answering 200 JSON, with faultline installed as documented or ' +
      'not.\n' +
      '- *error* (information, no goal): a direct answer by hand against a thrown error with ' +
      'faultline, which measures mostly what throwing costs in the framework, not faultline.\n\n' +
      'The node:http and Fetch baselines route by hand with one regular expression.\n\n' +
      `${table}\n\n` +
      'What throwing costs, measured in the same error group: requests per second of a thrown ' +
      'error ÷ the same error answered directly (by hand, and with faultline), and of an error ' +
      'with a stack trace ÷ one without (by hand); CPU ratio: direct CPU per request ÷ thrown.\n\n' +
      `${costTable}\n\n` +
      (handThrow.length === 0
        ? ''
        : `By hand, a thrown error gets ${Math.min(...handThrow).toFixed(2)}–${Math.max(...handThrow).toFixed(2)}x ` +
          `(median ${median(handThrow).toFixed(2)}x) the requests per second of the same error answered ` +
          'directly: the gap between the *error* row and the like-for-like rows is mostly that.\n\n') +
      (missed.length === 0
        ? 'Every goal met.\n'
        : `Goals not met: ${missed.map((row) => `${row.framework} ${row.path} (${row.ratio.toFixed(3)}x, CPU ${fixed(row.cpuRatio, 3)}x)`).join(', ')}.\n`) +
      '\nHow far to trust a row: two identical servers measured side by side (an A/A with ' +
      '`bench/server/ab.ts`) differ by 1–7% in a round and by at most 3% in the median; the same ' +
      'pair measured in another run, with the other servers of its group around, has moved by up ' +
      'to 10% (the Fastify stack-trace row: 0.930x here, 1.045x in an A/B of that pair alone). ' +
      'Main-thread instructions per request (`bench/server/instructions.ts`, callgrind) do not ' +
      'move between runs, but they miss what allocation costs: a direct answer that made an ' +
      '`Error` counted the same instructions as the hand-written one and was 10% slower.\n',
    raw: {
      connections: PLAN.connections,
      durationSeconds: PLAN.seconds,
      warmupSeconds: PLAN.warmupSeconds,
      rounds: PLAN.rounds,
      loadAverage: { before: loadBefore, after: loadAfter },
      rows,
      costs,
    },
  };
}
