import { describe, expect, it } from 'vitest';
import { createFetchHandler } from '../server/app.js';
import { composeMiddleware } from './fetch.js';
import { MemoryRateLimitStore } from './memory.js';
import { rateLimit, rateLimitHook } from './middleware.js';
import type { RateLimitStore } from './types.js';

const ok = async () =>
  new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
const request = (headers: Record<string, string> = {}) =>
  new Request('http://api.test/orders', { method: 'POST', headers });

describe('rateLimit (Fetch middleware)', () => {
  it('sends RateLimit-Policy and RateLimit on every admitted response', async () => {
    const limit = rateLimit({
      key: 'api-key',
      policies: [
        { name: 'per-second', limit: 2, windowMs: 1000 },
        { name: 'per-hour', limit: 100, windowMs: 3_600_000 },
      ],
    });
    const response = await limit(request({ authorization: 'Bearer k1' }), ok);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe(
      '"per-second";q=2;w=1, "per-hour";q=100;w=3600',
    );
    expect(response.headers.get('ratelimit')).toBe('"per-second";r=1;t=1, "per-hour";r=99;t=36');
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers 429 problem+json with Retry-After, retry_after and the violated policy', async () => {
    const limit = rateLimit({
      key: 'api-key',
      legacyHeaders: true,
      policies: { name: 'per-minute', limit: 1, windowMs: 60_000 },
    });
    await limit(request({ 'x-api-key': 'k' }), ok);
    let ran = false;
    const refused = await limit(request({ 'x-api-key': 'k' }), async () => {
      ran = true;
      return ok();
    });
    expect(ran).toBe(false);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('ratelimit')).toBe('"per-minute";r=0;t=60');
    expect(refused.headers.get('ratelimit-policy')).toBe('"per-minute";q=1;w=60');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const body = await refused.json();
    expect(body).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      status: 429,
      code: 'rate_limited',
      retry_after: 60,
      'violated-policies': ['per-minute'],
    });
  });

  it('counts by client address, API key (hashed) or a function, each apart', async () => {
    const store = new MemoryRateLimitStore();
    const seen: string[] = [];
    const spy: RateLimitStore = {
      consume: (checks, cost) => {
        seen.push(...checks.map((c) => c.key));
        return store.consume(checks, cost);
      },
      refund: (checks, cost) => store.refund(checks, cost),
    };
    const limit = rateLimit({
      store: spy,
      clientAddress: () => '203.0.113.9',
      policies: [
        { name: 'ip', limit: 5, windowMs: 1000 },
        { name: 'key', limit: 5, windowMs: 1000, key: 'api-key' },
        {
          name: 'tenant',
          limit: 5,
          windowMs: 1000,
          key: (r) => r.headers.get('x-tenant') ?? undefined,
        },
      ],
    });
    await limit(request({ authorization: 'Bearer secret-token', 'x-tenant': 'acme' }), ok);
    expect(seen[0]).toBe('default:ip:203.0.113.9');
    expect(seen[1]).toMatch(/^default:key:[A-Za-z0-9_-]{43}$/);
    expect(seen.join()).not.toContain('secret-token');
    expect(seen[2]).toBe('default:fn:acme');
    // Without a key or tenant header, those policies do not apply to the request.
    seen.length = 0;
    const response = await limit(request(), ok);
    expect(seen).toEqual(['default:ip:203.0.113.9']);
    expect(response.headers.get('ratelimit')).toBe('"ip";r=3;t=1');
  });

  it('needs a client address to count by IP on the Fetch API', () => {
    expect(() => rateLimit({ policies: { limit: 1, windowMs: 1000 } })).toThrow(/clientAddress/);
  });

  it('charges the cost of a request', async () => {
    const limit = rateLimit({
      key: () => 'one',
      cost: (r) => Number(r.headers.get('x-units') ?? 1),
      policies: { name: 'units', limit: 10, windowMs: 60_000 },
    });
    const response = await limit(request({ 'x-units': '7' }), ok);
    expect(response.headers.get('ratelimit')).toBe('"units";r=3;t=42');
    expect((await limit(request({ 'x-units': '4' }), ok)).status).toBe(429);
  });

  it('gives the units of an idempotent replay back', async () => {
    const limit = rateLimit({
      key: () => 'r',
      policies: { name: 'p', limit: 3, windowMs: 60_000 },
    });
    const replay = async () => new Response('{}', { headers: { 'idempotent-replayed': 'true' } });
    for (let i = 0; i < 10; i++) {
      const response = await limit(request(), replay);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit')).toBe('"p";r=3;t=0');
    }
    expect(limit.metrics()).toMatchObject({ decisions: 10, refunds: 10 });
  });

  it('answers 503 store_unavailable when failing closed', async () => {
    const down: RateLimitStore = {
      consume: () => Promise.reject(new Error('down')),
      refund: () => Promise.reject(new Error('down')),
    };
    const limit = rateLimit({
      store: down,
      key: () => 'x',
      onStoreFailure: 'fail-closed',
      policies: { name: 'p', limit: 3, windowMs: 60_000 },
    });
    const response = await limit(request(), ok);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'store_unavailable', retry_after: 1 });
    expect(response.headers.get('ratelimit-policy')).toBe('"p";q=3;w=60');
  });

  it('adds headers to responses whose headers are immutable', async () => {
    const limit = rateLimit({ key: () => 'i', policies: { limit: 3, windowMs: 1000 } });
    const immutable = Response.redirect('http://api.test/elsewhere', 302);
    const response = await limit(request(), async () => immutable);
    expect(response.status).toBe(302);
    expect(response.headers.get('ratelimit')).toBe('"3-per-1s";r=2;t=1');
  });

  it('composes with other middleware, outermost first', async () => {
    const order: string[] = [];
    const handler = composeMiddleware(
      async (r, next) => {
        order.push('a');
        return next(r);
      },
      rateLimit({ key: () => 'c', policies: { limit: 1, windowMs: 1000 } }),
    )(async () => {
      order.push('handler');
      return ok();
    });
    expect((await handler(request())).status).toBe(200);
    expect((await handler(request())).status).toBe(429);
    expect(order).toEqual(['a', 'handler', 'a']);
  });
});

describe('rateLimitHook (server hook)', () => {
  it('limits routes of a faultline server and answers with the server catalog', async () => {
    const hook = rateLimitHook({
      key: () => 'hooked',
      legacyHeaders: true,
      policies: { name: 'per-minute', limit: 2, windowMs: 60_000 },
    });
    const fetch = createFetchHandler({
      hooks: [hook],
      routes: { 'POST /orders': () => ({ id: 1 }) },
    });
    const first = await fetch(request());
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toBe('"per-minute";r=1;t=30');
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    await fetch(request());
    const refused = await fetch(request());
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('ratelimit')).toBe('"per-minute";r=0;t=30');
    const body = await refused.json();
    expect(body).toMatchObject({ code: 'rate_limited', status: 429, retry_after: 30 });
    expect(hook.metrics()).toMatchObject({ allowed: 2, limited: 1 });
  });

  it('counts by the client address the adapter reports, or refuses with the traffic catalog', async () => {
    const hook = rateLimitHook({
      errors: 'traffic',
      policies: { name: 'per-minute', limit: 1, windowMs: 60_000 },
    });
    const fetch = createFetchHandler({ hooks: [hook], routes: { 'POST /orders': () => ({}) } });
    // The Fetch target reports no client address: the policy does not apply.
    expect((await fetch(request())).status).toBe(200);
    expect((await fetch(request())).status).toBe(200);
    const keyed = rateLimitHook({
      key: () => 'one',
      errors: 'traffic',
      policies: { name: 'per-minute', limit: 1, windowMs: 60_000 },
    });
    const fetch2 = createFetchHandler({ hooks: [keyed], routes: { 'POST /orders': () => ({}) } });
    await fetch2(request());
    const refused = await fetch2(request());
    expect(await refused.json()).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      'violated-policies': ['per-minute'],
    });
  });
});
