/**
 * Rate limiting and idempotency keys as hooks on every server adapter — node:http, the Fetch
 * handler, Express 5, Fastify 5 and Hono 4 — over real HTTP on 127.0.0.1, with the memory
 * stores and with Redis. Each adapter must answer byte for byte the same way.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressErrors } from '../../src/express/express.js';
import { faultlinePlugin } from '../../src/fastify/fastify.js';
import { useFaultline } from '../../src/hono/hono.js';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory.js';
import { type IdempotencyHook, idempotencyHook } from '../../src/idempotency/middleware.js';
import type { IdempotencyStore } from '../../src/idempotency/types.js';
import { createNodeHandler } from '../../src/node/node.js';
import { MemoryRateLimitStore } from '../../src/ratelimit/memory.js';
import { type RateLimitHook, rateLimitHook } from '../../src/ratelimit/middleware.js';
import type { RateLimitStore } from '../../src/ratelimit/types.js';
import { RedisIdempotencyStore } from '../../src/redis/idempotency.js';
import { RedisRateLimitStore } from '../../src/redis/ratelimit.js';
import { createFetchHandler, type RouteContext } from '../../src/server/app.js';
import type { HookRequest } from '../../src/server/hooks.js';
import { Reply } from '../../src/server/reply.js';
import { connectIoRedis, dropRedisPrefix, uniqueId } from './services.js';

type AdapterName = 'node' | 'fetch' | 'express' | 'fastify' | 'hono';
type StoreName = 'memory' | 'redis';

/** What every adapter's routes share: the hooks and the order handler's bookkeeping. */
interface Fixture {
  readonly limited: RateLimitHook;
  readonly orderLimits: RateLimitHook;
  readonly keys: IdempotencyHook;
  /** Handler runs per idempotency key. */
  readonly runs: Map<string, number>;
  /** Holds a request carrying `x-hold` inside the handler until released. */
  gate: Gate | undefined;
}

interface Gate {
  readonly entered: Promise<void>;
  readonly release: () => void;
  readonly arrive: () => void;
  readonly released: Promise<void>;
}

function newGate(): Gate {
  let arrive!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { entered, released, arrive, release };
}

interface Order {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The order handler, the same for every adapter: counts runs, may wait at the gate. */
async function placeOrder(
  fixture: Fixture,
  rawKey: string,
  body: unknown,
  hold: boolean,
): Promise<Order> {
  // The header is a Structured Field string: the key is inside the quotes.
  const key = rawKey.replace(/^"|"$/g, '');
  fixture.runs.set(key, (fixture.runs.get(key) ?? 0) + 1);
  if (hold && fixture.gate) {
    fixture.gate.arrive();
    await fixture.gate.released;
  }
  const sku = (body as { sku?: unknown } | undefined)?.sku;
  return {
    status: 201,
    headers: { 'content-type': 'application/json', location: `/orders/ord_${key}` },
    body: JSON.stringify({ id: `ord_${key}`, sku }),
  };
}

const LIMITED_OK = JSON.stringify({ ok: true });

/**
 * A store whose writes of completed responses take a while, as on a busy network: an adapter
 * that sends the response before the idempotency hook stored it lets a quick retry in while
 * the key still looks in flight.
 */
function slowToComplete(store: IdempotencyStore, delayMs: number): IdempotencyStore {
  return {
    claim: (...args) => store.claim(...args),
    release: (lease) => store.release(lease),
    complete: async (lease, response) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return store.complete(lease, response);
    },
  };
}

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Running> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toFetchResponse(order: Order): Response {
  return new Response(order.body, { status: order.status, headers: order.headers });
}

async function start(adapter: AdapterName, f: Fixture): Promise<Running> {
  switch (adapter) {
    case 'node':
    case 'fetch': {
      const routes = {
        'GET /limited': { hooks: [f.limited], handler: () => ({ ok: true }) },
        'POST /orders': {
          hooks: [f.orderLimits, f.keys],
          handler: async ({ header, body }: RouteContext) => {
            const hold = header('x-hold') === '1';
            const order = await placeOrder(f, header('idempotency-key') ?? '', body, hold);
            return new Reply(order.status, order.headers, order.body);
          },
        },
        // The same, answered with a Fetch `Response` rather than a `Reply`.
        'POST /orders-response': {
          hooks: [f.orderLimits, f.keys],
          handler: async ({ header, body }: RouteContext) =>
            toFetchResponse(await placeOrder(f, header('idempotency-key') ?? '', body, false)),
        },
      };
      if (adapter === 'node') return listen(createServer(createNodeHandler({ routes })));
      const handler = createFetchHandler({
        routes,
        // @hono/node-server hands the Fetch handler the Node request as its second argument.
        clientAddress: (_request: Request, env: HttpBindings) => env.incoming.socket.remoteAddress,
      });
      return listen(
        createAdaptorServer({
          fetch: (request, env) => handler(request, env),
        }) as Server,
      );
    }
    case 'express': {
      const app = express();
      const errors = createExpressErrors({});
      app.use(errors.start);
      app.get('/limited', errors.hooks([f.limited]), (_req, res) => {
        res.json({ ok: true });
      });
      app.post(
        '/orders',
        errors.hooks([f.orderLimits, f.keys]),
        errors.json(),
        async (req, res) => {
          const order = await placeOrder(
            f,
            req.get('idempotency-key') ?? '',
            req.body,
            req.get('x-hold') === '1',
          );
          res.status(order.status).set(order.headers).send(order.body);
        },
      );
      app.use(errors.handlers);
      return listen(createServer(app));
    }
    case 'fastify': {
      const app = Fastify();
      await app.register(faultlinePlugin, {});
      app.get('/limited', { config: { faultline: { hooks: [f.limited] } } }, async () => ({
        ok: true,
      }));
      app.post(
        '/orders',
        { config: { faultline: { hooks: [f.orderLimits, f.keys] } } },
        async (request, reply) => {
          const order = await placeOrder(
            f,
            String(request.headers['idempotency-key'] ?? ''),
            request.body,
            request.headers['x-hold'] === '1',
          );
          return reply.code(order.status).headers(order.headers).send(order.body);
        },
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
    }
    case 'hono': {
      const app = new Hono();
      const errors = useFaultline(app, {});
      app.get('/limited', errors.hooks([f.limited]), (c) => c.json({ ok: true }));
      app.post('/orders', errors.hooks([f.orderLimits, f.keys]), async (c) => {
        const body = await c.req.json().catch(() => undefined);
        const order = await placeOrder(
          f,
          c.req.header('idempotency-key') ?? '',
          body,
          c.req.header('x-hold') === '1',
        );
        return c.body(order.body, order.status as 201, order.headers);
      });
      return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
    }
  }
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function order(
  base: string,
  options: {
    key?: string;
    client: string;
    body?: unknown;
    query?: string;
    hold?: boolean;
    path?: string;
  },
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-client': options.client,
  };
  if (options.key !== undefined) headers['idempotency-key'] = `"${options.key}"`;
  if (options.hold) headers['x-hold'] = '1';
  return call(`${base}${options.path ?? '/orders'}${options.query ?? ''}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(options.body ?? { sku: 'widget' }),
  });
}

/** The headers a replay must repeat, as the first answer sent them. */
function replayable(headers: Headers): Record<string, string | null> {
  return { 'content-type': headers.get('content-type'), location: headers.get('location') };
}

const ADAPTERS: readonly AdapterName[] = ['node', 'fetch', 'express', 'fastify', 'hono'];
const STORES: readonly StoreName[] = ['memory', 'redis'];
const CASES = STORES.flatMap((store) => ADAPTERS.map((adapter) => [adapter, store] as const));

describe.each(CASES)('%s adapter with the %s stores', (adapter, storeName) => {
  let running: Running;
  let redis: Redis | undefined;
  const prefix = `${uniqueId(`adapters_${adapter}`)}:`;
  const fixture = {} as Fixture;

  beforeAll(async () => {
    let rateStore: RateLimitStore;
    let idemStore: IdempotencyStore;
    if (storeName === 'redis') {
      redis = await connectIoRedis();
      rateStore = new RedisRateLimitStore({ client: redis, prefix: `${prefix}rl:` });
      // The shared Redis may have started moments ago: no wait for its uptime to pass a lease.
      idemStore = new RedisIdempotencyStore({
        client: redis,
        prefix: `${prefix}idem:`,
        restartGuard: false,
      });
    } else {
      rateStore = new MemoryRateLimitStore();
      idemStore = new MemoryIdempotencyStore();
    }
    Object.assign(fixture, {
      limited: rateLimitHook({
        store: rateStore,
        key: 'ip',
        namespace: 'limited',
        policies: { name: 'per-minute', limit: 2, windowMs: 60_000 },
      }),
      orderLimits: rateLimitHook({
        store: rateStore,
        key: (request: HookRequest) => request.header('x-client'),
        namespace: 'orders',
        policies: { name: 'orders', limit: 3, windowMs: 60_000 },
      }),
      keys: idempotencyHook({
        store: slowToComplete(idemStore, 30),
        required: true,
        leaseMs: 10_000,
        retentionMs: 60_000,
      }),
      runs: new Map(),
      gate: undefined,
    } satisfies Fixture);
    running = await start(adapter, fixture);
  }, 30_000);

  afterAll(async () => {
    await running?.close();
    if (redis) {
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('answers over the quota with 429, Retry-After, the RateLimit fields and retry_after', async () => {
    const first = await call(`${running.url}/limited`);
    const second = await call(`${running.url}/limited`);
    const third = await call(`${running.url}/limited`);

    for (const [answer, left] of [
      [first, 1],
      [second, 0],
    ] as const) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(LIMITED_OK);
      expect(answer.headers.get('ratelimit-policy')).toBe('"per-minute";q=2;w=60');
      expect(answer.headers.get('ratelimit')).toMatch(
        new RegExp(`^"per-minute";r=${left};t=(?:[1-9]|[1-5]\\d|60)$`),
      );
    }

    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = third.headers.get('retry-after');
    expect(retryAfter).toMatch(/^(?:[1-9]|[12]\d|30)$/);
    expect(third.headers.get('ratelimit-policy')).toBe('"per-minute";q=2;w=60');
    expect(third.headers.get('ratelimit')).toBe(`"per-minute";r=0;t=${retryAfter}`);
    const problem = JSON.parse(third.text) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(problem.retry_after).toBe(Number(retryAfter));
  });

  it('runs the first request once and replays its status, headers and body', async () => {
    const key = `replay-${adapter}`;
    const first = await order(running.url, { key, client: `c-replay-${adapter}` });
    const expectedBody = JSON.stringify({ id: `ord_${key}`, sku: 'widget' });
    expect(first.status).toBe(201);
    expect(first.text).toBe(expectedBody);
    expect(first.headers.get('location')).toBe(`/orders/ord_${key}`);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await order(running.url, { key, client: `c-replay-${adapter}` });
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(expectedBody);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replayable(replay.headers)).toEqual(replayable(first.headers));
    expect(fixture.runs.get(key)).toBe(1);
  });

  it('refuses the key with another body or another query with 422', async () => {
    const key = `mismatch-${adapter}`;
    const client = `c-mismatch-${adapter}`;
    expect((await order(running.url, { key, client })).status).toBe(201);

    const otherBody = await order(running.url, { key, client, body: { sku: 'gadget' } });
    expect(otherBody.status).toBe(422);
    expect(JSON.parse(otherBody.text)).toMatchObject({ code: 'idempotency_key_mismatch' });

    const otherQuery = await order(running.url, { key, client, query: '?dry_run=1' });
    expect(otherQuery.status).toBe(422);
    expect(JSON.parse(otherQuery.text)).toMatchObject({ code: 'idempotency_key_mismatch' });
    expect(fixture.runs.get(key)).toBe(1);
  });

  it('refuses a request without the required key with 400', async () => {
    const missing = await order(running.url, { client: `c-missing-${adapter}` });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toMatchObject({ code: 'idempotency_key_missing' });
    expect(fixture.runs.get('')).toBeUndefined();
  });

  it('answers a duplicate sent while the first runs with 409, then replays', async () => {
    const key = `inflight-${adapter}`;
    const client = `c-inflight-${adapter}`;
    fixture.gate = newGate();
    const first = order(running.url, { key, client, hold: true });
    await fixture.gate.entered;
    const duplicate = await order(running.url, { key, client, hold: true });
    fixture.gate.release();
    fixture.gate = undefined;

    expect(duplicate.status).toBe(409);
    expect(JSON.parse(duplicate.text)).toMatchObject({ code: 'idempotency_key_in_flight' });
    expect((await first).status).toBe(201);
    const replay = await order(running.url, { key, client });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(fixture.runs.get(key)).toBe(1);
  });

  it('gives the quota back to replays', async () => {
    const client = `c-quota-${adapter}`;
    const key = `quota-${adapter}`;
    const first = await order(running.url, { key, client });
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit')).toMatch(/^"orders";r=2;t=\d+$/);
    // More replays than the quota holds: none is refused, as none counts.
    for (let i = 0; i < 5; i++) {
      const replay = await order(running.url, { key, client });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    const second = await order(running.url, { key: `${key}-2`, client });
    expect(second.status).toBe(201);
    expect(second.headers.get('ratelimit')).toMatch(/^"orders";r=1;t=\d+$/);
    expect((await order(running.url, { key: `${key}-3`, client })).status).toBe(201);
    const over = await order(running.url, { key: `${key}-4`, client });
    expect(over.status).toBe(429);
    expect(fixture.runs.get(`${key}-4`)).toBeUndefined();
    expect(fixture.runs.get(key)).toBe(1);
  });
});

describe.each(
  STORES.flatMap((store) =>
    (['node', 'fetch'] as const).map((adapter) => [adapter, store] as const),
  ),
)('%s adapter, a handler answering with a Fetch Response, %s stores', (adapter, storeName) => {
  let running: Running;
  let redis: Redis | undefined;
  const prefix = `${uniqueId(`adapters_response_${adapter}`)}:`;
  const fixture = {} as Fixture;

  beforeAll(async () => {
    let idemStore: IdempotencyStore = new MemoryIdempotencyStore();
    if (storeName === 'redis') {
      redis = await connectIoRedis();
      idemStore = new RedisIdempotencyStore({ client: redis, prefix, restartGuard: false });
    }
    const rateStore = new MemoryRateLimitStore();
    Object.assign(fixture, {
      limited: rateLimitHook({
        store: rateStore,
        key: 'ip',
        policies: { limit: 1, windowMs: 1000 },
      }),
      orderLimits: rateLimitHook({
        store: rateStore,
        key: (request: HookRequest) => request.header('x-client'),
        policies: { name: 'orders', limit: 3, windowMs: 60_000 },
      }),
      keys: idempotencyHook({ store: idemStore, required: true }),
      runs: new Map(),
      gate: undefined,
    } satisfies Fixture);
    running = await start(adapter, fixture);
  }, 30_000);

  afterAll(async () => {
    await running?.close();
    if (redis) {
      await dropRedisPrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('replays the status, headers and body of the Response', async () => {
    const key = `response-${adapter}`;
    const path = '/orders-response';
    const first = await order(running.url, { key, client: 'c-response', path });
    const expectedBody = JSON.stringify({ id: `ord_${key}`, sku: 'widget' });
    expect(first.status).toBe(201);
    expect(first.text).toBe(expectedBody);
    const replay = await order(running.url, { key, client: 'c-response', path });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replayable(replay.headers)).toEqual(replayable(first.headers));
    expect(replay.text).toBe(expectedBody);
    expect(fixture.runs.get(key)).toBe(1);
  });
});
