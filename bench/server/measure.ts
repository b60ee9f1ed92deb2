/**
 * How the server benchmarks load a group of benchmark servers (bench/server/app.ts) with
 * autocannon and read each one's throughput and CPU time per request: shared by the full
 * benchmark (bench/server.bench.ts) and the A/B runner (bench/server/ab.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, platform } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { SERVER_FLAGS } from './bundle.js';

/** One load run of one server. */
export interface Measure {
  requestsPerSecond: number;
  p99Ms: number;
  /** CPU time the server process spent per request, in µs (Linux only). */
  cpuUs: number | undefined;
}

/** How a group is loaded. */
export interface LoadPlan {
  /** Seconds of each measured run. */
  readonly seconds: number;
  /** Seconds of the one warm-up run of each server. */
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly rounds: number;
}

interface Server {
  url: string;
  child: ChildProcess;
}

/**
 * On Linux with `taskset` and at least two CPUs, each server runs on the last CPU and the load
 * generator (this process) on the others, so neither is moved between cores or made to share
 * one mid-run: on a two-core machine that halves the spread between two identical servers.
 * `BENCH_PIN=0` turns it off.
 */
const PIN: { server: string; load: string } | undefined = (() => {
  const cpus = availableParallelism();
  if (process.env.BENCH_PIN === '0' || platform() !== 'linux' || cpus < 2) return undefined;
  if (spawnSync('taskset', ['-p', String(process.pid)]).status !== 0) return undefined;
  return { server: String(cpus - 1), load: cpus === 2 ? '0' : `0-${cpus - 2}` };
})();

/** Pins this process (the load generator) to its CPUs, once. */
let pinned = false;
function pinLoad(): void {
  if (PIN === undefined || pinned) return;
  pinned = true;
  spawnSync('taskset', ['-a', '-p', '-c', PIN.load, String(process.pid)]);
}

async function startServer(bundle: string, framework: string, variant: string): Promise<Server> {
  pinLoad();
  const [command, args] =
    PIN === undefined
      ? [process.execPath, [...SERVER_FLAGS, bundle, framework, variant]]
      : [
          'taskset',
          ['-c', PIN.server, process.execPath, ...SERVER_FLAGS, bundle, framework, variant],
        ];
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    for await (const line of lines) {
      const { port } = JSON.parse(line) as { port: number };
      return { url: `http://127.0.0.1:${port}`, child };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`${framework}/${variant} did not start`);
}

async function stopServer(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  if (server.child.exitCode === null && server.child.signalCode === null) {
    await once(server.child, 'exit');
  }
}

/**
 * CPU time a process has used, in nanoseconds, from every thread's scheduler statistics
 * (Linux); `undefined` elsewhere. Unlike requests per second, it barely moves when other work
 * shares the machine: a busy machine delays the server, it does not make it do more.
 */
function cpuTimeNs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    }
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

async function load(
  server: Server,
  plan: LoadPlan,
  seconds: number,
  expectStatus: number,
): Promise<Measure> {
  const url = server.url;
  const cpuBefore = cpuTimeNs(server.child.pid);
  const result = await autocannon({
    url: `${url}/orders/42`,
    connections: plan.connections,
    duration: seconds,
    headers: { 'x-request-id': 'bench-request' },
  });
  const wrong = expectStatus === 200 ? result.non2xx : result.requests.total - result.non2xx;
  if (result.errors > 0 || wrong > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${wrong} responses not ${expectStatus}`);
  }
  const cpuAfter = cpuTimeNs(server.child.pid);
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    cpuUs:
      cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
        ? undefined
        : (cpuAfter - cpuBefore) / result.requests.total / 1000,
  };
}

/**
 * Measures a group of variants of one framework: every server is started and warmed once, then
 * each round loads them one after the other, in reverse order every other round (A B C, C B A,
 * …), so that no server always runs first or while the machine is busier, and drift falls on
 * both sides of any two. Returns each server's runs, round by round, in the order of
 * `variants` (a variant may be listed twice, for an A/A).
 */
export async function measureGroup(
  bundle: string,
  framework: string,
  variants: readonly string[],
  status: number,
  plan: LoadPlan,
): Promise<Measure[][]> {
  return withServers(bundle, framework, variants, status, plan, async (servers) => {
    const runs: Measure[][] = variants.map(() => []);
    for (let round = 0; round < plan.rounds; round++) {
      const order = variants.map((_, i) => (round % 2 === 0 ? i : variants.length - 1 - i));
      for (const i of order) runs[i]!.push(await load(servers[i]!, plan, plan.seconds, status));
    }
    return runs;
  });
}

/** Starts a server per variant, warms each once, runs `measure` and stops them all. */
async function withServers<T>(
  bundle: string,
  framework: string,
  variants: readonly string[],
  status: number,
  plan: LoadPlan,
  measure: (servers: readonly Server[]) => Promise<T>,
): Promise<T> {
  const servers: Server[] = [];
  try {
    for (const variant of variants) servers.push(await startServer(bundle, framework, variant));
    for (const server of servers) await load(server, plan, plan.warmupSeconds, status);
    return await measure(servers);
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1
    ? sorted[Math.floor(middle)]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median of the defined values, or `undefined` when any is missing. */
export function medianOf(values: readonly (number | undefined)[]): number | undefined {
  return values.every((value) => value !== undefined) ? median(values as number[]) : undefined;
}

/** How `ours` compares with `baseline` over the rounds of one group. */
export interface Comparison {
  baseline: number;
  ours: number;
  /** The median over rounds of ours' requests per second ÷ the baseline's in the same round. */
  ratio: number;
  /** Every round's ratio, in order. */
  rounds: number[];
  baselineP99: number;
  oursP99: number;
  /** Server CPU µs per request, medians (Linux only). */
  baselineCpuUs: number | undefined;
  oursCpuUs: number | undefined;
  /** Baseline CPU per request ÷ ours: the throughput ratio of a server with a core of its own. */
  cpuRatio: number | undefined;
}

export function compare(base: readonly Measure[], mine: readonly Measure[]): Comparison {
  const rounds = mine.map((m, i) => m.requestsPerSecond / base[i]!.requestsPerSecond);
  const baselineCpuUs = medianOf(base.map((m) => m.cpuUs));
  const oursCpuUs = medianOf(mine.map((m) => m.cpuUs));
  return {
    baseline: median(base.map((m) => m.requestsPerSecond)),
    ours: median(mine.map((m) => m.requestsPerSecond)),
    ratio: median(rounds),
    rounds,
    baselineP99: median(base.map((m) => m.p99Ms)),
    oursP99: median(mine.map((m) => m.p99Ms)),
    baselineCpuUs,
    oursCpuUs,
    cpuRatio:
      baselineCpuUs === undefined || oursCpuUs === undefined
        ? undefined
        : baselineCpuUs / oursCpuUs,
  };
}

/**
 * Measures pairs of variants of one framework side by side: both servers of a pair run on the
 * same CPU and are loaded at the same moment, each by its own connections, so the scheduler
 * shares that CPU between them and each answers as many requests as its cost per request allows.
 * Whatever else the machine does in that window (a shared host slows whole seconds at a time)
 * falls on both alike, which loading them one after the other cannot promise: there, two
 * identical servers differed by up to 40% in a round. Every server is started and warmed once;
 * each round loads each pair once.
 *
 * `pairs` index `variants` (a variant may be listed twice, for an A/A). Returns, per pair, the
 * runs of its first and of its second server, round by round.
 */
export async function measurePairs(
  bundle: string,
  framework: string,
  variants: readonly string[],
  pairs: readonly (readonly [number, number])[],
  status: number,
  plan: LoadPlan,
): Promise<[Measure[], Measure[]][]> {
  return withServers(bundle, framework, variants, status, plan, async (servers) => {
    const runs: [Measure[], Measure[]][] = pairs.map(() => [[], []]);
    for (let round = 0; round < plan.rounds; round++) {
      for (const [i, [a, b]] of pairs.entries()) {
        const [ma, mb] = await Promise.all([
          load(servers[a]!, plan, plan.seconds, status),
          load(servers[b]!, plan, plan.seconds, status),
        ]);
        runs[i]![0].push(ma);
        runs[i]![1].push(mb);
      }
    }
    return runs;
  });
}
