import type { LiveCounters, RunResult } from './load.js';

/** Where the demo writes: a stream such as `process.stdout`, or a test's sink. */
export interface Output {
  write(text: string): unknown;
  /** Set on a terminal: progress is then one line rewritten in place. */
  readonly isTTY?: boolean;
}

/** The widest line the demo prints: it must read well on an 80-column terminal. */
export const WIDTH = 80;

/** How progress is shown: one line rewritten in place, a line now and then, or not at all. */
export type ProgressMode = 'tty' | 'lines' | 'quiet';

/** One client's results, from its own counters and the server's. */
export interface ClientSummary {
  readonly label: string;
  /** Operations: what the user wanted done, each once. */
  readonly logical: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Why failed operations failed, by reason. */
  readonly failures: Readonly<Record<string, number>>;
  /** HTTP requests sent beyond the first of each operation (stream resumes included). */
  readonly retries: number;
  /** 429 answers, counted by the server. */
  readonly rateLimited: number;
  /** Operations held back by a server hint before an attempt. */
  readonly paused: number;
  /** Stream reads taken as complete with records missing. */
  readonly incompleteStreams: number;
  /** Orders placed more than once for one operation, counted by the server. */
  readonly duplicates: number;
  /** Answers the server replayed from an idempotency record instead of running again. */
  readonly replays: number;
  readonly breakerOpened: number | undefined;
  readonly elapsedMs: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * The progress line of a run, at most `width - 1` columns (a line as wide as the terminal
 * wraps before the carriage return). Parts are dropped from the right when it is too long.
 */
export function progressLine(
  label: string,
  live: LiveCounters,
  elapsedMs: number,
  options: { total?: number; done?: boolean; width?: number } = {},
): string {
  const width = (options.width ?? WIDTH) - 1;
  const requests =
    options.total === undefined || options.done
      ? `${live.started}`
      : `${live.started}/${options.total}`;
  const head = `${label.padEnd(11)} ${options.done ? 'done' : '    '} ${seconds(elapsedMs).padStart(5)}`;
  const breaker = live.breaker === undefined ? 'no breaker' : `breaker ${live.breaker}`;
  // Parts in the order they are given up when the line is too long.
  const optional = [`ok ${live.succeeded}`, `retries ${live.retries}`];
  const build = () =>
    [head, `req ${requests}`, ...optional, `429s ${live.rateLimited}`, breaker].join('  ');
  let line = build();
  while (line.length > width && optional.length > 0) {
    optional.shift();
    line = build();
  }
  return line.slice(0, width);
}

/**
 * Shows a run's progress: on a terminal one line rewritten five times a second; otherwise a
 * line every few seconds (logs and CI stay readable); nothing when quiet. `stop` prints the
 * final line in every mode but quiet.
 */
export class Progress {
  readonly #out: Output;
  readonly #mode: ProgressMode;
  readonly #label: string;
  readonly #live: LiveCounters;
  readonly #total: number;
  readonly #started = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(out: Output, mode: ProgressMode, label: string, live: LiveCounters, total: number) {
    this.#out = out;
    this.#mode = mode;
    this.#label = label;
    this.#live = live;
    this.#total = total;
    if (mode === 'quiet') return;
    const every = mode === 'tty' ? 200 : 2500;
    this.#timer = setInterval(() => this.#show(false), every);
  }

  #show(done: boolean): void {
    const line = progressLine(this.#label, this.#live, performance.now() - this.#started, {
      total: this.#total,
      done,
    });
    if (this.#mode === 'tty') this.#out.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
    else this.#out.write(`${line}\n`);
  }

  /** Stops the updates and prints the final line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#mode !== 'quiet') this.#show(true);
  }
}

/** A client's summary from its run and the server's counts for its API key. */
export function summarize(
  label: string,
  run: RunResult,
  server: { rateLimited: number; duplicates: number; replays: number },
): ClientSummary {
  return {
    label,
    logical: run.started,
    succeeded: run.succeeded,
    failed: run.failed,
    failures: run.failures,
    retries: run.retries,
    rateLimited: server.rateLimited,
    paused: run.paused,
    incompleteStreams: run.incompleteStreams,
    duplicates: server.duplicates,
    replays: server.replays,
    breakerOpened: run.breaker === undefined ? undefined : run.breakerOpened,
    elapsedMs: run.elapsedMs,
  };
}

/** The summary table of both runs, side by side: a list of lines of at most 80 columns. */
export function summaryTable(left: ClientSummary, right: ClientSummary): string[] {
  const rows: [string, (s: ClientSummary) => number | string][] = [
    ['logical requests', (s) => s.logical],
    ['succeeded', (s) => s.succeeded],
    ['failed', (s) => s.failed],
    ['retries sent', (s) => s.retries],
    ['429 answers (server count)', (s) => s.rateLimited],
    ['paused by server hints', (s) => s.paused],
    ['interrupted streams taken as whole', (s) => s.incompleteStreams],
    ['duplicate executions (server)', (s) => s.duplicates],
  ];
  const label = 36;
  const column = 16;
  const line = (name: string, a: string, b: string) =>
    `  ${name.padEnd(label)}${a.padStart(column)}${b.padStart(column)}`;
  const rule = `  ${'-'.repeat(label + 2 * column)}`;
  return [
    line('', left.label, right.label),
    rule,
    ...rows.map(([name, value]) => line(name, String(value(left)), String(value(right)))),
    rule,
  ];
}

/**
 * What the numbers say, as two short paragraphs wrapped to 80 columns: the duplicates, the
 * 429s, the streams, and why failed operations failed.
 */
export function verdict(faultline: ClientSummary, naive: ClientSummary): string[] {
  const n = (count: number, one: string, many = `${one}s`) =>
    `${count} ${count === 1 ? one : many}`;
  const ours =
    `${faultline.label}: ${n(faultline.duplicates, 'duplicate')}, ` +
    `${n(faultline.failed, 'failed request')}, ${n(faultline.rateLimited, '429')}. ` +
    `It retried lost answers with the same Idempotency-Key (the server replayed ` +
    `${n(faultline.replays, 'stored answer')}), waited out rate limits (${faultline.paused} ` +
    'requests paused) and resumed cut streams at their next_seq.' +
    (faultline.failed > 0 ? ` Failed: ${reasons(faultline.failures)}.` : '');
  const theirs =
    `${naive.label}: ${n(naive.duplicates, 'order')} placed twice (retried without an ` +
    `Idempotency-Key after the answer was lost), ${n(naive.rateLimited, '429')} (it ` +
    'retries every 100 ms whatever Retry-After says), ' +
    `${n(naive.incompleteStreams, 'cut stream')} taken for whole.` +
    (naive.failed > 0 ? ` Gave up: ${reasons(naive.failures)}.` : '');
  return [...wrap(ours, WIDTH), ...wrap(theirs, WIDTH)];
}

function reasons(failures: Readonly<Record<string, number>>): string {
  return Object.entries(failures)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
}

/** Splits a line longer than `width` at spaces; continuation lines are indented by two. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    if (cut <= 2) break;
    out.push(rest.slice(0, cut));
    rest = `  ${rest.slice(cut + 1).trimStart()}`;
  }
  out.push(rest);
  return out;
}
