import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFetchHandler, route } from './app.js';
import { createFaultline } from './faultline.js';
import type { ErrorLogRecord } from './observe.js';
import { Reply } from './reply.js';

const fetch = createFetchHandler({
  telemetry: false,
  routes: {
    'GET /items/:id': ({ params, query, header }) => ({
      id: params.id,
      q: query.get('q'),
      agent: header('x-agent') ?? null,
    }),
    'DELETE /items/:id': () => undefined,
    'GET /raw': () => new Response('raw body', { status: 202, headers: { 'x-raw': '1' } }),
    'POST /items': route({
      body: z.object({ name: z.string() }),
      handler: ({ body }) => Reply.json({ created: body.name }, { status: 201 }),
    }),
    'GET /wait': route({
      timeout: 20,
      handler: ({ signal }) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve('aborted'))),
    }),
  },
});

describe('createFetchHandler', () => {
  it('routes, passes params, query and headers, and sends JSON', async () => {
    const response = await fetch(
      new Request('http://x/items/a%2Fb?q=1', { headers: { 'x-agent': 'test' } }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'a/b', q: '1', agent: 'test' });
  });

  it('answers undefined with 204, and passes a Response through', async () => {
    expect((await fetch(new Request('http://x/items/1', { method: 'DELETE' }))).status).toBe(204);
    const raw = await fetch(new Request('http://x/raw'));
    expect(raw.status).toBe(202);
    expect(raw.headers.get('x-raw')).toBe('1');
    expect(await raw.text()).toBe('raw body');
  });

  it('validates the body with the route schema', async () => {
    const created = await fetch(
      new Request('http://x/items', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"n"}',
      }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ created: 'n' });
    const invalid = await fetch(
      new Request('http://x/items', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(invalid.status).toBe(422);
  });

  it('aborts the signal of a handler over its time limit', async () => {
    const response = await fetch(new Request('http://x/wait'));
    expect(response.status).toBe(504);
    expect((await response.json()).code).toBe('timeout');
  });

  it('answers HEAD without a body', async () => {
    const response = await fetch(new Request('http://x/nope', { method: 'HEAD' }));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('');
  });

  it('answers a parameter with broken percent-encoding with 400', async () => {
    const response = await fetch(new Request('http://x/items/%E0%A4%A'));
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('bad_request');
  });

  it('refuses a route key without a method', () => {
    expect(() => createFetchHandler({ routes: { '/x': () => 1 } })).toThrow(TypeError);
  });
});

describe('hooks see the query and the client address', () => {
  it('passes the raw query string and the address the resolver gives', async () => {
    const seen: { query: string; ip: string | undefined }[] = [];
    const handler = createFetchHandler({
      telemetry: false,
      hooks: [{ name: 'spy', onRequest: (request) => void seen.push(request) }],
      clientAddress: (_request, info: { address: string }) => info.address,
      routes: { 'GET /q': () => ({ ok: true }) },
    });
    await handler(new Request('http://x/q?dry_run=1&a=%20b#frag'), { address: '10.0.0.7' });
    await handler(new Request('http://x/q'), { address: '10.0.0.8' });
    expect(seen.map(({ query, ip }) => ({ query, ip }))).toEqual([
      { query: 'dry_run=1&a=%20b', ip: '10.0.0.7' },
      { query: '', ip: '10.0.0.8' },
    ]);
  });

  it('answers without an address when the resolver throws', async () => {
    const seen: (string | undefined)[] = [];
    const handler = createFetchHandler({
      telemetry: false,
      hooks: [{ name: 'spy', onRequest: (request) => void seen.push(request.ip) }],
      clientAddress: () => {
        throw new Error('no address');
      },
      routes: { 'GET /q': () => ({ ok: true }) },
    });
    expect((await handler(new Request('http://x/q'))).status).toBe(200);
    expect(seen).toEqual([undefined]);
  });
});

describe('a handler that returns a Fetch Response, with a hook that observes', () => {
  const observed: (string | undefined)[] = [];
  const handler = createFetchHandler({
    telemetry: false,
    bodyLimit: 16,
    hooks: [
      {
        name: 'observe',
        onResponse: (_request, response) => {
          observed.push(
            response.body === undefined ? undefined : Buffer.from(response.body).toString(),
          );
        },
      },
    ],
    routes: {
      'GET /small': () => new Response('raw body', { headers: { 'content-type': 'text/plain' } }),
      'GET /large': () =>
        new Response('x'.repeat(40), { headers: { 'content-type': 'text/plain' } }),
    },
  });

  it('observes a body within the limit and sends the same bytes', async () => {
    observed.length = 0;
    expect(await (await handler(new Request('http://x/small'))).text()).toBe('raw body');
    expect(observed).toEqual(['raw body']);
  });

  it('streams a body past the limit whole and observes it as streamed', async () => {
    observed.length = 0;
    expect(await (await handler(new Request('http://x/large'))).text()).toBe('x'.repeat(40));
    expect(observed).toEqual([undefined]);
  });
});

describe('Reply.error: a route returns a kind for its error', () => {
  const observed: (string | number | undefined)[] = [];
  const records: ErrorLogRecord[] = [];
  const routes = {
    'GET /returned': () => Reply.error('notFound'),
    'GET /thrown': () => {
      throw createFaultline({ telemetry: false }).error('notFound');
    },
  };
  const plain = createFetchHandler({ telemetry: false, routes });
  const observing = createFetchHandler({
    telemetry: false,
    log: (record) => records.push(record),
    hooks: [
      {
        name: 'observe',
        onResponse: (_request, response) => {
          observed.push(response.error?.code, response.source);
        },
      },
    ],
    routes: {
      ...routes,
      // A time limit takes the route through the full path (hooks, limit, body).
      'GET /limited': route({ timeout: 1000, handler: () => Reply.error('notFound') }),
    },
  });
  const get = async (handler: typeof plain, path: string) => {
    const response = await handler(
      new Request(`http://x${path}`, { headers: { 'x-request-id': 'kind-7' } }),
    );
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    };
  };

  it('is answered as the same error thrown', async () => {
    const returned = await get(plain, '/returned');
    expect(returned.status).toBe(404);
    expect(JSON.parse(returned.body)).toMatchObject({ code: 'not_found', request_id: 'kind-7' });
    expect(returned).toEqual(await get(plain, '/thrown'));
  });

  it('gives hooks and the log the error, on the short path and through a time limit', async () => {
    const thrown = await get(observing, '/thrown');
    for (const path of ['/returned', '/limited']) {
      observed.length = 0;
      records.length = 0;
      expect(await get(observing, path), path).toEqual(thrown);
      expect(observed, path).toEqual(['not_found', 'error']);
      expect(
        records.map((record) => [record.code, record.status, record.requestId]),
        path,
      ).toEqual([['not_found', 404, 'kind-7']]);
    }
  });

  it('is logged on the short path too (a log and no hooks)', async () => {
    const logged: ErrorLogRecord[] = [];
    const logging = createFetchHandler({ telemetry: false, log: (r) => logged.push(r), routes });
    expect(await get(logging, '/returned')).toEqual(await get(plain, '/thrown'));
    expect(logged.map((record) => [record.code, record.status])).toEqual([['not_found', 404]]);
  });
});
