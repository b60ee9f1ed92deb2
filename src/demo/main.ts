/**
 * `npm start`: faultline end to end in under a minute. Starts an orders API built from
 * faultline's server parts with fault injection switched on, drives it with the faultline
 * client and then with a naive `fetch` retry loop under the same load, prints what each
 * achieved side by side, and writes the API's error reference and OpenAPI document.
 */
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type DemoApi, FAULT_HEADER, startDemoApi } from './api.js';
import { buildDocs, writeDocs } from './docs.js';
import { DEFAULT_RATES, FaultInjector, scheduleFor } from './faults.js';
import { type LoadPlan, liveCounters, planLoad, runFaultline, runNaive } from './load.js';
import { API_KEY_HEADER, RATE_LIMIT_POLICIES } from './policies.js';
import {
  type ClientSummary,
  type Output,
  Progress,
  type ProgressMode,
  summarize,
  summaryTable,
  verdict,
  WIDTH,
  wrap,
} from './report.js';
import { openStores, type StoreEnv } from './stores.js';

/** Options of one demo run. */
export interface DemoOptions {
  /** Seconds of load per client (default 10: the whole run takes about 25 s). */
  readonly durationS: number;
  /** Where the docs are written (default `./faultline-demo`). */
  readonly outDir: string;
  /** Keep the API and its docs up after the run. */
  readonly serve: boolean;
  /** No progress lines. */
  readonly quiet: boolean;
  /** Seed of the load and of the faults. */
  readonly seed: number;
  /** Port of the API (default 0: any free port). */
  readonly port: number;
}

/** Defaults of {@link DemoOptions}. */
export const DEFAULTS: DemoOptions = {
  durationS: 10,
  outDir: './faultline-demo',
  serve: false,
  quiet: false,
  seed: 42,
  port: 0,
};

/** What a run found, for callers (tests) that want the numbers rather than the text. */
export interface DemoResult {
  readonly faultline: ClientSummary;
  readonly naive: ClientSummary;
  /** The summary table as printed. */
  readonly table: readonly string[];
  /** The files written: HTML, Markdown, OpenAPI. */
  readonly files: readonly string[];
  /** The API, still running when `serve` was asked for (closed otherwise). */
  readonly api: DemoApi;
  /** Stops the API and closes the stores (for a run with `serve`). */
  close(): Promise<void>;
}

/**
 * Runs the demo: API up, both clients in turn, summary, docs written. With `serve` the API is
 * left running and {@link DemoResult.close} stops it.
 *
 * @throws {Error} when a store asked for by `env` does not answer, or the port is taken.
 */
export async function runDemo(
  options: DemoOptions,
  out: Output,
  env: StoreEnv = {},
): Promise<DemoResult> {
  const print = (line = '') => out.write(`${line}\n`);
  const mode: ProgressMode = options.quiet ? 'quiet' : out.isTTY ? 'tty' : 'lines';
  const durationMs = Math.round(options.durationS * 1000);
  const stores = await openStores(env);
  const faults = new FaultInjector(options.seed);
  const docs = buildDocs();
  let api: DemoApi;
  try {
    api = await startDemoApi({ stores, faults, docs, port: options.port });
  } catch (error) {
    await stores.close();
    throw error;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await api.close();
    await stores.close();
  };

  try {
    const plan = planLoad({ seed: options.seed, durationMs });
    const schedule = scheduleFor(options.seed, durationMs);
    const outage = schedule.outages[0]!;
    const quota = RATE_LIMIT_POLICIES[0]!;
    print('faultline demo: an orders API with faults switched on, driven by two clients.');
    print();
    const fields: [string, string][] = [
      ['API', `${api.url}  node:http, problem+json errors, Idempotency-Key, GCRA`],
      ['Stores', stores.label],
      [
        'Faults',
        `${pct(DEFAULT_RATES.lostResponse)} of answers lost after the work is done (504 or a ` +
          `dropped connection), ${schedule.outages.length} ${plural(schedule.outages.length, 'outage')} ` +
          `of ${outage.end - outage.start} ms (503, Retry-After: 1), ` +
          `${pct(DEFAULT_RATES.streamCut)} of streams cut short`,
      ],
      [
        'Load',
        `${plan.rate} requests/s for ${options.durationS} s with ${describeSpikes(plan)}; ` +
          `quota ${quota.limit}/s per API key; 60% orders, 25% product reads, 15% stream ` +
          `reads; seed ${options.seed}`,
      ],
    ];
    for (const [name, text] of fields) for (const line of field(name, text)) print(line);
    print();
    print(`Both clients send the same ${plan.ops.length} requests, each with its own API key:`);

    const runs: ClientSummary[] = [];
    for (const [label, run, apiKey] of [
      ['faultline', runFaultline, 'demo-faultline'],
      ['naive fetch', runNaive, 'demo-naive-fetch'],
    ] as const) {
      const live = liveCounters(label === 'faultline' ? 'closed' : undefined);
      faults.arm(durationMs);
      const progress = new Progress(out, mode, label, live, plan.ops.length);
      const result = await run({ baseUrl: api.url, apiKey, plan, live });
      progress.stop();
      faults.disarm();
      runs.push(summarize(label, result, api.stats(apiKey)));
    }
    const [faultline, naive] = runs as [ClientSummary, ClientSummary];

    const table = summaryTable(faultline, naive);
    print();
    for (const line of table) print(line);
    print();
    for (const line of verdict(faultline, naive)) print(line);

    const files = await writeDocs(options.outDir, docs);
    print();
    print("The API's error reference and OpenAPI document, generated from its catalog:");
    const notes = [
      'one page: search, filters, anchors, examples',
      'the same reference in Markdown',
      'OpenAPI 3.1: the routes and every error response',
    ];
    const paths = files.map(displayPath);
    const column = Math.max(...paths.map((path) => path.length)) + 4;
    const noted = column + Math.max(...notes.map((note) => note.length)) <= WIDTH;
    paths.forEach((path, i) => {
      print(noted ? `  ${path.padEnd(column - 2)}${notes[i]}` : `  ${path}`);
    });
    if (!options.serve) {
      print('Browse them with the API: npm start -- --serve');
      await close();
    }
    return { faultline, naive, table, files, api, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The lines that tell where the API and its docs are served. */
export function servingLines(url: string): string[] {
  return [
    'Serving until Ctrl-C:',
    `  API         ${url}/  (send ${API_KEY_HEADER}: <any name>)`,
    `  Error docs  ${url}/docs/errors`,
    `  OpenAPI     ${url}/openapi.json`,
    `  Try         curl -i -H '${API_KEY_HEADER}: me' -H '${FAULT_HEADER}: outage' \\`,
    `                ${url}/products/mug-02`,
  ];
}

const USAGE = `Usage: npm start [-- options]

Starts an orders API built with faultline (faults switched on), drives it with
the faultline client and with a naive fetch retry loop, prints both results
side by side and writes the API's error reference and OpenAPI document.

Options:
  --duration <s>  seconds of load per client (default ${DEFAULTS.durationS})
  --out <dir>     where the docs go (default ${DEFAULTS.outDir})
  --serve         keep the API, /docs/errors and /openapi.json up until Ctrl-C
  --port <n>      port of the API (default: any free port)
  --seed <n>      seed of the load and the faults (default ${DEFAULTS.seed})
  --quiet         no progress lines
  -h, --help      this text

Environment: REDIS_URL (Redis for rate limits and idempotency keys),
DATABASE_URL (PostgreSQL for idempotency keys); memory stores otherwise.
`;

/** The options of a command line, or the text to print and the exit code. */
export function parseDemoArgs(
  argv: readonly string[],
): { options: DemoOptions } | { exit: number; text: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        out: { type: 'string' },
        serve: { type: 'boolean' },
        port: { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return { exit: 2, text: `${(error as Error).message}\n\n${USAGE}` };
  }
  if (values.help) return { exit: 0, text: USAGE };
  const number = (name: string, min: number, max: number, integer: boolean) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new RangeError(
        `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${raw}`,
      );
    }
    return value;
  };
  try {
    return {
      options: {
        durationS: number('duration', 1, 120, false) ?? DEFAULTS.durationS,
        outDir: (values.out as string | undefined) ?? DEFAULTS.outDir,
        serve: values.serve === true,
        quiet: values.quiet === true,
        seed: number('seed', 0, 2 ** 32 - 1, true) ?? DEFAULTS.seed,
        port: number('port', 0, 65_535, true) ?? DEFAULTS.port,
      },
    };
  } catch (error) {
    return { exit: 2, text: `${(error as Error).message}\n\n${USAGE}` };
  }
}

/** What {@link main} needs from its process. */
export interface MainIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: StoreEnv;
  /** Resolves on Ctrl-C (or SIGTERM); serve mode waits for it. */
  readonly interrupted: () => Promise<void>;
}

/** The process's own streams, environment and signals. */
export function processIo(): MainIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: { REDIS_URL: process.env.REDIS_URL, DATABASE_URL: process.env.DATABASE_URL },
    interrupted: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        process.on('SIGINT', done);
        process.on('SIGTERM', done);
      }),
  };
}

/** Runs the demo for a command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: MainIo = processIo()): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if ('exit' in parsed) {
    (parsed.exit === 0 ? io.stdout : io.stderr).write(parsed.text);
    return parsed.exit;
  }
  const { options } = parsed;
  let result: DemoResult;
  try {
    result = await runDemo(options, io.stdout, io.env);
  } catch (error) {
    io.stderr.write(`faultline demo: ${(error as Error).message}\n`);
    return 1;
  }
  if (!options.serve) return 0;
  io.stdout.write(`\n${servingLines(result.api.url).join('\n')}\n`);
  await io.interrupted();
  await result.close();
  io.stdout.write('\nStopped.\n');
  return 0;
}

/** A labelled field: the label in a column of its own, the text wrapped beside it. */
function field(name: string, text: string): string[] {
  const indent = 10;
  return wrap(text, WIDTH - indent).map(
    (line, i) => `${(i === 0 ? `  ${name}` : '').padEnd(indent)}${line.trimStart()}`,
  );
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function describeSpikes(plan: LoadPlan): string {
  const n = plan.spikes.length;
  return `${n === 1 ? 'a spike' : `${n} spikes`} of ${plan.spikeSize} at once`;
}

/** A path as the user would type it: relative to here when inside it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
