/**
 * Header fields of rate limiting: the IETF `RateLimit-Policy` and `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers-11, Structured Field lists of named items), the
 * legacy `X-RateLimit-*` trio and `Retry-After`.
 */
import { type NormalizedPolicy, normalizePolicy } from './gcra.js';
import type { RateLimitPolicy, RateLimitResult } from './types.js';

/** A Structured Field string: `"…"` with `\` and `"` escaped. Names are printable ASCII. */
function sfString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Quota and window of a policy as the header wants them: `w` is whole seconds, so a window
 * that is not (250 ms, 1.5 s) is advertised as the same rate over the next whole second count.
 */
export function advertisedQuota(policy: NormalizedPolicy): { q: number; w: number } {
  if (policy.windowMs % 1000 === 0) return { q: policy.limit, w: policy.windowMs / 1000 };
  const w = Math.ceil(policy.windowMs / 1000);
  return { q: Math.floor((policy.limit * w * 1000) / policy.windowMs), w };
}

/**
 * The `RateLimit-Policy` field value: every policy with its quota and window.
 *
 * @example
 * ```ts
 * rateLimitPolicyHeader([{ name: 'burst', limit: 100, windowMs: 60_000 }]);
 * // '"burst";q=100;w=60'
 * ```
 */
export function rateLimitPolicyHeader(policies: readonly RateLimitPolicy[]): string {
  return policies
    .map((p) => {
      const policy = normalizePolicy(p);
      const { q, w } = advertisedQuota(policy);
      return `${sfString(policy.name)};q=${q};w=${w}`;
    })
    .join(', ');
}

/**
 * The `RateLimit` field value: per policy, the quota left (`r`) and the seconds within which
 * no more than that can be used (`t`). For a refusing policy `t` is the wait until the next
 * request fits, so it never ends before `Retry-After`.
 *
 * @example
 * ```ts
 * rateLimitHeader(policies, decision.results); // '"burst";r=42;t=18'
 * ```
 */
export function rateLimitHeader(
  policies: readonly RateLimitPolicy[],
  results: readonly RateLimitResult[],
): string {
  const items: string[] = [];
  for (let i = 0; i < policies.length; i++) {
    const result = results[i];
    if (!result) continue;
    const policy = normalizePolicy(policies[i]!);
    const remaining = result.allowed ? result.remaining : 0;
    const window = result.allowed ? result.resetMs : result.retryAfterMs;
    const t = Number.isFinite(window) ? Math.max(0, Math.ceil(window / 1000)) : undefined;
    items.push(
      t === undefined
        ? `${sfString(policy.name)};r=${remaining}`
        : `${sfString(policy.name)};r=${remaining};t=${t}`,
    );
  }
  return items.join(', ');
}

/** How `X-RateLimit-Reset` is written: a Unix time in seconds (as the seeds do) or a delay. */
export type LegacyReset = 'epoch-seconds' | 'delay-seconds';

/**
 * The legacy `X-RateLimit-Limit`, `-Remaining` and `-Reset` fields, for the most restrictive
 * policy (the refusing one, else the one with the least quota left).
 */
export function legacyRateLimitHeaders(
  results: readonly RateLimitResult[],
  now: number,
  reset: LegacyReset = 'epoch-seconds',
): Record<string, string> {
  const tightest = mostRestrictive(results);
  if (!tightest) return {};
  const waitMs = tightest.allowed ? tightest.resetMs : tightest.retryAfterMs;
  const delay = Number.isFinite(waitMs) ? Math.max(0, Math.ceil(waitMs / 1000)) : 0;
  return {
    'x-ratelimit-limit': String(tightest.limit),
    'x-ratelimit-remaining': String(tightest.allowed ? tightest.remaining : 0),
    'x-ratelimit-reset':
      reset === 'delay-seconds' ? String(delay) : String(Math.ceil(now / 1000) + delay),
  };
}

/** The refusing result with the longest wait, else the result with the least quota left. */
export function mostRestrictive(results: readonly RateLimitResult[]): RateLimitResult | undefined {
  let best: RateLimitResult | undefined;
  for (const result of results) {
    if (!best) {
      best = result;
      continue;
    }
    if (!result.allowed) {
      if (best.allowed || result.retryAfterMs > best.retryAfterMs) best = result;
    } else if (best.allowed && result.remaining < best.remaining) {
      best = result;
    }
  }
  return best;
}

/** The `Retry-After` delay in whole seconds for a refused decision (rounded up, at least 1). */
export function retryAfterSeconds(results: readonly RateLimitResult[]): number | undefined {
  let wait = 0;
  for (const result of results) {
    if (!result.allowed && result.retryAfterMs > wait) wait = result.retryAfterMs;
  }
  if (!Number.isFinite(wait)) return undefined;
  return Math.max(1, Math.ceil(wait / 1000));
}
