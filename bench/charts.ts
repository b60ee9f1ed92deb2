/**
 * The charts drawn from stored results rather than by a benchmark itself: server error-path
 * throughput (bench/results/server.json) and Redis limiter throughput (stores.json). Each is
 * skipped while its results are missing or older than the shape read here.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChart } from './chart.js';

interface ServerRow {
  framework: string;
  path: string;
  ratio: number;
}

interface LimiterRaw {
  ours?: { perSecond?: number };
  rlf?: { perSecond?: number };
  physical?: number;
}

function read(file: string): { raw?: unknown } | undefined {
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { raw?: unknown })
    : undefined;
}

function serverChart(raw: unknown): string | undefined {
  const rows = (raw as { rows?: ServerRow[] } | undefined)?.rows;
  if (!Array.isArray(rows) || rows.length === 0) return undefined;
  const frameworks = [...new Set(rows.map((row) => row.framework))];
  const paths = [...new Set(rows.map((row) => row.path))];
  const ratio = (framework: string, path: string) =>
    rows.find((row) => row.framework === framework && row.path === path)?.ratio ?? 0;
  return barChart(frameworks, paths, [
    {
      title:
        'faultline ÷ the same answer written by hand, requests per second (goal: error ≥ 0.95, success ≥ 0.98)',
      max: 1.5,
      unit: 'x',
      values: frameworks.map((framework) => paths.map((path) => ratio(framework, path))),
    },
  ]);
}

function limiterChart(raw: unknown): string | undefined {
  const limiter = (raw as { limiter?: LimiterRaw } | undefined)?.limiter;
  const ours = limiter?.ours?.perSecond;
  const rlf = limiter?.rlf?.perSecond;
  const physical = limiter?.physical;
  if (ours === undefined || rlf === undefined || physical === undefined) return undefined;
  const max = Math.ceil(Math.max(ours, rlf, physical) / 10_000) * 10_000;
  return barChart(
    ['faultline', 'rate-limiter-flexible', 'redis-benchmark EVALSHA (the physical limit)'],
    ['decisions per second'],
    [
      {
        title:
          'Redis limiter decisions per second, one key per decision, same Redis and concurrency',
        max,
        unit: '',
        values: [[ours], [rlf], [physical]],
      },
    ],
  );
}

/** Chart file (under bench/charts) per benchmark id, for BENCHMARKS.md and README. */
export const CHARTS: Readonly<Record<string, string>> = {
  client: 'client.svg',
  server: 'server.svg',
  stores: 'limiter.svg',
};

/** Writes the charts drawn from stored results; returns the files written. */
export function writeCharts(resultsDir: string, chartsDir: string): string[] {
  const written: string[] = [];
  const draw = (id: string, render: (raw: unknown) => string | undefined) => {
    const svg = render(read(join(resultsDir, `${id}.json`))?.raw);
    const file = CHARTS[id];
    if (svg === undefined || file === undefined) return;
    writeFileSync(join(chartsDir, file), svg);
    written.push(file);
  };
  draw('server', serverChart);
  draw('stores', limiterChart);
  return written;
}
