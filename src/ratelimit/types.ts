/**
 * The contract every rate-limit store fulfils: memory, Redis and PostgreSQL answer the same
 * questions with the same numbers (see `test/stores/` for the shared conformance suite).
 */

/** One rate-limit policy: `limit` units per `windowMs`, with a burst capacity. */
export interface RateLimitPolicy {
  /**
   * The name shown in the `RateLimit-Policy` and `RateLimit` header fields. Defaults to
   * a name derived from the numbers, such as `100-per-60s`.
   */
  readonly name?: string;
  /** Units allowed per window: a positive integer. */
  readonly limit: number;
  /** The window, in milliseconds: a positive integer. */
  readonly windowMs: number;
  /**
   * How many units may be spent at once after a quiet period (the bucket's capacity). Defaults
   * to `limit`, so a fresh client can use a whole window's quota immediately.
   */
  readonly burst?: number;
}

/** One check of one decision: a key under a policy. */
export interface RateLimitCheck {
  /** The partition: an API key, an address, a user id. Already scoped by the caller. */
  readonly key: string;
  readonly policy: RateLimitPolicy;
}

/** The state of one key under one policy after a decision. */
export interface RateLimitResult {
  /** Whether this policy admits the request (the decision is allowed only if all do). */
  readonly allowed: boolean;
  /** The policy's `limit`. */
  readonly limit: number;
  /** Units that could be spent right now, after this decision. */
  readonly remaining: number;
  /** Milliseconds until the key is back to its full capacity. */
  readonly resetMs: number;
  /**
   * Milliseconds until a request of the same cost would be admitted by this policy: `0` when
   * allowed, `Infinity` when the cost exceeds the policy's capacity and can never be admitted.
   */
  readonly retryAfterMs: number;
}

/** The outcome of one decision over one or more checks, made atomically. */
export interface RateLimitDecision {
  /** Whether every check admitted the request; when not, no check consumed anything. */
  readonly allowed: boolean;
  /** One result per check, in the order given. */
  readonly results: readonly RateLimitResult[];
}

/**
 * A place to keep GCRA state. Every decision is atomic across its checks (all consume or none
 * does) and costs one round trip to the store.
 */
export interface RateLimitStore {
  /**
   * Spends `cost` units (default 1) under every check, or nothing when any check refuses.
   * @throws {RangeError} when `cost` is not a non-negative safe integer or a policy is invalid.
   */
  consume(checks: readonly RateLimitCheck[], cost?: number): Promise<RateLimitDecision>;
  /**
   * Gives back `cost` units under every check (a request that should not have counted, such
   * as an idempotent replay). Never raises a key above its full capacity.
   */
  refund(checks: readonly RateLimitCheck[], cost?: number): Promise<RateLimitDecision>;
  /** Releases connections or timers the store owns (not those passed in). */
  close?(): Promise<void>;
}
