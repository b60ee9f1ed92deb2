import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../core/error.js';
import { discord, eventStore, jan, s2 } from '../presets/index.js';
import { createClient, type Hooks } from './client.js';
import { RequestError } from './errors.js';

type Step =
  | Response
  | Error
  | 'hang'
  | ((url: string, init: RequestInit) => Response | Promise<Response>);

interface Call {
  url: string;
  method: string;
  headers: Headers;
  at: number;
}

const START = Date.UTC(2030, 0, 1);

/** A `fetch` that answers from a script, one step per call (the last step repeats). */
function scripted(...steps: Step[]) {
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      at: Date.now() - START,
    });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)]!;
    if (step === 'hang') {
      return new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(url, init);
    return step.clone();
  };
  return { fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const ok = (body: unknown = { ok: true }, headers?: Record<string, string>) =>
  json(200, body, headers);

function netError(code: string, message: string): TypeError {
  return Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error(message), { code }),
  });
}
const refused = () => netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9');
const reset = () => netError('ECONNRESET', 'read ECONNRESET');

/** Runs `promise` to completion under fake timers; rethrows its rejection. */
async function drive<T>(promise: Promise<T>): Promise<T> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const result = await outcome;
  if ('error' in result) throw result.error;
  return result.value;
}

/** The rejection of `promise`, driven under fake timers, as a RequestError. */
async function failure(promise: Promise<unknown>): Promise<RequestError> {
  const error = await drive(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RequestError.is(error)).toBe(true);
  return error as RequestError;
}

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const base = 'https://api.test';

describe('retry decision', () => {
  it('retries a 503 on a GET and resolves with the data of the success', async () => {
    const { fetch, calls } = scripted(json(503, { code: 'unavailable', message: 'down' }), ok());
    const api = createClient({ baseUrl: base, fetch, catalog: s2 });
    expect(await drive(api.get('/x'))).toEqual({ ok: true });
    expect(calls).toHaveLength(2);
    // Full jitter: attempt 1 waits random() * base * 2^0 = 0.5 * 100 ms.
    expect(calls[1]!.at).toBe(50);
  });

  it('does not retry a non-retryable 4xx, and says why', async () => {
    const { fetch, calls } = scripted(json(400, { code: 'bad_json', message: 'nope' }), ok());
    const api = createClient({ baseUrl: base, fetch, catalog: s2 });
    const error = await failure(api.get('/x'));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bad_json', status: 400, reason: 'not-retryable' });
    expect(error.entry?.name).toBe('BadJson');
    expect(error.mayHaveTakenEffect).toBe(false);
  });

  it('does not repeat an after-change error, but retries a retryable 409 even on a POST', async () => {
    const pending = scripted(json(409, { code: 'stream_deletion_pending', message: 'wait' }));
    const api = createClient({ baseUrl: base, fetch: pending.fetch, catalog: s2 });
    await expect(failure(api.get('/x'))).resolves.toMatchObject({ reason: 'after-change' });
    expect(pending.calls).toHaveLength(1);

    const conflict = scripted(json(409, { code: 'transaction_conflict', message: 'race' }), ok());
    const noKeys = createClient({
      baseUrl: base,
      fetch: conflict.fetch,
      catalog: s2,
      idempotencyKey: false,
    });
    // Side effect `no`: safe to repeat without any key.
    expect(await drive(noKeys.post('/x', { a: 1 }))).toEqual({ ok: true });
    expect(conflict.calls).toHaveLength(2);
  });

  it('retries a POST that may have taken effect only with an Idempotency-Key, the same each time', async () => {
    const withKey = scripted(json(503, { code: 'unavailable', message: 'down' }), ok());
    const api = createClient({ baseUrl: base, fetch: withKey.fetch, catalog: s2 });
    await drive(api.post('/orders', { sku: 'A1' }));
    const keys = withKey.calls.map((call) => call.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys).toEqual([keys[0], keys[0]]);

    const noKey = scripted(json(503, { code: 'unavailable', message: 'down' }), ok());
    const bare = createClient({
      baseUrl: base,
      fetch: noKey.fetch,
      catalog: s2,
      idempotencyKey: false,
    });
    const error = await failure(bare.post('/orders', { sku: 'A1' }));
    expect(noKey.calls).toHaveLength(1);
    expect(noKey.calls[0]!.headers.has('idempotency-key')).toBe(false);
    expect(error).toMatchObject({
      code: 'unavailable',
      reason: 'unsafe',
      mayHaveTakenEffect: true,
    });
  });

  it('keeps a key the caller set, and lets the caller vouch for an idempotent POST', async () => {
    const { fetch, calls } = scripted(json(503, {}), json(503, {}), ok());
    const api = createClient({ baseUrl: base, fetch, idempotencyKey: false });
    await drive(api.post('/x', {}, { headers: { 'Idempotency-Key': 'mine' } }));
    expect(calls.map((c) => c.headers.get('idempotency-key'))).toEqual(['mine', 'mine', 'mine']);
    const vouched = scripted(json(503, {}), ok());
    const api2 = createClient({ baseUrl: base, fetch: vouched.fetch, idempotencyKey: false });
    await drive(api2.post('/x', {}, { idempotent: true }));
    expect(vouched.calls).toHaveLength(2);
  });

  it('retries a POST whose connection was refused (nothing sent), not one that was reset', async () => {
    const before = scripted(refused(), ok());
    const api = createClient({ baseUrl: base, fetch: before.fetch, idempotencyKey: false });
    expect(await drive(api.post('/x', {}))).toEqual({ ok: true });
    expect(before.calls).toHaveLength(2);

    const after = scripted(reset(), ok());
    const api2 = createClient({ baseUrl: base, fetch: after.fetch, idempotencyKey: false });
    const error = await failure(api2.post('/x', {}));
    expect(after.calls).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'network_error',
      reason: 'unsafe',
      mayHaveTakenEffect: true,
    });
    expect(error.attempts[0]).toMatchObject({ sent: true, status: undefined });
  });

  it('reports a refused connection as a failure that sent nothing', async () => {
    const { fetch } = scripted(refused());
    const api = createClient({ baseUrl: base, fetch, retry: 2 });
    const error = await failure(api.get('/x'));
    expect(error).toMatchObject({
      code: 'connect_error',
      reason: 'attempts',
      mayHaveTakenEffect: false,
    });
    expect(error.attempts.map((a) => a.sent)).toEqual([false, false]);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('falls back to the status for unknown codes: 502 retried, 501 not', async () => {
    const bad = scripted(json(502, { code: 'weird', message: 'gateway' }), ok());
    const api = createClient({ baseUrl: base, fetch: bad.fetch, catalog: s2 });
    expect(await drive(api.get('/x'))).toEqual({ ok: true });
    const unimplemented = scripted(new Response('<html>nope</html>', { status: 501 }));
    const api2 = createClient({ baseUrl: base, fetch: unimplemented.fetch });
    const error = await failure(api2.get('/x'));
    expect(error).toMatchObject({ code: 501, status: 501, reason: 'not-retryable' });
    expect(unimplemented.calls).toHaveLength(1);
  });

  it('stops after the attempt limit with every attempt recorded', async () => {
    const { fetch, calls } = scripted(
      json(503, { code: 'unavailable', message: 'down' }, { 'x-request-id': 'r1' }),
    );
    const api = createClient({ baseUrl: base, fetch, catalog: s2, retry: { attempts: 3 } });
    const error = await failure(api.get('/x'));
    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({
      code: 'unavailable',
      status: 503,
      reason: 'attempts',
      requestId: 'r1',
      method: 'GET',
      url: 'https://api.test/x',
    });
    expect(error.entry).toBe(s2.get('unavailable'));
    expect(error.attempts.map((a) => [a.attempt, a.status, a.code, a.delay, a.reason])).toEqual([
      [1, 503, 'unavailable', 50, 'retry'],
      [2, 503, 'unavailable', 100, 'retry'],
      [3, 503, 'unavailable', undefined, 'attempts'],
    ]);
    expect(error.message).toContain('GET https://api.test/x');
    expect(error.response?.status).toBe(503);
    await expect(error.response?.json()).resolves.toEqual({ code: 'unavailable', message: 'down' });
  });

  it('caps the exponential backoff at maxDelay', async () => {
    const { fetch, calls } = scripted(json(500, {}));
    const api = createClient({
      baseUrl: base,
      fetch,
      retry: { attempts: 6, base: 100, maxDelay: 300 },
      budget: false,
      breaker: false,
    });
    await failure(api.get('/x'));
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    expect(gaps).toEqual([50, 100, 150, 150, 150]);
  });
});

describe('success-equivalent and not-success codes', () => {
  it('resolves an event store 2002 as success, with the decoded error', async () => {
    const { fetch, calls } = scripted(json(409, { code: 2002, message: 'already written' }));
    const api = createClient({ baseUrl: base, fetch, catalog: eventStore });
    const result = await drive(api.post('/append', { seq: 7 }));
    expect(calls).toHaveLength(1);
    expect(ApiError.is(result)).toBe(true);
    expect(result).toMatchObject({ code: 2002, status: 409 });
    const sent = await drive(api.send(`${base}/append`, { method: 'POST' }));
    expect(sent.equivalent?.code).toBe(2002);
    expect(sent.response.status).toBe(409);
  });

  it('retries 2013 (must not be treated as success) with the same key until it lands', async () => {
    const { fetch, calls } = scripted(
      json(409, { code: 2013, message: 'replicating' }),
      json(409, { code: 2013, message: 'replicating' }),
      json(409, { code: 2002, message: 'already written' }),
    );
    const api = createClient({ baseUrl: base, fetch, catalog: eventStore });
    const result = await drive(api.post('/append', { seq: 7 }));
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers.get('idempotency-key'))).size).toBe(1);
    expect(result).toMatchObject({ code: 2002 });
  });
});

describe('delays from server hints', () => {
  const hinted = async (headers: Record<string, string>, body: unknown = {}, status = 503) => {
    const { fetch, calls } = scripted(json(status, body, headers), ok());
    const api = createClient({ baseUrl: base, fetch, catalog: discord });
    const result = await drive(api.send(`${base}/x`));
    return { gap: calls[1]!.at - calls[0]!.at, attempt: result.attempts[0]! };
  };

  it('waits Retry-After seconds', async () => {
    expect((await hinted({ 'retry-after': '3' })).gap).toBe(3000);
  });

  it('waits until a Retry-After HTTP-date; a past date means now', async () => {
    const date = new Date(START + 4000).toUTCString();
    expect((await hinted({ 'retry-after': date })).gap).toBe(4000);
    const past = new Date(START - 60_000).toUTCString();
    expect((await hinted({ 'retry-after': past })).gap).toBe(0);
  });

  it('prefers retry-after-ms, then Retry-After, then the body retry_after (fractional seconds)', async () => {
    const ms = await hinted({ 'retry-after-ms': '1250', 'retry-after': '9' });
    expect(ms).toMatchObject({ gap: 1250, attempt: { source: 'retry-after-ms', delay: 1250 } });
    const limited = { message: 'You are being rate limited.', retry_after: 0.75, global: false };
    const both = await hinted({ 'retry-after': '2' }, limited, 429);
    expect(both).toMatchObject({ gap: 2000, attempt: { source: 'retry-after' } });
    // A header that only rounds the body's seconds up gives way to the more precise body.
    const rounded = await hinted({ 'retry-after': '1' }, limited, 429);
    expect(rounded).toMatchObject({ gap: 750, attempt: { source: 'body' } });
    const body = await hinted({}, limited, 429);
    expect(body).toMatchObject({ gap: 750, attempt: { source: 'body' } });
  });

  it('waits for an exhausted RateLimit quota and for X-RateLimit-Reset', async () => {
    const ietf = await hinted({ ratelimit: '"default";r=0;t=2' }, {}, 429);
    expect(ietf).toMatchObject({ gap: 2000, attempt: { source: 'ratelimit' } });
    const reset = String(Date.now() / 1000 + 5);
    const x = await hinted({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, {}, 429);
    expect(x).toMatchObject({ gap: 5000, attempt: { source: 'ratelimit' } });
  });

  it('ignores malformed and negative hints and backs off instead', async () => {
    expect(await hinted({ 'retry-after': '-5' })).toMatchObject({
      gap: 50,
      attempt: { source: 'backoff' },
    });
    expect((await hinted({ 'retry-after': 'soon, maybe' })).gap).toBe(50);
    expect((await hinted({ 'retry-after': 'NaN' })).gap).toBe(50);
  });

  it('uses the catalog entry default when the server sends no hint', async () => {
    const catalog = (await import('../core/catalog.js')).defineCatalog({
      name: 'slow',
      entries: {
        busy: {
          name: 'Busy',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'busy',
          retryAfter: 7,
        },
      },
    });
    const { fetch, calls } = scripted(json(503, { code: 'busy', message: 'busy' }), ok());
    const api = createClient({ baseUrl: base, fetch, catalog });
    await drive(api.get('/x'));
    expect(calls[1]!.at - calls[0]!.at).toBe(7000);
  });

  it('refuses a hint a year away and reports when a retry would be allowed', async () => {
    const { fetch, calls } = scripted(json(503, {}, { 'retry-after': String(400 * 86_400) }));
    const api = createClient({ baseUrl: base, fetch });
    const error = await failure(api.get('/x'));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ reason: 'hint-too-long', retryAt: START + 400 * 86_400_000 });
    expect(error.retryAfter).toBe(400 * 86_400);
  });

  it('fails at once when the hint lands after the deadline, saying when to retry', async () => {
    const { fetch, calls } = scripted(json(429, {}, { 'retry-after': '30' }), ok());
    const api = createClient({ baseUrl: base, fetch, deadline: 10_000 });
    const promise = api.get('/x');
    const error = await failure(promise);
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, reason: 'deadline', retryAt: START + 30_000 });
    // It failed without sleeping: the clock did not move.
    expect(Date.now()).toBe(START);
  });
});

describe('rate limits hold the whole origin', () => {
  it('pauses other requests to the origin after a 429, not other origins', async () => {
    const { fetch, calls } = scripted((url) =>
      url.includes('/first') && calls.length === 1 ? json(429, {}, { 'retry-after': '2' }) : ok(),
    );
    const api = createClient({ baseUrl: base, fetch });
    const first = api.get('/first');
    await vi.advanceTimersByTimeAsync(10);
    const second = api.get('/second');
    const elsewhere = api.get('https://other.test/y');
    await drive(Promise.all([first, second, elsewhere]));
    const at = (path: string) => calls.filter((c) => c.url.endsWith(path)).map((c) => c.at);
    expect(at('/first')).toEqual([0, 2000]);
    expect(at('/second')).toEqual([2000]);
    expect(at('/y')).toEqual([10]);
  });

  it('pauses the origin after a 503 that says when to come back, not after a bare 503', async () => {
    const { fetch, calls } = scripted((url) =>
      url.includes('/down') && calls.length === 1
        ? json(503, { code: 'unavailable', message: 'down' }, { 'retry-after': '2' })
        : url.includes('/flaky') && calls.filter((c) => c.url.includes('/flaky')).length === 1
          ? json(503, { code: 'unavailable', message: 'down' })
          : ok(),
    );
    const api = createClient({ baseUrl: base, fetch, retry: { base: 100, maxDelay: 100 } });
    const down = api.get('/down');
    await vi.advanceTimersByTimeAsync(10);
    const other = api.get('/other');
    await drive(Promise.all([down, other]));
    const at = (path: string) => calls.filter((c) => c.url.endsWith(path)).map((c) => c.at);
    expect(at('/down')).toEqual([0, 2000]);
    expect(at('/other')).toEqual([2000]);
    // Without a hint, only the failed request backs off; others go at once.
    const flaky = api.get('/flaky');
    await vi.advanceTimersByTimeAsync(1);
    const next = api.get('/next');
    await drive(Promise.all([flaky, next]));
    const sent = calls.filter((c) => c.url.endsWith('/flaky'))[0]!.at;
    expect(at('/next')).toEqual([sent + 1]);
  });

  it('keeps partitions apart', async () => {
    const { fetch, calls } = scripted((_url, init) =>
      new Headers(init.headers).get('x-key') === 'a' && calls.length === 1
        ? json(429, {}, { 'retry-after': '3' })
        : ok(),
    );
    const keyed = createClient({
      baseUrl: base,
      fetch,
      partition: (url) => url.searchParams.get('key') ?? '',
    });
    const a = keyed.get('/x?key=a', { headers: { 'x-key': 'a' } });
    await vi.advanceTimersByTimeAsync(5);
    const b = keyed.get('/x?key=b');
    await drive(Promise.all([a, b]));
    expect(calls.map((c) => c.at)).toEqual([0, 5, 3000]);
  });

  it('paces requests before sending when a RateLimit field says nothing remains', async () => {
    const { fetch, calls } = scripted(
      ok({}, { ratelimit: '"default";r=0;t=3', 'ratelimit-policy': '"default";q=2;w=3' }),
      ok(),
    );
    const api = createClient({ baseUrl: base, fetch });
    await drive(api.get('/a'));
    await drive(Promise.all([api.get('/b'), api.get('/c'), api.get('/d')]));
    // Held until the window resets, then the policy's quota of 2 goes spread over the window
    // (one every 3000 / 2 ms), the third in the next window.
    expect(calls.map((c) => c.at)).toEqual([0, 3000, 4500, 6000]);
  });

  it('does not slow requests down while the quota has room', async () => {
    const { fetch, calls } = scripted(
      ok({}, { ratelimit: '"default";r=90;t=60', 'ratelimit-policy': '"default";q=100;w=60' }),
    );
    const api = createClient({ baseUrl: base, fetch });
    await drive(api.get('/a'));
    await drive(Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/b${i}`))));
    expect(new Set(calls.map((c) => c.at))).toEqual(new Set([0]));
    expect(calls).toHaveLength(21);
  });

  it('releases the requests a 429 held one after another at the policy rate, not at once', async () => {
    const limited = {
      'retry-after': '1',
      ratelimit: '"default";r=0;t=1',
      'ratelimit-policy': '"default";q=4;w=1',
    };
    const { fetch, calls } = scripted((url) =>
      url.endsWith('/a') && calls.length === 1 ? json(429, {}, limited) : ok(),
    );
    const api = createClient({ baseUrl: base, fetch });
    const first = api.get('/a');
    await vi.advanceTimersByTimeAsync(10);
    const held = ['/b', '/c', '/d', '/e'].map((path) => api.get(path));
    await drive(Promise.all([first, ...held]));
    // 4 a second: one every 250 ms once the pause ends; the retry of /a queues behind.
    expect(calls.map((c) => [c.url.slice(base.length), c.at])).toEqual([
      ['/a', 0],
      ['/b', 1000],
      ['/c', 1250],
      ['/d', 1500],
      ['/e', 1750],
      ['/a', 2000],
    ]);
  });

  it('does not count twice a request the server counted before answering another', async () => {
    // The server takes the requests in the order they come, 3 units for all; the first
    // request's answer is the slower one.
    const { fetch, calls } = scripted((url) => {
      const remaining = 3 - calls.length;
      return new Promise((resolve) => {
        setTimeout(
          () => resolve(ok({}, { ratelimit: `"default";r=${remaining};t=5` })),
          url.endsWith('/a') ? 20 : 10,
        );
      });
    });
    const api = createClient({ baseUrl: base, fetch });
    const first = Promise.all([api.get('/a'), api.get('/b')]);
    // /b says 1 remains; /a, still on its way, was counted in that already.
    await vi.advanceTimersByTimeAsync(15);
    const later = Promise.all([api.get('/c'), api.get('/d')]);
    await drive(Promise.all([first, later]));
    expect(calls.map((c) => [c.url.slice(base.length), c.at])).toEqual([
      ['/a', 0],
      ['/b', 0],
      ['/c', 15],
      ['/d', 5010],
    ]);
  });

  it('refuses to wait for a quota past the deadline, with a throttled error that sent nothing', async () => {
    const { fetch, calls } = scripted(ok({}, { ratelimit: '"default";r=0;t=60' }));
    const api = createClient({ baseUrl: base, fetch, deadline: 5_000 });
    await drive(api.get('/a'));
    const error = await failure(api.get('/b'));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'throttled',
      status: 429,
      reason: 'deadline',
      mayHaveTakenEffect: false,
      retryAt: START + 60_000,
      attempts: [],
    });
  });
});

describe('retry budget', () => {
  it('denies retries once the budget is spent', async () => {
    const { fetch, calls } = scripted(json(503, {}));
    const api = createClient({
      baseUrl: base,
      fetch,
      retry: 5,
      budget: { max: 2, ratio: 0, minPerSecond: 0 },
      breaker: false,
    });
    const error = await failure(api.get('/x'));
    expect(calls).toHaveLength(3);
    expect(error.reason).toBe('budget');
    const again = await failure(api.get('/x'));
    expect(again.attempts).toHaveLength(1);
    expect(again.reason).toBe('budget');
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast without sending, then probes and closes', async () => {
    let down = true;
    const { fetch, calls } = scripted(() => (down ? json(503, {}) : ok()));
    const changes: string[] = [];
    const api = createClient({
      baseUrl: base,
      fetch,
      retry: false,
      breaker: { consecutive: 3, openFor: 1_000 },
      hooks: { onBreakerChange: ({ from, to }) => changes.push(`${from}>${to}`) },
    });
    for (let i = 0; i < 3; i++) await failure(api.get('/x'));
    expect(changes).toEqual(['closed>open']);
    const open = await failure(api.get('/x'));
    expect(calls).toHaveLength(3);
    expect(open).toMatchObject({
      code: 'circuit_open',
      reason: 'circuit-open',
      mayHaveTakenEffect: false,
      retryAt: START + 1_000,
      attempts: [],
    });
    await vi.advanceTimersByTimeAsync(1_000);
    down = false;
    await drive(api.get('/x'));
    expect(changes).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('lets a limited number of probes through while half-open', async () => {
    let release: (() => void) | undefined;
    let down = true;
    const { fetch, calls } = scripted(() =>
      down
        ? json(503, {})
        : new Promise<Response>((resolve) => {
            release = () => resolve(ok());
          }),
    );
    const api = createClient({
      baseUrl: base,
      fetch,
      retry: false,
      breaker: { consecutive: 1, openFor: 500, probes: 1 },
    });
    await failure(api.get('/x'));
    await vi.advanceTimersByTimeAsync(500);
    down = false;
    const probe = api.get('/x');
    await vi.advanceTimersByTimeAsync(0);
    await expect(failure(api.get('/x'))).resolves.toMatchObject({ code: 'circuit_open' });
    release?.();
    await drive(probe);
    expect(calls).toHaveLength(2);
  });

  it('does not count client errors (4xx) as failures', async () => {
    const { fetch, calls } = scripted(json(404, {}));
    const api = createClient({ baseUrl: base, fetch, breaker: { consecutive: 2 } });
    for (let i = 0; i < 4; i++) await failure(api.get('/x'));
    expect(calls).toHaveLength(4);
  });
});

describe('timeouts, deadline and abort', () => {
  it('times an attempt out and retries it', async () => {
    const { fetch, calls } = scripted('hang', ok());
    const api = createClient({ baseUrl: base, fetch, timeout: 1_000 });
    expect(await drive(api.get('/x'))).toEqual({ ok: true });
    expect(calls.map((c) => c.at)).toEqual([0, 1050]);
  });

  it('gives up with timeout when every attempt hangs', async () => {
    const { fetch } = scripted('hang');
    const api = createClient({ baseUrl: base, fetch, timeout: 100, retry: 2 });
    const error = await failure(api.get('/x'));
    expect(error).toMatchObject({ code: 'timeout', status: 504, reason: 'attempts' });
    expect(error.mayHaveTakenEffect).toBe(true);
  });

  it('ends an attempt at the deadline with deadline_exceeded', async () => {
    const { fetch } = scripted('hang');
    const api = createClient({ baseUrl: base, fetch, timeout: 10_000, deadline: 2_500 });
    const error = await failure(api.get('/x'));
    expect(error).toMatchObject({ code: 'deadline_exceeded', reason: 'deadline' });
    expect(Date.now() - START).toBe(2_500);
  });

  it('cancels the wait between attempts when the caller aborts', async () => {
    const { fetch, calls } = scripted(json(503, {}, { 'retry-after': '20' }), ok());
    const api = createClient({ baseUrl: base, fetch });
    const controller = new AbortController();
    const promise = api.get('/x', { signal: controller.signal });
    const settled = promise.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error('user left'));
    const error = (await settled) as RequestError;
    expect(RequestError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'aborted', reason: 'aborted', mayHaveTakenEffect: true });
    expect(calls).toHaveLength(1);
    expect(Date.now() - START).toBe(1_000);
  });

  it('does not send at all when the signal is already aborted', async () => {
    const { fetch, calls } = scripted(ok());
    const api = createClient({ baseUrl: base, fetch });
    const error = await failure(api.get('/x', { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: 'aborted', mayHaveTakenEffect: false });
    expect(calls).toHaveLength(0);
  });

  it('leaves no listener on a signal shared by many requests', async () => {
    const { fetch } = scripted(ok());
    const api = createClient({ baseUrl: base, fetch });
    const shared = new AbortController().signal;
    for (let i = 0; i < 20; i++) await drive(api(`/x${i}`, { signal: shared }));
    expect(getEventListeners(shared, 'abort')).toHaveLength(0);
  });

  it('aborts an attempt in flight', async () => {
    const { fetch } = scripted('hang');
    const api = createClient({ baseUrl: base, fetch });
    const controller = new AbortController();
    const settled = api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await expect(settled).resolves.toMatchObject({ code: 'aborted', reason: 'aborted' });
  });
});

describe('hooks and headers', () => {
  it('calls onRetry and onGiveUp, and survives a hook that throws', async () => {
    const { fetch } = scripted(json(503, { code: 'unavailable', message: 'down' }));
    const seen: string[] = [];
    const hooks: Hooks = {
      onRetry: ({ attempt, error }) => {
        seen.push(`retry ${attempt.attempt} ${error?.code} ${attempt.delay}`);
        throw new Error('a broken logger');
      },
      onGiveUp: (error) => seen.push(`give up ${error.code} ${error.reason}`),
    };
    const api = createClient({ baseUrl: base, fetch, catalog: s2, hooks, retry: 2 });
    await failure(api.get('/x'));
    expect(seen).toEqual(['retry 1 unavailable 50', 'give up unavailable attempts']);
  });

  it('sends the number of failed attempts in the attempt header, on retries only', async () => {
    const { fetch, calls } = scripted(json(502, {}), json(502, {}), ok());
    const api = createClient({ baseUrl: base, fetch, attemptHeader: 'X-Failed-Requests' });
    await drive(api.get('/x'));
    expect(calls.map((c) => c.headers.get('x-failed-requests'))).toEqual([null, '1', '2']);
  });
});

describe('pending answers (202)', () => {
  it('polls a Discord 202 after its retry_after when asked to, and returns the 202 when not', async () => {
    const accepted = () => json(202, { message: 'not ready', code: 0, retry_after: 1.5 });
    const { fetch, calls } = scripted(accepted(), accepted(), ok({ ready: true }));
    const api = createClient({ baseUrl: base, fetch, catalog: discord, poll: 5 });
    const result = await drive(api.send(`${base}/x`));
    expect(await result.response.json()).toEqual({ ready: true });
    expect(calls.map((c) => c.at)).toEqual([0, 1500, 3000]);
    expect(result.attempts.map((a) => a.reason)).toEqual(['poll', 'poll', undefined]);

    const once = scripted(accepted());
    const lazy = createClient({ baseUrl: base, fetch: once.fetch, catalog: discord });
    expect((await drive(lazy.send(`${base}/x`))).response.status).toBe(202);
    expect(once.calls).toHaveLength(1);
  });
});

describe('fetch-compatible function', () => {
  it('resolves with the final error response, its body still readable', async () => {
    const { fetch, calls } = scripted(json(503, { code: 'unavailable', message: 'down' }));
    const api = createClient({ baseUrl: base, fetch, retry: 2 });
    const response = await drive(api('/x'));
    expect(calls).toHaveLength(2);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: 'unavailable', message: 'down' });
  });

  it('rejects with a RequestError when no response came', async () => {
    const { fetch } = scripted(refused());
    const api = createClient({ baseUrl: base, fetch, retry: false });
    await expect(failure(api('/x'))).resolves.toMatchObject({ code: 'connect_error' });
  });

  it('takes a Request, its method, headers and body, and replays the body on retries', async () => {
    const bodies: string[] = [];
    const { fetch, calls } = scripted(async (_url, init) => {
      bodies.push(await new Response(init.body).text());
      return bodies.length === 1 ? json(503, {}) : ok();
    });
    const api = createClient({ fetch });
    const request = new Request('https://api.test/r', {
      method: 'PUT',
      body: 'payload',
      headers: { 'x-trace': 't1' },
    });
    const response = await drive(api(request));
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['payload', 'payload']);
    expect(calls.map((c) => [c.method, c.headers.get('x-trace')])).toEqual([
      ['PUT', 't1'],
      ['PUT', 't1'],
    ]);
  });
});

describe('JSON helpers', () => {
  it('sends JSON and query parameters, and reads JSON back', async () => {
    const { fetch, calls } = scripted(async (url, init) =>
      ok({
        url,
        body: JSON.parse(String(init.body)),
        type: new Headers(init.headers).get('content-type'),
      }),
    );
    const api = createClient({
      baseUrl: `${base}/v1/`,
      fetch,
      headers: { authorization: 'Bearer t' },
    });
    const result = await drive(
      api.patch('/items/1', { n: 1 }, { query: { dry: true, skip: undefined } }),
    );
    expect(result).toEqual({
      url: 'https://api.test/v1/items/1?dry=true',
      body: { n: 1 },
      type: 'application/json',
    });
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer t');
    expect(calls[0]!.headers.get('accept')).toBe('application/json');
  });

  it("asks for JSON over the client's accept, keeps the caller's, labels only a body it encodes", async () => {
    const bodies: unknown[] = [];
    const { fetch, calls } = scripted((_, init) => {
      bodies.push(init.body);
      return ok();
    });
    const api = createClient({
      baseUrl: base,
      fetch,
      headers: { accept: 'text/plain', 'content-type': 'text/plain' },
    });
    await drive(api.get('/a'));
    await drive(api.get('/b', { headers: { accept: 'application/problem+json' } }));
    await drive(api.post('/c', { n: 1 }, { headers: { 'content-type': 'text/csv' } }));
    await drive(api.post('/d', undefined, { body: 'raw' }));
    // The fetch-compatible function adds nothing, and has no `json` option to encode.
    await drive(api('/e', { method: 'POST', json: { n: 2 } } as RequestInit));
    expect(calls.map((c) => [c.headers.get('accept'), c.headers.get('content-type')])).toEqual([
      ['application/json', 'text/plain'],
      ['application/problem+json', 'text/plain'],
      ['application/json', 'application/json'],
      ['application/json', 'text/plain'],
      ['text/plain', 'text/plain'],
    ]);
    expect(bodies).toEqual([undefined, undefined, '{"n":1}', 'raw', undefined]);
  });

  it('fails with invalid_response on a success that is not JSON', async () => {
    const { fetch } = scripted(new Response('<html>portal</html>', { status: 200 }));
    const api = createClient({ baseUrl: base, fetch });
    const error = await failure(api.get('/x'));
    expect(error).toMatchObject({ code: 'invalid_response', reason: 'not-retryable' });
  });

  it('resolves an empty body as undefined', async () => {
    const { fetch } = scripted(new Response(null, { status: 204 }));
    const api = createClient({ baseUrl: base, fetch });
    expect(await drive(api.delete('/x'))).toBeUndefined();
  });

  it('decodes unknown JSON, HTML and empty error bodies without throwing', async () => {
    for (const [body, type] of [
      ['{"weird":true}', 'application/json'],
      ['<html><body>Bad gateway</body></html>', 'text/html'],
      ['', 'text/plain'],
      ['[1,2,3]', 'application/json'],
      [`${'['.repeat(50_000)}`, 'application/json'],
    ] as const) {
      const { fetch } = scripted(
        new Response(body, { status: 418, headers: { 'content-type': type } }),
      );
      const api = createClient({ baseUrl: base, fetch, catalog: jan });
      const error = await failure(api.get('/x'));
      expect(error).toMatchObject({ code: 418, status: 418, reason: 'not-retryable' });
    }
  });
});

describe('typed errors', () => {
  it('narrows by code with the catalog, checking the details', async () => {
    const { fetch } = scripted(json(412, { seq_num_mismatch: 42 }));
    const api = createClient({ baseUrl: base, fetch, catalog: s2 });
    const error: unknown = await failure(api.post('/append', {}));
    expect(api.is(error, 'seq_num_mismatch')).toBe(true);
    if (api.is(error, 'seq_num_mismatch')) expect(error.details.seq_num_mismatch).toBe(42);
    expect(api.is(error, 'unavailable')).toBe(false);
    expect(api.is(new Error('x'), 'seq_num_mismatch')).toBe(false);
    const broken = scripted(refused());
    const api2 = createClient({ baseUrl: base, fetch: broken.fetch, catalog: s2, retry: false });
    expect(api2.is(await failure(api2.get('/x')), 'connect_error')).toBe(true);
  });
});
