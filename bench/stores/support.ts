/** Helpers of the store benchmark: a private redis-server, round-trip counters, timing. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { PgQueryable } from '../../src/postgres/sql.js';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of the benchmark's own, so no other traffic skews the figures. */
export async function startRedis(): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  probe.disconnect();
  return {
    port,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Counts the commands an ioredis client sends (each one a round trip unless pipelined). */
export function countCommands(client: Redis): { readonly count: number; reset(): void } {
  let count = 0;
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: unknown, ...rest: unknown[]) => {
    count++;
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.sendCommand;
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/** The server's own count of client-issued script calls (EVALSHA + EVAL), from INFO. */
export async function scriptCalls(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  let calls = 0;
  for (const name of ['evalsha', 'eval']) {
    const match = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info);
    if (match) calls += Number(match[1]);
  }
  return calls;
}

/** A pg queryable that counts its queries. */
export function countQueries(
  db: PgQueryable,
): PgQueryable & { readonly queries: number; reset(): void } {
  let queries = 0;
  return {
    query(text: string, values?: readonly unknown[]) {
      queries++;
      return db.query(text, values);
    },
    get queries() {
      return queries;
    },
    reset() {
      queries = 0;
    },
  };
}

/** Runs `work` from `concurrency` loops for `ms`; resolves with the operations per second. */
export async function throughput(
  concurrency: number,
  ms: number,
  work: (loop: number, i: number) => Promise<unknown>,
): Promise<{ ops: number; perSecond: number }> {
  let ops = 0;
  const started = performance.now();
  const stopAt = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = 0; performance.now() < stopAt; i++) {
        await work(loop, i);
        ops++;
      }
    }),
  );
  return { ops, perSecond: ops / ((performance.now() - started) / 1000) };
}

/** Latencies of `count` sequential runs of `work`, in microseconds. */
export async function latencies(
  count: number,
  work: (i: number) => Promise<unknown>,
): Promise<{ mean: number; p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await work(i);
    samples.push((performance.now() - started) * 1000);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return {
    mean,
    p50: samples[Math.floor(samples.length * 0.5)]!,
    p99: samples[Math.floor(samples.length * 0.99)]!,
  };
}

/**
 * `redis-benchmark` requests per second for one command line, or undefined if it is missing.
 * `pipeline` commands go out together on each of the `concurrency` connections.
 */
export async function redisBenchmark(
  port: number,
  concurrency: number,
  requests: number,
  command: readonly string[],
  pipeline = 1,
): Promise<number | undefined> {
  try {
    const { stdout } = await run(
      'redis-benchmark',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-c',
        String(concurrency),
        '-P',
        String(pipeline),
        '-n',
        String(requests),
        '-r',
        '10000',
        '-q',
        ...command,
      ],
      { timeout: 120_000 },
    );
    const match = /([\d.]+) requests per second/.exec(stdout);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
