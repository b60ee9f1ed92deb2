import type { RateLimitRule } from '../ratelimit/index.js';

/** The header that names the caller: the rate-limit key and the idempotency-key tenant. */
export const API_KEY_HEADER = 'x-api-key';

/** The per-caller quotas of the demo API (one GCRA decision covers both). */
export const RATE_LIMIT_POLICIES: readonly RateLimitRule<unknown>[] = [
  { name: 'per-second', limit: 40, windowMs: 1000 },
  { name: 'per-minute', limit: 2000, windowMs: 60_000 },
];

/** Units a request spends: the daily report reads every order, so it costs ten. */
export const REPORT_COST = 10;

/**
 * How long idempotency records live. A day is the usual retention; the demo keeps them ten
 * minutes so a Redis or PostgreSQL it runs against is not left holding them.
 */
export const IDEMPOTENCY_RETENTION_MS = 10 * 60_000;
export const IDEMPOTENCY_LEASE_MS = 30_000;

/** Records a stream read returns when the caller does not say (and the most it may ask). */
export const STREAM_PAGE = 20;
export const STREAM_PAGE_MAX = 100;

/** Whom the quotas count: the caller's API key (hashed before it reaches the store). */
export const RATE_LIMIT_KEY = 'api-key' as const;

/** While the rate-limit store is down, each process limits on its own rather than not at all. */
export const STORE_FAILURE = 'fallback' as const;
