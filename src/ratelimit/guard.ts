/**
 * What rate limiting and idempotency keys share when their store misbehaves: a time limit per
 * call, a degraded state entered on the first failure and left on the first success, one log
 * line per switch, and counters.
 */

/** A logger such as pino or `console`, called as `logger.warn(record, message)`. */
export interface GuardLogger {
  warn(record: object, message?: string): unknown;
  info?(record: object, message?: string): unknown;
}

/** Which feature a store serves. */
export type GuardedFeature = 'rate-limit' | 'idempotency';

/** Something that happened to a guarded store, for metrics and alerts. */
export type GuardEvent =
  | {
      readonly type: 'store-error';
      readonly feature: GuardedFeature;
      readonly timedOut: boolean;
      readonly error: unknown;
    }
  | { readonly type: 'degraded'; readonly feature: GuardedFeature; readonly mode: string }
  | { readonly type: 'recovered'; readonly feature: GuardedFeature; readonly downMs: number };

/** Thrown by a guarded call that failed or timed out. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly timedOut: boolean;
  constructor(feature: GuardedFeature, timedOut: boolean, cause: unknown) {
    super(
      timedOut
        ? `The ${feature} store did not answer in time`
        : `The ${feature} store failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.timedOut = timedOut;
  }
}

/** Options of {@link StoreGuard}. */
export interface StoreGuardOptions {
  readonly feature: GuardedFeature;
  /** Longest wait for one store call, in milliseconds. */
  readonly timeoutMs: number;
  /** While degraded, how often one request probes the store again (milliseconds). */
  readonly probeIntervalMs: number;
  /** How the feature behaves while degraded, for the log line (`fail-open`, …). */
  readonly mode: string;
  readonly logger?: GuardLogger | undefined;
  readonly onEvent?: ((event: GuardEvent) => void) | undefined;
  readonly now?: (() => number) | undefined;
}

/** Counters of a guarded store. */
export interface GuardCounters {
  /** Calls that failed or timed out. */
  storeErrors: number;
  /** Of those, the ones that timed out. */
  storeTimeouts: number;
  /** Switches to the degraded state. */
  degradations: number;
  /** Switches back. */
  recoveries: number;
  /** Whether the store is considered down right now. */
  degraded: boolean;
}

/**
 * Runs store calls with a time limit and tracks whether the store is up. While it is down,
 * {@link StoreGuard.shouldTry} lets one call through per probe interval, so a dead store costs
 * one timeout per interval instead of one per request.
 */
export class StoreGuard {
  readonly #options: StoreGuardOptions;
  readonly #now: () => number;
  readonly counters: GuardCounters = {
    storeErrors: 0,
    storeTimeouts: 0,
    degradations: 0,
    recoveries: 0,
    degraded: false,
  };
  #downSince = 0;
  #nextProbeAt = 0;

  constructor(options: StoreGuardOptions) {
    if (!(options.timeoutMs > 0) || !(options.probeIntervalMs >= 0)) {
      throw new RangeError('timeoutMs must be positive and probeIntervalMs non-negative');
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Whether the store is considered down. */
  get degraded(): boolean {
    return this.counters.degraded;
  }

  /**
   * Whether the next call should go to the store: always while healthy; while degraded, once
   * per probe interval (the caller that gets `true` is the probe).
   */
  shouldTry(): boolean {
    if (!this.counters.degraded) return true;
    const now = this.#now();
    if (now < this.#nextProbeAt) return false;
    this.#nextProbeAt = now + this.#options.probeIntervalMs;
    return true;
  }

  /**
   * Runs one store call under the time limit.
   * @throws {StoreUnavailableError} when it fails or times out (the store is then degraded).
   */
  async call<T>(work: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMED_OUT), this.#options.timeoutMs);
    });
    try {
      const value = await Promise.race([work(), timeout]);
      this.#succeeded();
      return value;
    } catch (error) {
      const timedOut = error === TIMED_OUT;
      this.#failed(error, timedOut);
      throw new StoreUnavailableError(
        this.#options.feature,
        timedOut,
        timedOut ? undefined : error,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  #succeeded(): void {
    if (!this.counters.degraded) return;
    this.counters.degraded = false;
    this.counters.recoveries++;
    const downMs = this.#now() - this.#downSince;
    this.#options.logger?.info?.(
      { feature: this.#options.feature, downMs },
      `faultline: the ${this.#options.feature} store answers again`,
    );
    this.#emit({ type: 'recovered', feature: this.#options.feature, downMs });
  }

  #failed(error: unknown, timedOut: boolean): void {
    this.counters.storeErrors++;
    if (timedOut) this.counters.storeTimeouts++;
    this.#emit({ type: 'store-error', feature: this.#options.feature, timedOut, error });
    if (this.counters.degraded) return;
    this.counters.degraded = true;
    this.counters.degradations++;
    this.#downSince = this.#now();
    this.#nextProbeAt = this.#downSince + this.#options.probeIntervalMs;
    const reason = timedOut
      ? `no answer within ${this.#options.timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error);
    this.#options.logger?.warn(
      { feature: this.#options.feature, mode: this.#options.mode, reason },
      `faultline: the ${this.#options.feature} store is unavailable (${reason}); now ${this.#options.mode}`,
    );
    this.#emit({ type: 'degraded', feature: this.#options.feature, mode: this.#options.mode });
  }

  #emit(event: GuardEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A metrics hook must not change what the guard decides.
    }
  }
}

const TIMED_OUT = Symbol('timed out');
