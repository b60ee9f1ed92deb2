/**
 * Instructions per request of the benchmark servers (bench/server/app.ts), counted by
 * valgrind's callgrind: a measure a busy machine cannot move, for when requests per second
 * vary too much from run to run to compare two servers a few percent apart.
 *
 * Usage: `npx tsx bench/server/instructions.ts [framework…] [--path=name…] [--pair=a,b…]`
 * (needs `valgrind`, e.g. `apt-get install valgrind`; about two minutes per server). `--path`
 * keeps the named rows only (`--path=success`, `--path=direct`); `--pair` counts two variants of
 * bench/server/app.ts of one's own choosing instead. Each server is warmed up
 * uninstrumented, then the main thread's user-space instructions are counted over a fixed number
 * of requests. Background threads (the optimising compiler) are left out, and the garbage
 * collector runs on the main thread (`--single-threaded-gc`) so that its work is counted. Kernel
 * time (the sockets) is not counted: it is the same on both sides, as the bytes are.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { bundleServer, SERVER_FLAGS } from './bundle.js';

const FRAMEWORKS = ['node', 'fetch', 'express', 'fastify', 'hono'];
/** Requests before counting: enough for the hot code to be optimised under valgrind. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 15_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
/** Rows: a short name for `--path`, the row's name, the baseline and faultline's variant. */
const PAIRS = [
  ['direct', 'error, answered directly', 'hand-error', 'faultline-send'],
  ['thrown', 'error, thrown by hand', 'hand-error-throw', 'faultline-error'],
  ['stack', 'error, stack trace', 'hand-error-stack', 'faultline-error-stack'],
  ['error', 'error (hand direct, faultline thrown)', 'hand-error', 'faultline-error'],
  ['success', 'success', 'plain-success', 'faultline-success'],
] as const;

/** Main-thread instructions per request of one server variant. */
async function count(
  bundle: string,
  framework: string,
  variant: string,
  dir: string,
): Promise<number> {
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, `${framework}-${variant}.%p`)}`,
      process.execPath,
      ...SERVER_FLAGS,
      '--single-threaded-gc',
      bundle,
      framework,
      variant,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  try {
    let port: number | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      port = (JSON.parse(line) as { port: number }).port;
      break;
    }
    if (port === undefined) throw new Error(`${framework}/${variant} did not start`);
    const options = {
      url: `http://127.0.0.1:${port}/orders/42`,
      connections: 10,
      headers: { 'x-request-id': 'bench-request' },
    };
    await autocannon({ ...options, amount: WARMUP });
    const control = (...args: string[]): void => {
      execFileSync('callgrind_control', [...args, String(child.pid)], { stdio: 'ignore' });
    };
    control('--zero');
    control('--instr=on');
    const result = await autocannon({ ...options, amount: REQUESTS });
    control('--instr=off');
    control('--dump');
    // One file per thread; thread 1 is the main thread.
    const main = readdirSync(dir).find(
      (file) => file.startsWith(`${framework}-${variant}.${child.pid}`) && file.endsWith('-01'),
    );
    const totals = main && /^totals: (\d+)/m.exec(readFileSync(join(dir, main), 'utf8'));
    if (!totals) throw new Error(`${framework}/${variant}: no callgrind output`);
    return Number(totals[1]) / result.requests.total;
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('valgrind is not installed (apt-get install valgrind)\n');
  process.exit(1);
}
const bundle = await bundleServer();
const args = process.argv.slice(2);
const wanted = args.filter((arg) => !arg.startsWith('--'));
const paths = args.filter((arg) => arg.startsWith('--path=')).map((arg) => arg.slice(7));
const pairs = args
  .filter((arg) => arg.startsWith('--pair='))
  .map((arg) => {
    const [baseline = '', ours = ''] = arg.slice(7).split(',');
    return ['', `${baseline} → ${ours}`, baseline, ours] as const;
  });
const dir = mkdtempSync(join(tmpdir(), 'faultline-callgrind-'));
try {
  process.stdout.write(
    `Main-thread instructions per request (k), ${REQUESTS} requests after ${WARMUP}:\n\n` +
      '| adapter | path | by hand / framework alone | with faultline | ratio |\n|---|---|---:|---:|---:|\n',
  );
  for (const framework of wanted.length > 0 ? wanted : FRAMEWORKS) {
    const counted = new Map<string, number>();
    const of = async (variant: string): Promise<number> => {
      let value = counted.get(variant);
      if (value === undefined) {
        value = await count(bundle, framework, variant, dir);
        counted.set(variant, value);
      }
      return value;
    };
    for (const [short, path, baseline, ours] of pairs.length > 0 ? pairs : PAIRS) {
      if (paths.length > 0 && !paths.includes(short)) continue;
      const base = await of(baseline);
      const mine = await of(ours);
      process.stdout.write(
        `| ${framework} | ${path} | ${(base / 1000).toFixed(1)} | ${(mine / 1000).toFixed(1)} | ${(base / mine).toFixed(3)}x |\n`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
