import { describe, expect, it } from 'vitest';
import { normalizePolicy } from './gcra.js';
import {
  advertisedQuota,
  legacyRateLimitHeaders,
  mostRestrictive,
  rateLimitHeader,
  rateLimitPolicyHeader,
  retryAfterSeconds,
} from './headers.js';
import type { RateLimitResult } from './types.js';

const perMinute = { name: 'per-minute', limit: 50, windowMs: 60_000 };
const perHour = { name: 'per-hour', limit: 1000, windowMs: 3_600_000 };

const allowed = (remaining: number, resetMs: number, limit = 50): RateLimitResult => ({
  allowed: true,
  limit,
  remaining,
  resetMs,
  retryAfterMs: 0,
});

describe('RateLimit-Policy', () => {
  it('lists every policy as a Structured Field item with q and w', () => {
    expect(rateLimitPolicyHeader([perMinute, perHour])).toBe(
      '"per-minute";q=50;w=60, "per-hour";q=1000;w=3600',
    );
  });

  it('names unnamed policies and escapes quotes and backslashes', () => {
    expect(rateLimitPolicyHeader([{ limit: 10, windowMs: 1000 }])).toBe('"10-per-1s";q=10;w=1');
    expect(rateLimitPolicyHeader([{ name: 'a"b\\c', limit: 1, windowMs: 1000 }])).toBe(
      '"a\\"b\\\\c";q=1;w=1',
    );
  });

  it('advertises sub-second and fractional windows as the same rate over whole seconds', () => {
    expect(advertisedQuota(normalizePolicy({ limit: 5, windowMs: 250 }))).toEqual({ q: 20, w: 1 });
    expect(advertisedQuota(normalizePolicy({ limit: 3, windowMs: 1500 }))).toEqual({ q: 4, w: 2 });
  });
});

describe('RateLimit', () => {
  it('gives the quota left and the seconds until it is whole again', () => {
    expect(
      rateLimitHeader([perMinute, perHour], [allowed(49, 1200), allowed(998, 7200, 1000)]),
    ).toBe('"per-minute";r=49;t=2, "per-hour";r=998;t=8');
  });

  it('gives a refusing policy r=0 and t no earlier than Retry-After', () => {
    const refused: RateLimitResult = {
      allowed: false,
      limit: 50,
      remaining: 0,
      resetMs: 60_000,
      retryAfterMs: 1_100,
    };
    expect(rateLimitHeader([perMinute], [refused])).toBe('"per-minute";r=0;t=2');
    expect(retryAfterSeconds([refused])).toBe(2);
  });

  it('leaves t out when a request can never fit', () => {
    const never: RateLimitResult = {
      allowed: false,
      limit: 50,
      remaining: 50,
      resetMs: 0,
      retryAfterMs: Number.POSITIVE_INFINITY,
    };
    expect(rateLimitHeader([perMinute], [never])).toBe('"per-minute";r=0');
    expect(retryAfterSeconds([never])).toBeUndefined();
  });
});

describe('legacy X-RateLimit-*', () => {
  it('reports the most restrictive policy, reset as a Unix time by default', () => {
    const results = [allowed(10, 30_000), allowed(3, 600_000, 1000)];
    expect(legacyRateLimitHeaders(results, 1_700_000_000_000)).toEqual({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '3',
      'x-ratelimit-reset': String(1_700_000_000 + 600),
    });
    expect(legacyRateLimitHeaders(results, 0, 'delay-seconds')['x-ratelimit-reset']).toBe('600');
  });

  it('prefers a refusing policy, the one with the longest wait', () => {
    const a: RateLimitResult = {
      allowed: false,
      limit: 5,
      remaining: 0,
      resetMs: 9,
      retryAfterMs: 100,
    };
    const b: RateLimitResult = {
      allowed: false,
      limit: 7,
      remaining: 0,
      resetMs: 9,
      retryAfterMs: 900,
    };
    expect(mostRestrictive([allowed(0, 1), a, b])).toBe(b);
    expect(legacyRateLimitHeaders([], 0)).toEqual({});
  });
});
