import {
  type GuardCounters,
  type GuardEvent,
  type GuardLogger,
  StoreGuard,
  StoreUnavailableError,
} from '../ratelimit/guard.js';
import { MemoryIdempotencyStore } from './memory.js';
import {
  type ClaimResult,
  DEFAULT_LEASE_MS,
  DEFAULT_RETENTION_MS,
  type IdempotencyStore,
  type Lease,
  type StoredResponse,
} from './types.js';

/** Options of {@link IdempotencyGuard}. */
export interface IdempotencyGuardOptions {
  /** Where records live (default: a new {@link MemoryIdempotencyStore}). */
  readonly store?: IdempotencyStore;
  /**
   * How long a claim holds the key while the request runs (default 60 s). A request that runs
   * longer may be run again by a retry; a crashed one frees its key after this long.
   */
  readonly leaseMs?: number;
  /** How long a completed response is replayed (default 24 h). */
  readonly retentionMs?: number;
  /** Longest wait for one store call in milliseconds (default 1000). */
  readonly timeoutMs?: number;
  /** While the store is down, how often a claim tries it again (default 1000 ms). */
  readonly probeIntervalMs?: number;
  /** Gets one line when the store goes down and one when it comes back. */
  readonly logger?: GuardLogger;
  /** Every store error, switch and recovery, for metrics. */
  readonly onEvent?: (event: GuardEvent) => void;
  /** The clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** The outcome of {@link IdempotencyGuard.begin}. */
export type BeginResult = ClaimResult | { readonly kind: 'unavailable' };

/** Counters of an {@link IdempotencyGuard}. */
export interface IdempotencyMetrics extends GuardCounters {
  /** Claims won: requests that ran. */
  claimed: number;
  /** Completed responses replayed. */
  replayed: number;
  /** Duplicates refused while the first ran (409). */
  inFlight: number;
  /** Keys reused with another payload (422). */
  mismatched: number;
  /** Requests refused because the store could not be asked (503). */
  unavailable: number;
  /** Responses stored. */
  completed: number;
  /** Completions refused because another writer had claimed the key since. */
  fenced: number;
  /** Responses that could not be stored before the lease ended (store down throughout). */
  completeFailures: number;
  /** Leases given back without a response. */
  released: number;
}

/**
 * Idempotency keys without HTTP: claims, completions with retries, releases, all under a
 * time limit and always failing closed (a request is never run unguarded).
 *
 * @example
 * ```ts
 * const guard = new IdempotencyGuard({ store });
 * const begun = await guard.begin(scopeKey, fingerprint);
 * if (begun.kind === 'claimed') await guard.finish(begun.lease, response);
 * ```
 */
export class IdempotencyGuard {
  readonly store: IdempotencyStore;
  readonly leaseMs: number;
  readonly retentionMs: number;
  readonly #guard: StoreGuard;
  readonly #now: () => number;
  readonly #counts = {
    claimed: 0,
    replayed: 0,
    inFlight: 0,
    mismatched: 0,
    unavailable: 0,
    completed: 0,
    fenced: 0,
    completeFailures: 0,
    released: 0,
  };

  constructor(options: IdempotencyGuardOptions = {}) {
    this.store = options.store ?? new MemoryIdempotencyStore();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    for (const [name, value] of [
      ['leaseMs', this.leaseMs],
      ['retentionMs', this.retentionMs],
    ] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new RangeError(`${name} must be a positive integer of milliseconds, got ${value}`);
      }
    }
    if (this.retentionMs < this.leaseMs) {
      throw new RangeError('retentionMs must not be shorter than leaseMs');
    }
    this.#now = options.now ?? Date.now;
    this.#guard = new StoreGuard({
      feature: 'idempotency',
      timeoutMs: options.timeoutMs ?? 1000,
      probeIntervalMs: options.probeIntervalMs ?? 1000,
      mode: 'refusing keyed requests with 503 (fail-closed)',
      logger: options.logger,
      onEvent: options.onEvent,
      now: this.#now,
    });
  }

  /** Claims a key, or says why the request must not run now. */
  async begin(scopeKey: string, fingerprint: string): Promise<BeginResult> {
    if (!this.#guard.shouldTry()) {
      this.#counts.unavailable++;
      return { kind: 'unavailable' };
    }
    let result: ClaimResult;
    try {
      result = await this.#guard.call(() =>
        this.store.claim(scopeKey, fingerprint, this.leaseMs, this.retentionMs),
      );
    } catch {
      this.#counts.unavailable++;
      return { kind: 'unavailable' };
    }
    if (result.kind === 'claimed') this.#counts.claimed++;
    else if (result.kind === 'completed') this.#counts.replayed++;
    else if (result.kind === 'in-flight') this.#counts.inFlight++;
    else this.#counts.mismatched++;
    return result;
  }

  /**
   * Stores the response of a lease. While the store is down it tries again, with backoff,
   * until the lease ends: a response acknowledged to the client must be replayable. Resolves
   * `false` when fenced out or out of time; never rejects.
   */
  async finish(lease: Lease, response: StoredResponse): Promise<boolean> {
    const deadline = this.#now() + lease.leaseMs;
    let wait = 25;
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const stored = await this.#guard.call(() => this.store.complete(lease, response));
        if (stored) this.#counts.completed++;
        else this.#counts.fenced++;
        return stored;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) break;
      }
      if (this.#now() + wait >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 1000);
    }
    this.#counts.completeFailures++;
    return false;
  }

  /** Gives a lease back (the request had no effect); best effort, never rejects. */
  async abandon(lease: Lease): Promise<void> {
    try {
      if (await this.#guard.call(() => this.store.release(lease))) this.#counts.released++;
    } catch {
      // The lease then simply runs out.
    }
  }

  /** Counts a transactional completion's outcome. */
  recordCompletion(stored: boolean): void {
    if (stored) this.#counts.completed++;
    else this.#counts.fenced++;
  }

  /** The counters, and whether the store is down. */
  metrics(): IdempotencyMetrics {
    return { ...this.#counts, ...this.#guard.counters };
  }
}
