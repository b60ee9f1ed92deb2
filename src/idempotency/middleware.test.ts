import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/error.js';
import { composeMiddleware } from '../ratelimit/fetch.js';
import { rateLimit, rateLimitHook } from '../ratelimit/middleware.js';
import { createFetchHandler } from '../server/app.js';
import { MemoryIdempotencyStore } from './memory.js';
import { idempotency, idempotencyHook } from './middleware.js';
import type { IdempotencyStore } from './types.js';

function post(
  body: unknown,
  headers: Record<string, string> = {},
  url = 'http://api.test/orders',
): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A handler that counts its runs and answers 201 with a fresh id. */
function counting(status = 201) {
  const state = { runs: 0 };
  const handler = async (request: Request) => {
    state.runs++;
    const input = await request.json();
    return new Response(JSON.stringify({ id: state.runs, input }), {
      status,
      headers: { 'content-type': 'application/json', location: `/orders/${state.runs}`, date: 'x' },
    });
  };
  return { state, handler };
}

describe('idempotency (Fetch middleware)', () => {
  it('runs a keyed request once and replays its status, headers and body', async () => {
    const guard = idempotency();
    const { state, handler } = counting();
    const first = await guard(post({ sku: 'a' }, { 'idempotency-key': 'k1' }), handler);
    expect(first.status).toBe(201);
    // The first response goes out as the handler made it; only the stored copy is trimmed.
    expect(first.headers.get('date')).toBe('x');
    const firstBody = await first.text();
    const replay = await guard(post({ sku: 'a' }, { 'idempotency-key': 'k1' }), handler);
    expect(state.runs).toBe(1);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe('/orders/1');
    expect(replay.headers.get('date')).toBeNull();
    expect(await replay.text()).toBe(firstBody);
    expect(guard.metrics()).toMatchObject({ claimed: 1, replayed: 1, completed: 1 });
  });

  it('treats JSON bodies that differ only in key order or spacing as the same request', async () => {
    const guard = idempotency();
    const { state, handler } = counting();
    await guard(post('{"a":1,"b":[1,2]}', { 'idempotency-key': 'k' }), handler);
    const replay = await guard(
      post('{ "b": [1, 2],  "a": 1.0 }', { 'idempotency-key': '"k"' }),
      handler,
    );
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(state.runs).toBe(1);
  });

  it('answers 422 for the key reused with another payload or query', async () => {
    const guard = idempotency();
    const { state, handler } = counting();
    await guard(post({ sku: 'a' }, { 'idempotency-key': 'k' }), handler);
    const other = await guard(post({ sku: 'b' }, { 'idempotency-key': 'k' }), handler);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: 'idempotency_key_mismatch', status: 422 });
    const query = await guard(
      post({ sku: 'a' }, { 'idempotency-key': 'k' }, 'http://api.test/orders?express=1'),
      handler,
    );
    expect(query.status).toBe(422);
    expect(state.runs).toBe(1);
  });

  it('answers 409 (retryable, no side effect) to a duplicate while the first runs', async () => {
    const guard = idempotency();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { state, handler } = counting();
    const slow = async (request: Request) => {
      await gate;
      return handler(request);
    };
    const first = guard(post({ sku: 'a' }, { 'idempotency-key': 'k' }), slow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const duplicate = await guard(post({ sku: 'a' }, { 'idempotency-key': 'k' }), slow);
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('retry-after')).toBe('1');
    expect(await duplicate.json()).toMatchObject({
      code: 'idempotency_key_in_flight',
      retry_after: 1,
    });
    release();
    expect((await first).status).toBe(201);
    expect(state.runs).toBe(1);
  });

  it('scopes keys by tenant, method and path', async () => {
    const guard = idempotency();
    const { state, handler } = counting();
    await guard(
      post({ sku: 'a' }, { 'idempotency-key': 'k', authorization: 'Bearer one' }),
      handler,
    );
    await guard(
      post({ sku: 'a' }, { 'idempotency-key': 'k', authorization: 'Bearer two' }),
      handler,
    );
    await guard(
      post(
        { sku: 'a' },
        { 'idempotency-key': 'k', authorization: 'Bearer one' },
        'http://api.test/refunds',
      ),
      handler,
    );
    expect(state.runs).toBe(3);
  });

  it('lets requests without a key through, or refuses them with 400 where required', async () => {
    const { state, handler } = counting();
    expect((await idempotency()(post({}), handler)).status).toBe(201);
    const strict = idempotency({ required: true });
    const missing = await strict(post({}), handler);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'idempotency_key_missing' });
    const invalid = await strict(post({}, { 'idempotency-key': 'x'.repeat(256) }), handler);
    expect(await invalid.json()).toMatchObject({ code: 'idempotency_key_invalid', status: 400 });
    // Safe methods are not guarded at all.
    const get = await strict(
      new Request('http://api.test/orders'),
      async () => new Response('list'),
    );
    expect(await get.text()).toBe('list');
    expect(state.runs).toBe(1);
  });

  it('gives the key back after a 4xx, so the corrected retry runs', async () => {
    const guard = idempotency();
    let runs = 0;
    const handler = async () => {
      runs++;
      return new Response('{"error":"busy"}', { status: runs === 1 ? 409 : 200 });
    };
    expect((await guard(post({ a: 1 }, { 'idempotency-key': 'k' }), handler)).status).toBe(409);
    expect((await guard(post({ a: 1 }, { 'idempotency-key': 'k' }), handler)).status).toBe(200);
    expect(runs).toBe(2);
  });

  it('stores a 5xx like any outcome that may have taken effect', async () => {
    const guard = idempotency();
    let runs = 0;
    const handler = async () => {
      runs++;
      return new Response('{"code":"internal"}', { status: 500 });
    };
    await guard(post({}, { 'idempotency-key': 'k' }), handler);
    const replay = await guard(post({}, { 'idempotency-key': 'k' }), handler);
    expect(replay.status).toBe(500);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('frees the key when the handler throws an error without side effect, keeps it otherwise', async () => {
    const guard = idempotency({ leaseMs: 600, retentionMs: 60_000 });
    const clean = new ApiError({ code: 'bad', status: 400, message: 'no', sideEffect: 'no' });
    await expect(
      guard(post({}, { 'idempotency-key': 'a' }), async () => Promise.reject(clean)),
    ).rejects.toBe(clean);
    expect(
      (await guard(post({}, { 'idempotency-key': 'a' }), async () => new Response('ok'))).status,
    ).toBe(200);

    const crash = new Error('db gone mid-write');
    await expect(
      guard(post({}, { 'idempotency-key': 'b' }), async () => Promise.reject(crash)),
    ).rejects.toBe(crash);
    // It may have taken effect: held until the lease runs out, then free.
    expect(
      (await guard(post({}, { 'idempotency-key': 'b' }), async () => new Response('ok'))).status,
    ).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(
      (await guard(post({}, { 'idempotency-key': 'b' }), async () => new Response('ok'))).status,
    ).toBe(200);
  });

  it('refuses with 503 and runs nothing when the store cannot be asked', async () => {
    const down: IdempotencyStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.reject(new Error('ECONNREFUSED')),
      release: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const guard = idempotency({ store: down });
    const { state, handler } = counting();
    const response = await guard(post({}, { 'idempotency-key': 'k' }), handler);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'store_unavailable', retry_after: 1 });
    expect(state.runs).toBe(0);
    expect(guard.metrics()).toMatchObject({ unavailable: 1, degraded: true });
  });

  it('keeps trying to store the response while the store is briefly down', async () => {
    const memory = new MemoryIdempotencyStore();
    let failures = 2;
    const flaky: IdempotencyStore = {
      claim: (...args) => memory.claim(...args),
      complete: (lease, response) =>
        failures-- > 0 ? Promise.reject(new Error('blip')) : memory.complete(lease, response),
      release: (lease) => memory.release(lease),
    };
    const guard = idempotency({ store: flaky });
    const { state, handler } = counting();
    expect((await guard(post({}, { 'idempotency-key': 'k' }), handler)).status).toBe(201);
    const replay = await guard(post({}, { 'idempotency-key': 'k' }), handler);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(state.runs).toBe(1);
  });

  it('replays a 204 without a body', async () => {
    const guard = idempotency();
    const handler = async () => new Response(null, { status: 204 });
    await guard(post({}, { 'idempotency-key': 'k' }), handler);
    const replay = await guard(post({}, { 'idempotency-key': 'k' }), handler);
    expect(replay.status).toBe(204);
    expect(replay.body).toBeNull();
  });

  it('fingerprints non-JSON and malformed bodies by their bytes', async () => {
    const guard = idempotency();
    const { handler } = counting();
    const plain = async () => new Response('ok');
    const form = (text: string) =>
      new Request('http://api.test/upload', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'idempotency-key': 'u' },
        body: text,
      });
    await guard(form('{not json'), plain);
    expect((await guard(form('{not json'), plain)).headers.get('idempotent-replayed')).toBe('true');
    expect((await guard(form('{not json!'), plain)).status).toBe(422);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect((await guard(post(deep, { 'idempotency-key': 'deep' }), plain)).status).toBe(200);
    expect(
      (await guard(post(deep, { 'idempotency-key': 'deep' }), handler)).headers.get(
        'idempotent-replayed',
      ),
    ).toBe('true');
  });

  it('runs after the rate limiter, whose quota replays do not spend', async () => {
    const { state, handler } = counting();
    const app = composeMiddleware(
      rateLimit({ key: () => 'client', policies: { name: 'p', limit: 2, windowMs: 60_000 } }),
      idempotency(),
    )(handler);
    const first = await app(post({ a: 1 }, { 'idempotency-key': 'k' }));
    expect(first.headers.get('ratelimit')).toMatch(/^"p";r=1;t=(29|30)$/);
    for (let i = 0; i < 5; i++) {
      const replay = await app(post({ a: 1 }, { 'idempotency-key': 'k' }));
      expect(replay.status).toBe(201);
      // Refunded: the quota left is the same as after the first request.
      expect(replay.headers.get('ratelimit')).toMatch(/^"p";r=1;t=(29|30)$/);
    }
    expect(state.runs).toBe(1);
  });
});

describe('idempotencyHook (server hook)', () => {
  function server(required = false) {
    const state = { runs: 0 };
    const hook = idempotencyHook({ required });
    const fetch = createFetchHandler({
      hooks: [hook],
      routes: {
        'POST /orders': ({ body }) => {
          state.runs++;
          return { id: state.runs, body };
        },
        'POST /fail': () => {
          state.runs++;
          throw new ApiError({ code: 'nope', status: 409, message: 'conflict', sideEffect: 'no' });
        },
      },
    });
    return { state, fetch, hook };
  }

  it('replays through the server and refuses duplicates in its wire format', async () => {
    const { state, fetch, hook } = server();
    const first = await fetch(post({ sku: 'a' }, { 'idempotency-key': 'k' }));
    expect(first.status).toBe(200);
    const body = await first.text();
    const replay = await fetch(post({ sku: 'a' }, { 'idempotency-key': 'k' }));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(body);
    const mismatch = await fetch(post({ sku: 'b' }, { 'idempotency-key': 'k' }));
    expect(mismatch.status).toBe(422);
    expect(await mismatch.json()).toMatchObject({ code: 'idempotency_key_mismatch' });
    expect(state.runs).toBe(1);
    expect(hook.metrics()).toMatchObject({ claimed: 1, replayed: 1, mismatched: 1 });
  });

  it('fingerprints the query string: the key with another query is refused with 422', async () => {
    const { state, fetch } = server();
    const url = 'http://api.test/orders?dry_run=0';
    expect((await fetch(post({ sku: 'a' }, { 'idempotency-key': 'q' }, url))).status).toBe(200);
    const same = await fetch(post({ sku: 'a' }, { 'idempotency-key': 'q' }, url));
    expect(same.headers.get('idempotent-replayed')).toBe('true');
    const other = await fetch(
      post({ sku: 'a' }, { 'idempotency-key': 'q' }, 'http://api.test/orders?dry_run=1'),
    );
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: 'idempotency_key_mismatch' });
    expect(state.runs).toBe(1);
  });

  it('requires a key where asked and frees it after an error without side effect', async () => {
    const { state, fetch } = server(true);
    const missing = await fetch(post({}));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'idempotency_key_missing' });
    expect((await fetch(post({}, { 'idempotency-key': 'f' }, 'http://api.test/fail'))).status).toBe(
      409,
    );
    expect((await fetch(post({}, { 'idempotency-key': 'f' }, 'http://api.test/fail'))).status).toBe(
      409,
    );
    expect(state.runs).toBe(2);
  });

  it('runs after the rate limit hook, whose quota replays do not spend', async () => {
    let runs = 0;
    const limits = rateLimitHook({
      key: () => 'c',
      policies: { name: 'p', limit: 2, windowMs: 60_000 },
    });
    const fetch = createFetchHandler({
      hooks: [limits, idempotencyHook()],
      routes: {
        'POST /orders': () => {
          runs++;
          return { id: runs };
        },
      },
    });
    expect((await fetch(post({ a: 1 }, { 'idempotency-key': 'k' }))).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const replay = await fetch(post({ a: 1 }, { 'idempotency-key': 'k' }));
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    // One unit spent in all: one more new request fits, the next does not.
    expect((await fetch(post({ a: 2 }, { 'idempotency-key': 'k2' }))).status).toBe(200);
    expect((await fetch(post({ a: 3 }, { 'idempotency-key': 'k3' }))).status).toBe(429);
    expect(runs).toBe(2);
    expect(limits.metrics().refunds).toBe(5);
  });
});
