/**
 * The client under faults: the same fault scenarios, served by `faultline/testing` on
 * 127.0.0.1, for faultline and for ky, got, p-retry, axios with axios-retry and cockatiel,
 * each set up as its README recommends with the same attempt budget. Writes the chart to
 * `bench/charts/client.svg`.
 *
 * Run it alone with `npm run bench -- client`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart } from './chart.js';
import { ATTEMPTS, adapters } from './client/adapters.js';
import { loadClient } from './client/load.js';
import { overhead, overheadVariants, type Row, runOne, serverFor, warmUp } from './client/run.js';
import { SCENARIOS } from './client/scenarios.js';
import type { BenchReport } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHART = 'bench/charts/client.svg';

const fmt = (value: number, digits = 0) => value.toFixed(digits);
const mark = (ok: boolean) => (ok ? 'met' : '**not met**');

export default async function run(): Promise<BenchReport> {
  const { createClient } = await loadClient(join(here, '../src/client/index.ts'));
  const ADAPTERS = adapters(createClient);
  // Every client (and the server's code paths) warms up first, so that none pays for the
  // compiler's first runs in a measured scenario.
  await warmUp(ADAPTERS);
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const server = await serverFor(scenario);
    try {
      for (const adapter of ADAPTERS) {
        const row = await runOne(scenario, adapter, server);
        rows.push(row);
        process.stdout.write(
          `  ${scenario.id} · ${adapter.name}: ${fmt(row.success, 1)}% ok, p99 ${fmt(row.p99)} ms\n`,
        );
      }
    } finally {
      await server.close();
    }
  }
  const { wall: cost, cpu } = await overhead(overheadVariants(createClient));
  const ratio = (name: string) => cost[name]! / cost.fetch!;

  const get = (scenario: string, client: string) =>
    rows.find((r) => r.scenario === scenario && r.client === client)!;
  const peers = ADAPTERS.slice(1).map((a) => a.name);
  const goals: string[] = [];
  const ours = SCENARIOS.map((s) => get(s.id, 'faultline'));
  const recoverable = SCENARIOS.filter((s) => s.id !== 'outage');
  const notFull = recoverable.filter((s) => get(s.id, 'faultline').success < 100);
  goals.push(
    `- 100% success wherever the scenario is recoverable (all but the outage): ${mark(notFull.length === 0)}` +
      (notFull.length ? ` (below in ${notFull.map((s) => s.id).join(', ')})` : ''),
  );
  const dup = ours.reduce((sum, r) => sum + r.duplicates, 0);
  goals.push(`- 0 duplicate executions: ${mark(dup === 0)} (${dup})`);
  const hopeless = ours.reduce((sum, r) => sum + r.hopelessRetries, 0);
  goals.push(`- 0 retries of non-retryable errors: ${mark(hopeless === 0)} (${hopeless})`);
  const outage = get('outage', 'faultline');
  goals.push(
    `- During the outage, at most 1.1 requests sent per logical request: ${mark(outage.perLogical <= 1.1)} (${fmt(outage.perLogical, 2)}; peers ${peers.map((p) => fmt(get('outage', p).perLogical, 2)).join(', ')})`,
  );
  const limited = get('rate-limit', 'faultline');
  const best429 = Math.min(...peers.map((p) => get('rate-limit', p).r429));
  goals.push(
    `- 429s received at most 10% of the best peer's: ${mark(limited.r429 <= 0.1 * best429)} (${limited.r429} against ${best429})`,
  );
  const slower: string[] = [];
  for (const scenario of SCENARIOS) {
    const mine = get(scenario.id, 'faultline');
    // A peer that gives up more often is not a latency competitor: failing fast is not a win.
    const rivals = peers.map((p) => get(scenario.id, p)).filter((r) => r.success >= mine.success);
    const best = Math.min(...rivals.map((r) => r.p99));
    if (rivals.length > 0 && mine.p99 > best) {
      slower.push(`${scenario.id} (${fmt(mine.p99)} ms against ${fmt(best)} ms)`);
    }
  }
  goals.push(
    `- p99 latency no worse than the best peer with at least the same success, in every scenario: ${mark(slower.length === 0)}` +
      (slower.length ? ` — slower in ${slower.join(', ')}` : ''),
  );
  const list = (figures: Record<string, number>) =>
    Object.entries(figures)
      .map(([name, us]) => `${name} ${fmt(us)}`)
      .join(', ');
  goals.push(
    `- Per-call overhead on a plain successful request within 5% of bare \`fetch\`: ${mark(ratio('faultline') <= 1.05)} (${fmt((ratio('faultline') - 1) * 100, 1)}%). Medians of 12 rotating rounds of 300 sequential requests, µs per call: ${list(cost)}; CPU µs per call, client and server together: ${list(cpu)}. The figures move by several percent between runs on this shared two-core machine (the client and the fault server share one process). A per-attempt timeout needs a fresh \`AbortSignal\` per request, and Node's \`fetch\` spends real time on any signal: the fairer baseline for the default client is \`fetch\` with a controller and a timer (${fmt((ratio('fetch with a controller and a timer') - 1) * 100, 1)}% over bare \`fetch\` in this run; with \`AbortSignal.timeout\` ${fmt((ratio('fetch with a timeout signal') - 1) * 100, 1)}%), over which faultline adds ${fmt((cost.faultline! / cost['fetch with a controller and a timer']! - 1) * 100, 1)}%; without a timeout it adds ${fmt((ratio('faultline, timeout: false') - 1) * 100, 1)}% to bare \`fetch\`.`,
  );

  const tables = SCENARIOS.map((scenario) => {
    const lines = [
      `### ${scenario.title}`,
      '',
      '| client | success % | duplicate executions | requests sent / logical | 429s | wasted retries | retries of non-retryable | p50 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const adapter of ADAPTERS) {
      const r = get(scenario.id, adapter.name);
      lines.push(
        `| ${adapter.name} | ${fmt(r.success, 1)} | ${r.duplicates} | ${fmt(r.perLogical, 2)} | ${r.r429} | ${r.wasted} | ${r.hopelessRetries} | ${fmt(r.p50)} | ${fmt(r.p99)} |`,
      );
    }
    return lines.join('\n');
  });

  const names = ADAPTERS.map((a) => a.name);
  const ids = SCENARIOS.map((s) => s.id);
  const svg = barChart(ids, names, [
    {
      title: 'Success % of the recoverable requests',
      max: 100,
      unit: '%',
      values: ids.map((id) => names.map((n) => get(id, n).success)),
    },
    {
      title: 'Requests sent per logical request (outage: during the outage)',
      max: 2,
      unit: '',
      values: ids.map((id) => names.map((n) => get(id, n).perLogical)),
    },
    {
      title: 'p99 latency (ms)',
      max: 3500,
      unit: '',
      values: ids.map((id) => names.map((n) => get(id, n).p99)),
    },
  ]);
  mkdirSync(join(here, 'charts'), { recursive: true });
  writeFileSync(join(here, 'charts', 'client.svg'), svg);

  const markdown = [
    `Every client makes the same logical requests against the fault server of \`faultline/testing\` on 127.0.0.1, each request with a fixed fault plan (the \`x-fault\` header), so all meet the same faults. Budget for all: ${ATTEMPTS} attempts (the first and ${ATTEMPTS - 1} retries) and the same per-attempt timeout. The server executes each operation once per \`Idempotency-Key\`, as an API with idempotency support would; without a key, a repeated POST executes again.`,
    '',
    'How each client is set up (as its README recommends):',
    '',
    ...ADAPTERS.map((a) => `- **${a.name}**: \`${a.config}\``),
    '',
    "Columns: *success %* of the requests that can succeed at all (the 4xx and `resource_already_exists` requests of their scenarios are left out); *duplicate executions*: side effects done twice; *requests sent / logical*: what the server received per logical request (in the outage scenario, for the requests started during the outage); *429s* received; *wasted retries*: retries that did not become their request's success; *retries of non-retryable*: retries of requests whose first error no retry can fix; latencies of the logical requests, retries and waits included.",
    '',
    `![Success, requests per logical request and p99 latency by scenario and client](${CHART})`,
    '',
    ...tables.flatMap((table) => [table, '']),
    '### Goals',
    '',
    ...goals,
    '',
    'The machine is shared and timings are noisy; success, duplicates, requests and 429s are deterministic given the fault plans (up to the order in which concurrent requests reach the server).',
  ].join('\n');

  return {
    title: 'Client: retries under faults',
    command: 'npm run bench -- client',
    markdown,
    raw: { rows, overhead: cost, overheadCpu: cpu },
  };
}
