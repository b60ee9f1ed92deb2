import { checkCost, normalizePolicy } from './gcra.js';
import { type GuardCounters, type GuardEvent, type GuardLogger, StoreGuard } from './guard.js';
import { MemoryRateLimitStore } from './memory.js';
import type { RateLimitCheck, RateLimitDecision, RateLimitStore } from './types.js';

/**
 * What a limiter does while its store is unreachable or slow:
 * - `fail-open`: admit every request (availability first);
 * - `fail-closed`: refuse every request with `store_unavailable` (503, retryable);
 * - `fallback`: decide with a local in-memory limiter (per process, so the effective limit
 *   is multiplied by the number of processes unless `fallbackStore` is tuned for that).
 */
export type StoreFailureMode = 'fail-open' | 'fail-closed' | 'fallback';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Where the state lives (default: a new {@link MemoryRateLimitStore}). */
  readonly store?: RateLimitStore;
  /** Behaviour while the store is down (default `fail-open`). */
  readonly onStoreFailure?: StoreFailureMode;
  /** Longest wait for one store call in milliseconds (default 250). */
  readonly timeoutMs?: number;
  /** While the store is down, how often to try it again in milliseconds (default 1000). */
  readonly probeIntervalMs?: number;
  /** The limiter used in `fallback` mode (default: a new memory store). */
  readonly fallbackStore?: RateLimitStore;
  /** Gets one line when the store goes down and one when it comes back. */
  readonly logger?: GuardLogger;
  /** Every store error, switch and recovery, for metrics. */
  readonly onEvent?: (event: GuardEvent) => void;
  /** The clock used for probing, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** Default of {@link RateLimiterOptions.timeoutMs}. */
export const DEFAULT_STORE_TIMEOUT_MS = 250;
/** Default of {@link RateLimiterOptions.probeIntervalMs}. */
export const DEFAULT_PROBE_INTERVAL_MS = 1000;

/** The outcome of one limiter call. */
export type LimiterVerdict =
  | {
      readonly kind: 'decision';
      readonly decision: RateLimitDecision;
      /** Which store decided. */
      readonly source: 'store' | 'fallback';
    }
  /** The store is down and the limiter fails open: admit, with no quota to report. */
  | { readonly kind: 'open' }
  /** The store is down and the limiter fails closed: refuse with `store_unavailable`. */
  | { readonly kind: 'closed' };

/** Counters of a {@link RateLimiter}. */
export interface RateLimiterMetrics extends GuardCounters {
  /** Decisions asked for. */
  decisions: number;
  /** Decisions that admitted the request (by the store or the fallback). */
  allowed: number;
  /** Decisions that refused it for quota (429). */
  limited: number;
  /** Requests admitted without a decision (`fail-open`). */
  failedOpen: number;
  /** Requests refused without a decision (`fail-closed`). */
  failedClosed: number;
  /** Decisions made by the fallback store. */
  fallbackDecisions: number;
  /** Refunds asked for (idempotent replays). */
  refunds: number;
}

/**
 * A rate-limit store behind a time limit and a failure mode: the part of rate limiting that
 * knows nothing of HTTP.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ store, onStoreFailure: 'fallback', logger: console });
 * const verdict = await limiter.consume([{ key: 'ip:1.2.3.4', policy: { limit: 10, windowMs: 1000 } }]);
 * ```
 */
export class RateLimiter {
  readonly store: RateLimitStore;
  readonly mode: StoreFailureMode;
  readonly #guard: StoreGuard;
  readonly #fallback: RateLimitStore | undefined;
  readonly #counts = {
    decisions: 0,
    allowed: 0,
    limited: 0,
    failedOpen: 0,
    failedClosed: 0,
    fallbackDecisions: 0,
    refunds: 0,
  };

  constructor(options: RateLimiterOptions = {}) {
    this.store = options.store ?? new MemoryRateLimitStore();
    this.mode = options.onStoreFailure ?? 'fail-open';
    if (!['fail-open', 'fail-closed', 'fallback'].includes(this.mode)) {
      throw new RangeError(`Unknown onStoreFailure mode: ${String(this.mode)}`);
    }
    this.#fallback =
      this.mode === 'fallback' ? (options.fallbackStore ?? new MemoryRateLimitStore()) : undefined;
    this.#guard = new StoreGuard({
      feature: 'rate-limit',
      timeoutMs: options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
      probeIntervalMs: options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
      mode: this.mode === 'fallback' ? 'using the local fallback limiter' : this.mode,
      logger: options.logger,
      onEvent: options.onEvent,
      now: options.now,
    });
  }

  /**
   * Spends `cost` units under every check. Never rejects for a store failure (that is what
   * the failure mode is for); rejects for invalid policies or costs.
   */
  async consume(checks: readonly RateLimitCheck[], cost = 1): Promise<LimiterVerdict> {
    this.#counts.decisions++;
    const verdict = await this.#decide(checks, cost);
    if (verdict.kind === 'decision') {
      if (verdict.decision.allowed) this.#counts.allowed++;
      else this.#counts.limited++;
      if (verdict.source === 'fallback') this.#counts.fallbackDecisions++;
    } else if (verdict.kind === 'open') this.#counts.failedOpen++;
    else this.#counts.failedClosed++;
    return verdict;
  }

  /**
   * Gives `cost` units back under every check (best effort: a failure is counted, not
   * thrown). Resolves with the state after the refund, when known.
   */
  async refund(
    checks: readonly RateLimitCheck[],
    cost = 1,
    source: 'store' | 'fallback' = 'store',
  ): Promise<RateLimitDecision | undefined> {
    this.#counts.refunds++;
    if (source === 'fallback') return this.#fallback?.refund(checks, cost);
    if (!this.#guard.shouldTry()) return undefined;
    try {
      return await this.#guard.call(() => this.store.refund(checks, cost));
    } catch {
      return undefined;
    }
  }

  /** The counters, and whether the store is down. */
  metrics(): RateLimiterMetrics {
    return { ...this.#counts, ...this.#guard.counters };
  }

  async #decide(checks: readonly RateLimitCheck[], cost: number): Promise<LimiterVerdict> {
    // Bad input is the caller's problem, not the store's: it throws here, before it could be
    // mistaken for a store failure and switch the mode.
    checkCost(cost);
    for (const check of checks) normalizePolicy(check.policy);
    if (this.#guard.shouldTry()) {
      try {
        const decision = await this.#guard.call(() => this.store.consume(checks, cost));
        return { kind: 'decision', decision, source: 'store' };
      } catch {
        // Counted and logged by the guard; the failure mode answers below.
      }
    }
    if (this.mode === 'fail-open') return { kind: 'open' };
    if (this.mode === 'fail-closed') return { kind: 'closed' };
    const decision = await this.#fallback!.consume(checks, cost);
    return { kind: 'decision', decision, source: 'fallback' };
  }
}
