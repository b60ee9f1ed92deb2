/**
 * The generic cell rate algorithm (GCRA), as pure functions of a stored "theoretical arrival
 * time" (TAT). One number per key, an exact retry time, no timers. The memory store runs
 * these functions directly; the Redis and PostgreSQL stores run the same arithmetic inside the
 * server (Lua, PL/pgSQL) and are held to the same numbers by the conformance suite.
 */
import type { RateLimitPolicy, RateLimitResult } from './types.js';

/** A policy with its derived GCRA parameters. */
export interface NormalizedPolicy {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
  /** Milliseconds one unit occupies: `windowMs / limit`. */
  readonly intervalMs: number;
  /** How far ahead of now the TAT may run: `burst * intervalMs`. */
  readonly toleranceMs: number;
  /** A suffix that tells policies apart in storage keys (same numbers, same state). */
  readonly id: string;
}

/** Float slack for comparisons: sub-microsecond noise must not flip a decision. */
const EPSILON = 1e-6;

const normalized = new WeakMap<RateLimitPolicy, NormalizedPolicy>();

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Validates a policy and derives its GCRA parameters (cached per policy object).
 *
 * @example
 * ```ts
 * normalizePolicy({ limit: 10, windowMs: 1000 }).intervalMs; // 100
 * ```
 * @throws {RangeError} when `limit`, `windowMs` or `burst` is not a positive safe integer.
 */
export function normalizePolicy(policy: RateLimitPolicy): NormalizedPolicy {
  const cached = normalized.get(policy);
  if (cached) return cached;
  if (typeof policy !== 'object' || policy === null) {
    throw new RangeError('A rate-limit policy must be an object');
  }
  const { limit, windowMs } = policy;
  const burst = policy.burst ?? limit;
  if (!isPositiveInteger(limit)) {
    throw new RangeError(`Rate-limit policy limit must be a positive integer, got ${limit}`);
  }
  if (!isPositiveInteger(windowMs)) {
    throw new RangeError(`Rate-limit policy windowMs must be a positive integer, got ${windowMs}`);
  }
  if (!isPositiveInteger(burst)) {
    throw new RangeError(`Rate-limit policy burst must be a positive integer, got ${burst}`);
  }
  const name = policy.name ?? defaultPolicyName(limit, windowMs);
  if (typeof name !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(name)) {
    throw new RangeError('Rate-limit policy name must be 1–64 printable ASCII characters');
  }
  const intervalMs = windowMs / limit;
  const result: NormalizedPolicy = Object.freeze({
    name,
    limit,
    windowMs,
    burst,
    intervalMs,
    toleranceMs: burst * intervalMs,
    id: `${limit}/${windowMs}/${burst}`,
  });
  normalized.set(policy, result);
  return result;
}

/** The name a policy gets when it has none, such as `100-per-60s` or `5-per-250ms`. */
export function defaultPolicyName(limit: number, windowMs: number): string {
  return windowMs % 1000 === 0 ? `${limit}-per-${windowMs / 1000}s` : `${limit}-per-${windowMs}ms`;
}

/**
 * Checks that a cost is a non-negative safe integer.
 * @throws {RangeError} otherwise.
 */
export function checkCost(cost: number): number {
  if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) {
    throw new RangeError(`Rate-limit cost must be a non-negative integer, got ${String(cost)}`);
  }
  return cost;
}

/** One policy's verdict, with the TAT to store when the whole decision is allowed. */
export interface GcraStep extends RateLimitResult {
  /** The TAT to store if the decision goes through (unchanged when refused). */
  readonly tat: number;
}

/**
 * One GCRA step for one key: may `cost` units be spent at `now`, given the stored `tat`
 * (`undefined` when the key is unknown or expired)?
 *
 * @example
 * ```ts
 * const policy = normalizePolicy({ limit: 2, windowMs: 1000 });
 * gcraStep(undefined, 0, policy, 1); // allowed, remaining 1
 * ```
 */
export function gcraStep(
  tat: number | undefined,
  now: number,
  policy: NormalizedPolicy,
  cost: number,
): GcraStep {
  const { intervalMs, toleranceMs, limit } = policy;
  const base = tat === undefined || tat < now ? now : tat;
  const next = base + cost * intervalMs;
  const allowAt = next - toleranceMs;
  if (allowAt <= now + EPSILON) {
    return {
      allowed: true,
      limit,
      remaining: remainingAt(next, now, policy),
      resetMs: next - now,
      retryAfterMs: 0,
      tat: next,
    };
  }
  return {
    allowed: false,
    limit,
    remaining: remainingAt(base, now, policy),
    resetMs: base - now,
    retryAfterMs: cost > policy.burst ? Number.POSITIVE_INFINITY : allowAt - now,
    tat: base,
  };
}

/** Gives `cost` units back: the TAT moves back, never below `now` (a full bucket). */
export function gcraRefund(
  tat: number | undefined,
  now: number,
  policy: NormalizedPolicy,
  cost: number,
): GcraStep {
  const base = tat === undefined || tat < now ? now : tat;
  const next = Math.max(now, base - cost * policy.intervalMs);
  return {
    allowed: true,
    limit: policy.limit,
    remaining: remainingAt(next, now, policy),
    resetMs: next - now,
    retryAfterMs: 0,
    tat: next,
  };
}

function remainingAt(tat: number, now: number, policy: NormalizedPolicy): number {
  const free = (policy.toleranceMs - (tat - now)) / policy.intervalMs;
  return Math.max(0, Math.min(policy.burst, Math.floor(free + EPSILON)));
}
