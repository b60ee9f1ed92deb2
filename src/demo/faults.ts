/**
 * The demo's fault injection: what goes wrong, and when, decided from a seed so that every run
 * with the same seed and duration meets the same faults.
 *
 * Per-request faults are a pure function of (seed, operation, attempt): the operation is the
 * `x-demo-op` header the load driver sends, the attempt is how many requests of that operation
 * the server has seen. Timing (which request lands in an outage) still varies a little from run
 * to run; the counts of lost responses and cut streams do not.
 */

/** A 32-bit FNV-1a hash of a string. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seeded PRNG (mulberry32): a function returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One number in [0, 1) for a key: the same key always draws the same number. */
export function draw(seed: number, key: string): number {
  return prng(hash32(`${seed}:${key}`))();
}

/** How often each fault happens. */
export interface FaultRates {
  /** Share of attempts whose success is lost after the work was done (504 or reset). */
  readonly lostResponse: number;
  /** Share of lost responses that are a dropped connection rather than a 504. */
  readonly resetShare: number;
  /** Share of stream reads that break off with a terminal error. */
  readonly streamCut: number;
}

/** The rates the demo runs with. */
export const DEFAULT_RATES: FaultRates = { lostResponse: 0.1, resetShare: 0.3, streamCut: 0.3 };

/** A span of a run during which the API is down, in ms from the start of the run. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** The time-based trouble of one run. */
export interface Schedule {
  /** Windows in which every request is refused with `maintenance` (503, before running). */
  readonly outages: readonly Window[];
  /** When the load's traffic spikes come, in ms from the start of the run. */
  readonly spikes: readonly number[];
}

/**
 * The outages and traffic spikes of a run of `durationMs`, placed by the seed. The run is cut
 * into cycles of about five seconds; each starts with an outage (8% of the cycle, 150 to
 * 400 ms) and has a spike about a third of the way in, so the backlog a spike leaves has
 * drained before the next outage: the two kinds of trouble stay apart.
 */
export function scheduleFor(seed: number, durationMs: number): Schedule {
  const random = prng(hash32(`${seed}:schedule`));
  const count = Math.max(1, Math.round(durationMs / 5000));
  const cycle = durationMs / count;
  const outageMs = Math.round(Math.min(400, Math.max(150, cycle * 0.08)));
  const outages: Window[] = [];
  const spikes: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.round(cycle * (i + 0.08 + random() * 0.04));
    outages.push({ start, end: start + outageMs });
    spikes.push(Math.round(cycle * (i + 0.35 + random() * 0.05)));
  }
  return { outages, spikes };
}

/** What happens to one attempt on its way back, after the API has answered it. */
export type AfterFault = 'none' | 'lost' | 'reset';

/** Faults requested by hand with the `x-demo-fault` header (for trying the API in serve mode). */
export const MANUAL_FAULTS = ['lost', 'reset', 'outage', 'cut'] as const;

/**
 * The fault injector of one demo API. It is armed for each load run (outages are timed from
 * then) and disarmed afterwards; per-request faults apply only to requests that carry an
 * operation id, or ask for a fault by name.
 */
export class FaultInjector {
  readonly seed: number;
  readonly rates: FaultRates;
  #armedAt: number | undefined;
  #outages: readonly Window[] = [];
  #attempts = new Map<string, number>();

  constructor(seed: number, rates: FaultRates = DEFAULT_RATES) {
    this.seed = seed;
    this.rates = rates;
  }

  /** Starts a run of `durationMs` now: resets the counters and times the outages from now. */
  arm(durationMs: number, now = Date.now()): readonly Window[] {
    this.#armedAt = now;
    this.#outages = scheduleFor(this.seed, durationMs).outages;
    this.#attempts = new Map();
    return this.#outages;
  }

  /** Ends the run: only faults asked for by header apply until the next `arm`. */
  disarm(): void {
    this.#armedAt = undefined;
  }

  /** Counts one attempt of an operation and returns its number (1 for the first). */
  attempt(tenant: string, op: string): number {
    const key = `${tenant}\n${op}`;
    const n = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, n);
    return n;
  }

  /** Whether the API is down at `now` (or asked to be, by hand). */
  inOutage(now = Date.now(), manual?: string): boolean {
    if (manual === 'outage') return true;
    const armedAt = this.#armedAt;
    if (armedAt === undefined) return false;
    return this.#outages.some((w) => now - armedAt >= w.start && now - armedAt < w.end);
  }

  /** What happens to a successful answer of attempt `attempt` of `op` on its way back. */
  after(op: string | undefined, attempt: number, manual?: string): AfterFault {
    if (manual === 'lost' || manual === 'reset') return manual;
    if (op === undefined || draw(this.seed, `lost:${op}:${attempt}`) >= this.rates.lostResponse) {
      return 'none';
    }
    return draw(this.seed, `reset:${op}:${attempt}`) < this.rates.resetShare ? 'reset' : 'lost';
  }

  /**
   * After how many records attempt `attempt` of a stream read breaks off, or `undefined` when
   * it runs to its end.
   */
  streamCut(op: string | undefined, attempt: number, records: number, manual?: string) {
    const cut =
      manual === 'cut' ||
      (op !== undefined && draw(this.seed, `cut:${op}:${attempt}`) < this.rates.streamCut);
    if (!cut || records < 2) return undefined;
    const key = `${op ?? 'manual'}:${attempt}`;
    return 1 + Math.floor(draw(this.seed, `cut-at:${key}`) * (records - 1));
  }
}
