/**
 * Error-path and success-path throughput of each server adapter with autocannon, against the
 * same framework answering by hand. Each server runs in a child process (bench/server/app.ts)
 * on 127.0.0.1; the load generator runs here.
 *
 * Goals: the faultline error path at least 0.95x the hand-written one in every framework, and
 * the success path with faultline installed at least 0.98x the framework alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import type { BenchReport } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The server is bundled to plain JavaScript first: measured as it would run in production. */
const bundle = join(here, '..', 'node_modules', '.cache', 'faultline-bench', 'server-app.mjs');
const FRAMEWORKS = ['node', 'fetch', 'express', 'fastify', 'hono'] as const;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 2);
const WARMUP_S = 1;
const CONNECTIONS = 50;
/**
 * Each pair is measured this many times, its two servers running side by side and loaded in
 * turn (A B, then B A, …), and the median kept: drift of a shared machine falls on both sides.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ERROR_GOAL = 0.95;
const SUCCESS_GOAL = 0.98;

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(framework: string, variant: string): Promise<Server> {
  const child = spawn(process.execPath, [bundle, framework, variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  for await (const line of lines) {
    clearTimeout(timer);
    const { port } = JSON.parse(line) as { port: number };
    return { url: `http://127.0.0.1:${port}`, child };
  }
  throw new Error(`${framework}/${variant} did not start`);
}

async function stopServer(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  if (server.child.exitCode === null) await once(server.child, 'exit');
}

interface Measure {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, seconds: number, expectStatus: number): Promise<Measure> {
  const result = await autocannon({
    url: `${url}/orders/42`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'x-request-id': 'bench-request' },
  });
  const wrong = expectStatus === 200 ? result.non2xx : result.requests.total - result.non2xx;
  if (result.errors > 0 || wrong > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${wrong} responses not ${expectStatus}`);
  }
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * Measures a pair: both servers are started and warmed once, then loaded in alternating order
 * (A B, B A, …) so that neither side always runs first or while the machine is busier.
 */
async function measurePair(
  framework: string,
  baseline: string,
  ours: string,
  status: number,
): Promise<{ base: Measure[]; mine: Measure[] }> {
  const a = await startServer(framework, baseline);
  try {
    const b = await startServer(framework, ours);
    try {
      await load(a.url, WARMUP_S, status);
      await load(b.url, WARMUP_S, status);
      const base: Measure[] = [];
      const mine: Measure[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          base.push(await load(a.url, DURATION_S, status));
          mine.push(await load(b.url, DURATION_S, status));
        } else {
          mine.push(await load(b.url, DURATION_S, status));
          base.push(await load(a.url, DURATION_S, status));
        }
      }
      return { base, mine };
    } finally {
      await stopServer(b);
    }
  } finally {
    await stopServer(a);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Row {
  framework: string;
  path: string;
  baseline: number;
  faultline: number;
  ratio: number;
  baselineP99: number;
  faultlineP99: number;
  goal: number;
}

export default async function run(): Promise<BenchReport> {
  mkdirSync(dirname(bundle), { recursive: true });
  await build({
    entryPoints: [join(here, 'server', 'app.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const loadBefore = loadavg();
  const rows: Row[] = [];
  for (const framework of FRAMEWORKS) {
    for (const [path, baseline, ours, status, goal] of [
      ['error', 'hand-error', 'faultline-error', 404, ERROR_GOAL],
      ['error, stack trace', 'hand-error', 'faultline-error-stack', 404, ERROR_GOAL],
      ['success', 'plain-success', 'faultline-success', 200, SUCCESS_GOAL],
    ] as const) {
      const { base, mine } = await measurePair(framework, baseline, ours, status);
      const baseRps = median(base.map((m) => m.requestsPerSecond));
      const mineRps = median(mine.map((m) => m.requestsPerSecond));
      const row: Row = {
        framework,
        path,
        baseline: baseRps,
        faultline: mineRps,
        ratio: mineRps / baseRps,
        baselineP99: median(base.map((m) => m.p99Ms)),
        faultlineP99: median(mine.map((m) => m.p99Ms)),
        goal,
      };
      rows.push(row);
      process.stdout.write(
        `  ${framework} ${path}: ${Math.round(baseRps)} → ${Math.round(mineRps)} req/s (${row.ratio.toFixed(3)}x)\n`,
      );
    }
  }
  const table = [
    '| adapter | path | by hand / framework alone (req/s) | with faultline (req/s) | ratio | goal | p99 ms (hand → faultline) |',
    '|---|---|---:|---:|---:|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.framework} | ${row.path} | ${Math.round(row.baseline)} | ${Math.round(row.faultline)} | ${row.ratio.toFixed(3)}x | ≥ ${row.goal}x ${row.ratio >= row.goal ? 'met' : '**not met**'} | ${row.baselineP99} → ${row.faultlineP99} |`,
    ),
  ].join('\n');
  const loadAfter = loadavg();
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
  const missed = rows.filter((row) => row.ratio < row.goal);
  return {
    title: 'Server adapters: error and success paths',
    command: 'npm run bench -- server',
    markdown:
      `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run after ${WARMUP_S} s of warm-up, ` +
      `median of ${ROUNDS} runs per side; both servers of a pair run side by side, each in its own ` +
      'process on 127.0.0.1, and are loaded in turn (A B, B A, …) so drift falls on both. ' +
      'Servers are bundled with esbuild (no source maps, no kept names) and run as plain JavaScript. ' +
      `Load average (1, 5, 15 min) ${load(loadBefore)} before, ${load(loadAfter)} after.\n\n` +
      'Error path: `GET /orders/42` answered with a 404. The hand-written answer is the same ' +
      "error as faultline's: the same status, `content-type: application/problem+json` (no charset " +
      'added), the same problem+json body with the request id, `x-request-id` (echoed, else a fresh ' +
      'UUID) and `cache-control: no-store`, with no ETag; in Express that means `setHeader` and ' +
      '`res.end` (`res.json`/`res.set` rewrite the type and hash an ETag), in Fastify a buffer ' +
      "(a string gets `; charset=utf-8`). faultline's side throws `faultline.error('notFound')` " +
      "(no stack trace) on the *error* rows and `catalog.create('not_found')` (a stack trace is " +
      'captured, as for any `Error`) on the *error, stack trace* rows. Success path: the same route ' +
      'answering 200 JSON, with faultline installed or not. The node:http and Fetch baselines route ' +
      'by hand with one regular expression.\n\n' +
      `${table}\n\n` +
      (missed.length === 0
        ? 'Every goal met.\n'
        : `Goals not met: ${missed.map((row) => `${row.framework} ${row.path} (${row.ratio.toFixed(3)}x)`).join(', ')}. ` +
          'With two cores shared by the load generator and the server, runs vary by a few percent.\n'),
    raw: {
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      rounds: ROUNDS,
      loadAverage: { before: loadBefore, after: loadAfter },
      rows,
    },
  };
}
