import { checkCost, type GcraStep, gcraRefund, gcraStep, normalizePolicy } from './gcra.js';
import type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitResult,
  RateLimitStore,
} from './types.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * The most keys kept at once (default 1 000 000, about 100 MB). Past it, keys nobody used
   * for a while are forgotten, which can only admit more, never fewer, requests for them.
   */
  readonly maxKeys?: number;
  /** The clock, in milliseconds (default `Date.now`); tests pass a fake one. */
  readonly now?: () => number;
}

/** Default of {@link MemoryRateLimitStoreOptions.maxKeys}. */
export const DEFAULT_MEMORY_MAX_KEYS = 1_000_000;

/**
 * The embedded rate-limit store: GCRA state in a `Map`, one process only.
 *
 * Memory stays bounded under any number of distinct keys: keys live in two generations; a
 * generation is dropped whole once every key in it has expired (an expired key is the same as
 * an absent one), and when the newer one fills half of `maxKeys`, the older one is dropped.
 *
 * @example
 * ```ts
 * const store = new MemoryRateLimitStore();
 * const { allowed } = await store.consume([{ key: 'ip:1.2.3.4', policy: { limit: 10, windowMs: 1000 } }]);
 * ```
 */
export class MemoryRateLimitStore implements RateLimitStore {
  // Two generations instead of one Map with per-key deletion: V8 Maps slow down badly under
  // constant delete-and-insert churn, while dropping a whole generation is free.
  #current = new Map<string, number>();
  #previous = new Map<string, number>();
  readonly #generationSize: number;
  readonly #now: () => number;
  #rotatedAt = Number.NEGATIVE_INFINITY;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  /** The longest tolerance written so far: no stored TAT outlives its write by more. */
  #maxToleranceMs = 0;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? DEFAULT_MEMORY_MAX_KEYS;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 2) {
      throw new RangeError(`maxKeys must be an integer of at least 2, got ${maxKeys}`);
    }
    this.#generationSize = Math.floor(maxKeys / 2);
    this.#now = options.now ?? Date.now;
  }

  /** How many entries are held now (an upper bound on live keys). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  consume(checks: readonly RateLimitCheck[], cost = 1): Promise<RateLimitDecision> {
    try {
      return Promise.resolve(this.consumeSync(checks, cost));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  refund(checks: readonly RateLimitCheck[], cost = 1): Promise<RateLimitDecision> {
    try {
      return Promise.resolve(this.refundSync(checks, cost));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** {@link consume} without the promise, for callers on a hot path. */
  consumeSync(checks: readonly RateLimitCheck[], cost = 1): RateLimitDecision {
    checkCost(cost);
    const now = this.#now();
    this.#expire(now);
    const steps: GcraStep[] = [];
    const keys: string[] = [];
    let allowed = true;
    let tolerance = 0;
    for (const check of checks) {
      const policy = normalizePolicy(check.policy);
      const key = storageKey(check.key, policy.id);
      const step = gcraStep(this.#live(key, now), now, policy, cost);
      keys.push(key);
      steps.push(step);
      if (!step.allowed) allowed = false;
      if (policy.toleranceMs > tolerance) tolerance = policy.toleranceMs;
    }
    if (!allowed) {
      // Nothing is charged, so policies that would have admitted report their state as it is.
      return {
        allowed,
        results: steps.map((step, i) =>
          step.allowed
            ? toResult(
                gcraStep(this.#live(keys[i]!, now), now, normalizePolicy(checks[i]!.policy), 0),
              )
            : toResult(step),
        ),
      };
    }
    if (cost > 0) {
      for (let i = 0; i < steps.length; i++) this.#write(keys[i]!, steps[i]!.tat, now, tolerance);
    }
    return { allowed, results: steps.map(toResult) };
  }

  /** {@link refund} without the promise. */
  refundSync(checks: readonly RateLimitCheck[], cost = 1): RateLimitDecision {
    checkCost(cost);
    const now = this.#now();
    this.#expire(now);
    const results: RateLimitResult[] = [];
    for (const check of checks) {
      const policy = normalizePolicy(check.policy);
      const key = storageKey(check.key, policy.id);
      const tat = this.#live(key, now);
      const step = gcraRefund(tat, now, policy, cost);
      // A TAT at or before now reads as absent, so writing it is as good as deleting.
      if (tat !== undefined) this.#write(key, step.tat, now, policy.toleranceMs);
      results.push(toResult(step));
    }
    return { allowed: true, results };
  }

  /** Forgets every key. */
  clear(): void {
    this.#current = new Map();
    this.#previous = new Map();
  }

  async close(): Promise<void> {
    this.clear();
  }

  #live(key: string, now: number): number | undefined {
    let tat = this.#current.get(key);
    if (tat === undefined) {
      tat = this.#previous.get(key);
      // A live key found in the old generation moves to the new one, so that dropping the old
      // generation only ever forgets keys nobody used for a whole generation.
      if (tat !== undefined && tat > now) this.#put(key, tat, now);
    }
    return tat === undefined || tat <= now ? undefined : tat;
  }

  #write(key: string, tat: number, now: number, toleranceMs: number): void {
    if (toleranceMs > this.#maxToleranceMs) this.#maxToleranceMs = toleranceMs;
    this.#lastWriteAt = now;
    this.#put(key, tat, now);
  }

  #put(key: string, tat: number, now: number): void {
    if (this.#current.size >= this.#generationSize && !this.#current.has(key)) {
      this.#previous = this.#current;
      this.#current = new Map();
      this.#rotatedAt = now;
    }
    this.#current.set(key, tat);
  }

  /** Drops generations whose entries have all expired. */
  #expire(now: number): void {
    if (now - this.#lastWriteAt >= this.#maxToleranceMs) {
      if (this.#current.size > 0 || this.#previous.size > 0) this.clear();
      return;
    }
    if (now - this.#rotatedAt >= this.#maxToleranceMs && this.#previous.size > 0) {
      // Everything in the old generation was written before the last rotation, so it has
      // expired by now; the current generation becomes the old one.
      this.#previous = this.#current;
      this.#current = new Map();
      this.#rotatedAt = now;
    }
  }
}

/** The storage key of a check: the policy's numbers first, so any key text is unambiguous. */
export function storageKey(key: string, policyId: string): string {
  return `${policyId}|${key}`;
}

function toResult(step: GcraStep): RateLimitResult {
  return {
    allowed: step.allowed,
    limit: step.limit,
    remaining: step.remaining,
    resetMs: step.resetMs,
    retryAfterMs: step.retryAfterMs,
  };
}
