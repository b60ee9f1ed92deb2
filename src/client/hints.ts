import type { Quota } from './policy.js';

/** A server's hint of when to try again. */
export interface Hint {
  /** Milliseconds from now; may be absurdly large: the caller decides what to do with it. */
  ms: number;
  /** Where it came from: a header name (lower case), `body`, `ratelimit` or `catalog`. */
  source: string;
}

/**
 * A non-negative decimal number (`3`, `1.5`), else `undefined`. Header values come trimmed of
 * HTTP whitespace; anything else around the digits makes the value malformed.
 */
export const decimal = (value: string | null | undefined): number | undefined =>
  value != null && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;

const param = (re: RegExp, text: string): number | undefined => decimal(re.exec(text)?.[1]);

/**
 * Reads a quota from the IETF `RateLimit` field (`"default";r=0;t=10`, with `q` and `w` from
 * the `RateLimit-Policy` item of the same name), its older dictionary form
 * (`limit=100, remaining=0, reset=10`), the separate `RateLimit-Remaining` /
 * `RateLimit-Reset` fields, or `X-RateLimit-Remaining` with `X-RateLimit-Reset-After` or
 * `X-RateLimit-Reset` (delta seconds, or an epoch date in seconds or milliseconds). With
 * several policies the one with the least remaining binds. Malformed values are ignored, as
 * the draft requires.
 */
export function readQuota(headers: Headers, now: number): Quota | undefined {
  let best: Quota | undefined;
  const field = headers.get('ratelimit');
  for (const item of field?.split(',') ?? []) {
    const remaining = param(/(?:;\s*r|remaining)=(\d+)/, item) ?? param(/remaining=(\d+)/, field!);
    if (remaining === undefined) continue;
    const quota: Quota = {
      remaining,
      reset: param(/(?:;\s*t|reset)=(\d+)/, item) ?? param(/reset=(\d+)/, field!) ?? 0,
    };
    const name = /^\s*("[^"]*")/.exec(item)?.[1];
    for (const policy of headers.get('ratelimit-policy')?.split(',') ?? []) {
      if (name && policy.trim().startsWith(name)) {
        quota.limit = param(/;\s*q=(\d+)/, policy);
        quota.window = param(/;\s*w=(\d+)/, policy);
      }
    }
    if (!best || remaining < best.remaining) best = quota;
  }
  if (field) return best;
  for (const prefix of ['ratelimit-', 'x-ratelimit-']) {
    const remaining = decimal(headers.get(`${prefix}remaining`));
    if (remaining === undefined) continue;
    let reset = decimal(headers.get(`${prefix}reset-after`) ?? headers.get(`${prefix}reset`)) ?? 0;
    // A reset above a billion is a date (epoch seconds, or milliseconds), not a delay.
    if (reset > 1e12) reset /= 1000;
    if (reset > 1e9) reset = Math.max(0, reset - now / 1000);
    return { remaining, reset, limit: decimal(headers.get(`${prefix}limit`)) };
  }
  return undefined;
}

/**
 * The server's hint of when to retry, by precedence: `retry-after-ms`, `Retry-After` (seconds
 * or HTTP-date; a past date is 0), the body's `retry_after` (seconds, fractional as Discord
 * and Jan send it; it wins over a `Retry-After` that is only its value rounded up), an
 * exhausted quota's reset, then the catalog entry's default. Malformed
 * values (NaN, negative, garbage) are skipped. A value too far away is returned as it is, for
 * the caller to refuse rather than to retry early.
 */
export function readHint(
  headers: Headers,
  body: number | undefined,
  quota: Quota | undefined,
  entry: number | undefined,
  now: number,
): Hint | undefined {
  const ms = decimal(headers.get('retry-after-ms'));
  if (ms !== undefined) return { ms, source: 'retry-after-ms' };
  const raw = headers.get('retry-after') ?? '';
  // Delta-seconds or an HTTP-date (a past date is now); NaN when absent or malformed.
  const value = /[a-z]/i.test(raw)
    ? Math.max(0, Date.parse(raw) - now)
    : (decimal(raw) ?? Number.NaN) * 1000;
  // A header that is the body's fractional seconds rounded up says the same, less precisely.
  if (body !== undefined && body * 1000 < value && Math.ceil(body) * 1000 === value) {
    return { ms: body * 1000, source: 'body' };
  }
  if (value >= 0) return { ms: value, source: 'retry-after' };
  if (body !== undefined) return { ms: body * 1000, source: 'body' };
  if (quota && quota.remaining <= 0) return { ms: quota.reset * 1000, source: 'ratelimit' };
  if (entry !== undefined) return { ms: entry * 1000, source: 'catalog' };
  return undefined;
}
