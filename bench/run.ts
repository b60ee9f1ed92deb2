/**
 * Runs every `bench/*.bench.ts` (or the ones named on the command line) and writes
 * BENCHMARKS.md from their reports, with the machine, Node version and date.
 *
 * Usage: `npm run bench` or `npm run bench -- wire client`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHARTS, writeCharts } from './charts.js';
import type { BenchModule, BenchReport } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });

const wanted = process.argv.slice(2);
const ids = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();
const selected = wanted.length > 0 ? ids.filter((id) => wanted.includes(id)) : ids;

for (const id of selected) {
  process.stdout.write(`bench: ${id} …\n`);
  const module = (await import(pathToFileURL(join(here, `${id}.bench.ts`)).href)) as BenchModule;
  const report = await module.default();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  writeFileSync(
    join(resultsDir, `${id}.json`),
    `${JSON.stringify({ machine, ...report }, null, 2)}\n`,
  );
  process.stdout.write(`${report.markdown}\n`);
}

// BENCHMARKS.md is rebuilt from every stored result, so running one benchmark keeps the others.
const chartsDir = join(here, 'charts');
mkdirSync(chartsDir, { recursive: true });
for (const file of writeCharts(resultsDir, chartsDir))
  process.stdout.write(`bench: drew ${file}\n`);
const sections: string[] = [];
for (const file of readdirSync(resultsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as BenchReport & {
    machine: Record<string, string | number>;
  };
  const m = result.machine;
  const chart = CHARTS[file.slice(0, -'.json'.length)];
  const image =
    chart !== undefined && existsSync(join(chartsDir, chart)) && !result.markdown.includes(chart)
      ? `\n![${result.title}](bench/charts/${chart})\n`
      : '';
  sections.push(
    `## ${result.title}\n\n` +
      `Command: \`${result.command}\` · ${m.date} · Node ${m.node} · ${m.platform} · ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB)\n\n` +
      `${result.markdown.trim()}\n${image}`,
  );
}
writeFileSync(
  join(root, 'BENCHMARKS.md'),
  `# Benchmarks\n\nWritten by \`npm run bench\` from the raw results in \`bench/results/\`. ` +
    'Figures come from one machine and run; compare rows within a table, not across machines.\n\n' +
    `${sections.join('\n')}`,
);
process.stdout.write('bench: wrote BENCHMARKS.md\n');
