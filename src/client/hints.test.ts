import { describe, expect, it } from 'vitest';
import { readHint, readQuota } from './hints.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const h = (init: Record<string, string>) => new Headers(init);

describe('readQuota', () => {
  it('reads the IETF RateLimit field with its policy', () => {
    expect(
      readQuota(
        h({ ratelimit: '"default";r=0;t=10', 'ratelimit-policy': '"default";q=100;w=60' }),
        NOW,
      ),
    ).toEqual({ remaining: 0, reset: 10, limit: 100, window: 60 });
  });

  it('binds the policy with the least remaining when there are several', () => {
    const headers = h({
      ratelimit: '"burst";r=40;t=1, "daily";r=3;t=3600',
      'ratelimit-policy': '"burst";q=50;w=1, "daily";q=1000;w=86400',
    });
    expect(readQuota(headers, NOW)).toEqual({
      remaining: 3,
      reset: 3600,
      limit: 1000,
      window: 86400,
    });
  });

  it('reads the older dictionary form and the separate fields', () => {
    expect(readQuota(h({ ratelimit: 'limit=100, remaining=0, reset=7' }), NOW)).toMatchObject({
      remaining: 0,
      reset: 7,
    });
    expect(
      readQuota(
        h({ 'ratelimit-remaining': '5', 'ratelimit-reset': '9', 'ratelimit-limit': '10' }),
        NOW,
      ),
    ).toEqual({ remaining: 5, reset: 9, limit: 10 });
  });

  it('reads X-RateLimit-Reset as a delay, as epoch seconds, or as epoch milliseconds', () => {
    const x = (reset: string) =>
      readQuota(h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), NOW)?.reset;
    expect(x('30')).toBe(30);
    expect(x(String(NOW / 1000 + 45))).toBe(45);
    expect(x(String(NOW + 12_000))).toBe(12);
    expect(x(String(NOW / 1000 - 100))).toBe(0);
    expect(
      readQuota(h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '1.5' }), NOW)?.reset,
    ).toBe(1.5);
  });

  it('ignores malformed fields', () => {
    expect(readQuota(h({ ratelimit: 'garbage' }), NOW)).toBeUndefined();
    expect(readQuota(h({ 'x-ratelimit-remaining': '-1' }), NOW)).toBeUndefined();
    expect(readQuota(h({}), NOW)).toBeUndefined();
  });
});

describe('readHint', () => {
  const hint = (headers: Record<string, string>, body?: number, entry?: number) =>
    readHint(h(headers), body, readQuota(h(headers), NOW), entry, NOW);

  it('takes retry-after-ms, then Retry-After, then the body, the quota, the catalog', () => {
    expect(hint({ 'retry-after-ms': '250', 'retry-after': '3' }, 1, 9)).toEqual({
      ms: 250,
      source: 'retry-after-ms',
    });
    expect(hint({ 'retry-after': '3' }, 1, 9)).toEqual({ ms: 3000, source: 'retry-after' });
    expect(hint({}, 1.25, 9)).toEqual({ ms: 1250, source: 'body' });
    // Discord sends both: the header rounds the body's seconds up; the body is more precise.
    expect(hint({ 'retry-after': '2' }, 1.25)).toEqual({ ms: 1250, source: 'body' });
    expect(hint({ 'retry-after': '3' }, 1.25)).toEqual({ ms: 3000, source: 'retry-after' });
    expect(hint({ ratelimit: '"d";r=0;t=4' }, undefined, 9)).toEqual({
      ms: 4000,
      source: 'ratelimit',
    });
    expect(hint({ ratelimit: '"d";r=3;t=4' }, undefined, 9)).toEqual({
      ms: 9000,
      source: 'catalog',
    });
    expect(hint({})).toBeUndefined();
  });

  it('reads HTTP-dates; a past date is now; a far one is kept for the caller to refuse', () => {
    expect(hint({ 'retry-after': new Date(NOW + 5000).toUTCString() })?.ms).toBe(5000);
    expect(hint({ 'retry-after': new Date(NOW - 5000).toUTCString() })?.ms).toBe(0);
    expect(hint({ 'retry-after': new Date(NOW + 2 * 365 * 86_400_000).toUTCString() })?.ms).toBe(
      2 * 365 * 86_400_000,
    );
  });

  it('skips negative, NaN and garbage values', () => {
    for (const value of ['-1', 'NaN', 'soon', '', '1e3', 'Infinity']) {
      expect(hint({ 'retry-after': value }), value).toBeUndefined();
    }
    expect(hint({ 'retry-after-ms': '-5' })).toBeUndefined();
  });
});
