/** Runs one scenario for one client against a fault server and measures the outcome. */
import { type FaultServer, startFaultServer } from '../../src/testing/index.js';
import type { Adapter } from './adapters.js';
import type { Scenario } from './scenarios.js';

/** The figures of one client in one scenario. */
export interface Row {
  client: string;
  scenario: string;
  /** Logical requests made. */
  logical: number;
  /** Share of the recoverable requests that succeeded, in %. */
  success: number;
  /** Executions beyond the first of an operation (side effects done twice). */
  duplicates: number;
  /** Requests the server received per logical request (in the scenario's window, if any). */
  perLogical: number;
  /** 429 answers received. */
  r429: number;
  /** Retries that did not turn into the success of their request. */
  wasted: number;
  /** Retries of requests whose first error no retry can fix. */
  hopelessRetries: number;
  p50: number;
  p99: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Starts one fault server per scenario; clients take turns on it. */
export async function serverFor(scenario: Scenario): Promise<FaultServer> {
  return startFaultServer(scenario.server ?? {});
}

export async function runOne(
  scenario: Scenario,
  adapter: Adapter,
  server: FaultServer,
): Promise<Row> {
  server.reset();
  const call = adapter.make({
    baseUrl: server.url,
    timeout: scenario.timeout,
    catalog: scenario.catalog,
  });
  const op = (i: number) => `${scenario.id}/${adapter.name}/${i}`;
  const results: { i: number; ok: boolean; ms: number; start: number }[] = [];
  const origin = performance.now();
  const one = async (i: number) => {
    const start = performance.now();
    const ok = await call({
      method: scenario.method,
      path: `/items/${i}`,
      headers: {
        'x-op': op(i),
        'x-fault': scenario.plan(i),
        ...(scenario.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(scenario.method === 'POST' ? { body: JSON.stringify({ i }) } : {}),
    });
    results.push({ i, ok, ms: performance.now() - start, start: start - origin });
  };

  const load = scenario.load;
  if (load.kind === 'closed') {
    let next = 0;
    await Promise.all(
      Array.from({ length: load.concurrency }, async () => {
        while (next < load.requests) await one(next++);
      }),
    );
  } else {
    const pending: Promise<void>[] = [];
    const interval = 1000 / load.perSecond;
    for (let i = 0; i * interval < load.duration; i++) {
      const wait = origin + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(one(i));
    }
    await Promise.all(pending);
  }

  const stats = server.stats();
  const attempts = (i: number) => stats.attempts[op(i)] ?? 0;
  const recoverable = results.filter((r) => scenario.recoverable(r.i));
  let retries = 0;
  let useful = 0;
  let hopeless = 0;
  for (const r of results) {
    const extra = Math.max(0, attempts(r.i) - 1);
    retries += extra;
    if (r.ok && extra > 0) useful++;
    if (scenario.hopeless(r.i)) hopeless += extra;
  }
  const inWindow = scenario.window
    ? results.filter((r) => r.start >= scenario.window![0] && r.start < scenario.window![1])
    : results;
  const sent = inWindow.reduce((sum, r) => sum + attempts(r.i), 0);
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    client: adapter.name,
    scenario: scenario.id,
    logical: results.length,
    success: (100 * recoverable.filter((r) => r.ok).length) / Math.max(1, recoverable.length),
    duplicates: stats.duplicates,
    perLogical: sent / Math.max(1, inWindow.length),
    r429: stats.answers[429] ?? 0,
    wasted: retries - useful,
    hopelessRetries: hopeless,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** µs per call of each variant: wall-clock time, and CPU time of the process (both sides). */
export interface Overhead {
  wall: Record<string, number>;
  cpu: Record<string, number>;
}

/**
 * The variants the overhead is measured for: bare `fetch`, `fetch` with a per-request timeout
 * made two ways, and the client with and without its per-attempt timeout.
 */
export function overheadVariants(
  createClient: typeof import('../../src/client/index.js').createClient,
): Record<string, (url: string) => Promise<Response>> {
  const plain = createClient();
  const untimed = createClient({ timeout: false });
  return {
    fetch: (url) => fetch(url),
    'fetch with a timeout signal': (url) => fetch(url, { signal: AbortSignal.timeout(10_000) }),
    // The cheapest per-request timeout by hand: what the client does for each attempt.
    'fetch with a controller and a timer': (url) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      return fetch(url, { signal: controller.signal }).finally(() => clearTimeout(timer));
    },
    faultline: (url) => plain(url),
    'faultline, timeout: false': (url) => untimed(url),
  };
}

/**
 * Per-call time of plain successful requests, by variant (µs, median of interleaved rounds).
 * CPU time counts the server too (it runs in this process), the same for every variant, so
 * differences between variants are the clients' own; wall time adds the event-loop turns.
 */
export async function overhead(
  variants: Record<string, (url: string) => Promise<Response>>,
  rounds = 12,
): Promise<Overhead> {
  const server = await startFaultServer();
  try {
    const url = `${server.url}/plain`;
    const names = Object.keys(variants);
    const time = async (get: (url: string) => Promise<Response>, calls: number) => {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < calls; i++) await (await get(url)).text();
      const wall = ((performance.now() - start) / calls) * 1000;
      const used = process.cpuUsage(cpu);
      return { wall, cpu: (used.user + used.system) / calls };
    };
    for (const name of names) await time(variants[name]!, 300);
    const wall = Object.fromEntries(names.map((name) => [name, [] as number[]]));
    const cpu = Object.fromEntries(names.map((name) => [name, [] as number[]]));
    // Rounds rotate the order of the variants, so that drift in the machine hits all alike.
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length]!;
        const sample = await time(variants[name]!, 300);
        wall[name]!.push(sample.wall);
        cpu[name]!.push(sample.cpu);
      }
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1]!;
    const medians = (samples: Record<string, number[]>) =>
      Object.fromEntries(names.map((name) => [name, median(samples[name]!)]));
    return { wall: medians(wall), cpu: medians(cpu) };
  } finally {
    await server.close();
  }
}

/** A few hundred plain and failing requests per client, unmeasured. */
export async function warmUp(adapters: readonly Adapter[]): Promise<void> {
  const server = await startFaultServer();
  try {
    for (const adapter of adapters) {
      const call = adapter.make({ baseUrl: server.url, timeout: 2000 });
      for (let i = 0; i < 200; i++) {
        await call({
          method: i % 2 ? 'GET' : 'POST',
          path: `/warm/${i}`,
          headers: {
            'x-fault': i % 10 === 0 ? 'before:400' : 'ok',
            'content-type': 'application/json',
          },
          ...(i % 2 ? {} : { body: '{}' }),
        });
      }
    }
  } finally {
    await server.close();
  }
}
