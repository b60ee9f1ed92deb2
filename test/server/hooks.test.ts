/**
 * The middleware seam (for rate limiting and idempotency) behaves the same in all five
 * targets: hooks add headers, short-circuit, fail with catalog errors, read the body, and see
 * the final status, headers and body of every response, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservedResponse, ServerHook } from '../../src/server/index.js';
import { type Running, start, TARGETS } from './fixture.js';
import { send } from './http.js';

interface Seen {
  response: ObservedResponse;
  body: unknown;
}

describe.each(TARGETS)('hooks on %s', (target) => {
  let server: Running;
  const seen = new Map<string, Seen>();
  // The observer comes first: only hooks whose onRequest ran see the response.
  const hooks: ServerHook[] = [
    {
      name: 'observe',
      async onRequest(request) {
        const body = request.method === 'POST' ? await request.body() : undefined;
        request.state.set('body', body);
      },
      onResponse(request, response) {
        seen.set(request.requestId, { response, body: request.state.get('body') });
      },
    },
    {
      name: 'tag',
      onRequest(request) {
        request.setHeader('x-hook', 'tagged');
      },
    },
    {
      name: 'limit',
      onRequest(request) {
        if (request.header('x-limit') !== undefined) {
          throw request.error('rateLimited', {
            retryAfter: 3,
            headers: { 'ratelimit-policy': '1;w=3' },
          });
        }
      },
    },
    {
      name: 'replay',
      onRequest(request) {
        if (request.header('x-replay') === undefined) return undefined;
        return {
          status: 201,
          headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' },
          body: '{"replayed":true}',
        };
      },
    },
  ];

  beforeAll(async () => {
    server = await start(target, { hooks, telemetry: false });
  });
  afterAll(() => server.close());

  const call = (id: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    send(server.url, {
      method: body === undefined ? 'GET' : 'POST',
      path,
      headers: { 'x-request-id': id, ...headers },
      ...(body === undefined ? {} : { body }),
    });

  async function observed(id: string): Promise<Seen> {
    // onResponse may run just after the last byte is written.
    for (let i = 0; i < 50 && !seen.has(id); i++) await new Promise((r) => setTimeout(r, 10));
    return seen.get(id)!;
  }

  it('adds hook headers to a success and sees the final response', async () => {
    const response = await call('h-ok', '/orders/7');
    expect(response.status).toBe(200);
    expect(response.headers['x-hook']).toBe('tagged');
    const { response: final } = await observed('h-ok');
    expect(final.status).toBe(200);
    expect(final.source).toBe('handler');
    expect(Buffer.from(final.body ?? '').toString()).toBe('{"id":"7"}');
    expect(final.headers['x-hook']).toBe('tagged');
  });

  it('answers a hook that throws with the catalog error, its headers kept', async () => {
    const response = await call('h-limit', '/orders/7', { 'x-limit': '1' });
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.headers['ratelimit-policy']).toBe('1;w=3');
    expect(response.headers['x-hook']).toBe('tagged');
    expect(JSON.parse(response.text).code).toBe('rate_limited');
  });

  it('short-circuits with the hook response instead of the handler', async () => {
    const response = await call('h-replay', '/orders/crash', { 'x-replay': '1' });
    expect(response.status).toBe(201);
    expect(response.text).toBe('{"replayed":true}');
    expect(response.headers['idempotent-replayed']).toBe('true');
    const { response: final } = await observed('h-replay');
    expect(final.source).toBe('hook');
    expect(final.status).toBe(201);
  });

  it('sees error responses with their error', async () => {
    const response = await call('h-crash', '/orders/crash');
    expect(response.status).toBe(500);
    const { response: final } = await observed('h-crash');
    expect(final.status).toBe(500);
    expect(final.source).toBe('error');
    expect(final.error?.code).toBe('internal');
    expect(Buffer.from(final.body ?? '').toString()).toBe(response.text);
  });

  it('sees an error answered directly as it sees the same error thrown', async () => {
    const response = await call('h-direct', '/direct/busy');
    expect(response.status).toBe(503);
    expect(response.headers['x-hook']).toBe('tagged');
    const { response: final } = await observed('h-direct');
    expect(final.status).toBe(503);
    expect(final.source).toBe('error');
    expect(final.error?.code).toBe('unavailable');
    expect(final.headers['retry-after']).toBe('7');
    expect(Buffer.from(final.body ?? '').toString()).toBe(response.text);
  });

  it('reads the body for a hook, and the handler still gets it', async () => {
    const body = '{"sku":"a","qty":2}';
    const response = await call('h-body', '/orders', { 'content-type': 'application/json' }, body);
    expect(response.status).toBe(201);
    expect(JSON.parse(response.text)).toEqual({ sku: 'a', qty: 2 });
    expect((await observed('h-body')).body).toEqual({ sku: 'a', qty: 2 });
  });
});

describe.each(TARGETS)('onResponse before the answer on %s', (target) => {
  let server: Running;
  const stored = new Set<string>();
  // Like an idempotency store: the response must be saved before the client can retry.
  const hooks: ServerHook[] = [
    {
      name: 'store',
      async onResponse(request) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        stored.add(request.requestId);
      },
    },
  ];

  beforeAll(async () => {
    server = await start(target, { hooks, telemetry: false });
  });
  afterAll(() => server.close());

  it('finishes every onResponse before the client has the response', async () => {
    for (const [id, path, status] of [
      ['s-ok', '/orders/7', 200],
      ['s-crash', '/orders/crash', 500],
    ] as const) {
      const response = await send(server.url, {
        method: 'GET',
        path,
        headers: { 'x-request-id': id },
      });
      expect(response.status).toBe(status);
      expect(stored.has(id)).toBe(true);
    }
  });
});
