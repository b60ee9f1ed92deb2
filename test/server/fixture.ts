/**
 * One small API built the same way on every target: node:http, the Fetch handler (served by
 * @hono/node-server's request listener), Hono on Node, Express 5 and Fastify 5. The routes
 * share their behaviour; only the framework glue differs, as a team would write it.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import createHttpError from 'http-errors';
import { z } from 'zod';
import { t } from '../../src/core/schema.js';
import { createExpressErrors } from '../../src/express/index.js';
import { fastifyServerOptions, faultlinePlugin } from '../../src/fastify/index.js';
import { useFaultline } from '../../src/hono/index.js';
import { createClientErrorHandler, createNodeHandler } from '../../src/node/index.js';
import {
  baseCatalog,
  createFaultline,
  createFetchHandler,
  extendCatalog,
  type Faultline,
  type FaultlineOptions,
  Reply,
  type Routes,
  route,
} from '../../src/server/index.js';

/** The team's catalog: the base catalog plus one error of its own, with details. */
export const shop = extendCatalog(baseCatalog, {
  name: 'shop',
  typeBase: 'https://shop.example/errors#',
  entries: {
    out_of_stock: {
      name: 'OutOfStock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Only {available} left',
      details: { available: t.integer() },
    },
  },
});

/** The body of `POST /orders`, as a zod 4 schema (a Standard Schema). */
export const Order = z.object({ sku: z.string(), qty: z.number().int().min(1) });

/** The time limit of `GET /slow`, and how long its handler takes. */
export const TIME_LIMIT_MS = 80;
export const SLOW_MS = 400;

/** Every target the conformance table runs against. */
export const TARGETS = ['node', 'fetch', 'hono', 'express', 'fastify'] as const;
export type Target = (typeof TARGETS)[number];

/** A running server. */
export interface Running {
  readonly url: string;
  readonly faultline: Faultline;
  close(): Promise<void>;
}

const flakyCalls = new Map<string, number>();

/** What every route does, whatever the framework. */
export const behaviour = {
  /** Fails the first call of each key with a 503 and `Retry-After: 1`, then succeeds. */
  async flaky(key: string): Promise<unknown> {
    const calls = (flakyCalls.get(key) ?? 0) + 1;
    flakyCalls.set(key, calls);
    if (calls === 1) throw shop.create('unavailable', {}, { retryAfter: 1 });
    return { ok: true, calls };
  },
  async order(id: string): Promise<unknown> {
    switch (id) {
      case 'missing':
      case 'by-kind':
        throw shop.create('not_found');
      case 'sold-out':
        throw shop.create('out_of_stock', { available: 2 });
      case 'crash':
        throw new Error('secret db password');
      case 'reject':
        return Promise.reject('secret string rejection');
      case 'busy':
        throw shop.create('unavailable', {}, { retryAfter: 7 });
      case 'forbidden':
        throw createHttpError(403, 'secret reason from http-errors');
      default:
        return { id };
    }
  },
  /**
   * The outcome of `order` as a value, for the routes that answer errors without throwing
   * (`GET /direct/:id`): the same errors, returned.
   */
  async orderResult(
    id: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    // Answered directly by its kind, the cheapest way (a node:http or Fetch route returns
    // `Reply.error(kind)`: a string there is a JSON body).
    if (id === 'by-kind') return { ok: false, error: 'notFound' };
    try {
      return { ok: true, value: await behaviour.order(id) };
    } catch (error) {
      return { ok: false, error };
    }
  },
  async slow(): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    return { late: true };
  },
  async *events(): AsyncGenerator<{ n: number }> {
    yield { n: 1 };
    yield { n: 2 };
    throw shop.create('unavailable', {}, { retryAfter: 2 });
  },
};

function routes(faultline: Faultline): Routes {
  return {
    'GET /orders/:id': ({ params }) => behaviour.order(params.id ?? ''),
    // A route returns an `ApiError` to answer it: what is not one yet is made one, as a throw
    // would be.
    'GET /direct/:id': async ({ params }) => {
      const result = await behaviour.orderResult(params.id ?? '');
      if (result.ok) return result.value;
      return result.error === 'notFound'
        ? Reply.error('notFound')
        : faultline.toApiError(result.error);
    },
    'GET /flaky/:key': ({ params }) => behaviour.flaky(params.key ?? ''),
    'POST /orders': route({
      body: Order,
      handler: ({ body }) => Reply.json(body, { status: 201 }),
    }),
    'GET /slow': route({ timeout: TIME_LIMIT_MS, handler: () => behaviour.slow() }),
    'GET /events': (context) => context.sse(behaviour.events()),
    'GET /rows': (context) => context.ndjson(behaviour.events()),
  };
}

async function listen(server: Server, faultline: Faultline): Promise<string> {
  server.on('clientError', createClientErrorHandler(faultline));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Starts the fixture API on `target` with the given core options. `wrap` surrounds the
 * server's request listener (the telemetry test opens a span there, as instrumentation does).
 */
export async function start(
  target: Target,
  options: FaultlineOptions,
  wrap: (listener: RequestListener) => RequestListener = (listener) => listener,
): Promise<Running> {
  const faultline = createFaultline({ catalog: shop, ...options });
  await faultline.ready;
  switch (target) {
    case 'node': {
      const server = createServer(
        wrap(createNodeHandler({ faultline, routes: routes(faultline) })),
      );
      return { url: await listen(server, faultline), faultline, close: () => closeServer(server) };
    }
    case 'fetch': {
      const fetch = createFetchHandler({ faultline, routes: routes(faultline) });
      const server = createServer(wrap(getRequestListener(fetch)));
      return { url: await listen(server, faultline), faultline, close: () => closeServer(server) };
    }
    case 'hono': {
      const app = new Hono();
      const errors = useFaultline(app, faultline);
      app.use('*', errors.json());
      app.get('/orders/:id', async (c) => c.json(await behaviour.order(c.req.param('id'))));
      app.get('/direct/:id', async (c) => {
        const result = await behaviour.orderResult(c.req.param('id'));
        return result.ok ? c.json(result.value) : errors.response(c, result.error);
      });
      app.get('/flaky/:key', async (c) => c.json(await behaviour.flaky(c.req.param('key'))));
      app.post('/orders', async (c) =>
        c.json(await faultline.validate(Order, await c.req.json()), 201),
      );
      app.get('/slow', errors.timeout(TIME_LIMIT_MS), async (c) => c.json(await behaviour.slow()));
      app.get('/events', (c) => errors.sse(c, behaviour.events()));
      app.get('/rows', (c) => errors.ndjson(c, behaviour.events()));
      const server = createServer(wrap(getRequestListener(app.fetch)));
      return { url: await listen(server, faultline), faultline, close: () => closeServer(server) };
    }
    case 'express': {
      const app = express();
      const errors = createExpressErrors(faultline);
      app.use(errors.start);
      app.use(errors.json());
      app.get('/orders/:id', async (req, res) => {
        res.json(await behaviour.order(req.params.id));
      });
      app.get('/direct/:id', async (req, res) => {
        const result = await behaviour.orderResult(req.params.id);
        if (result.ok) res.json(result.value);
        else errors.send(req, res, result.error);
      });
      app.get('/flaky/:key', async (req, res) => {
        res.json(await behaviour.flaky(req.params.key));
      });
      app.post('/orders', async (req, res) => {
        res.status(201).json(await faultline.validate(Order, req.body));
      });
      app.get('/slow', errors.timeout(TIME_LIMIT_MS), async (_req, res) => {
        res.json(await behaviour.slow());
      });
      app.get('/events', (req, res) => errors.sse(req, res, behaviour.events()));
      app.get('/rows', (req, res) => errors.ndjson(req, res, behaviour.events()));
      app.use(errors.handlers);
      const server = createServer(wrap(app));
      return { url: await listen(server, faultline), faultline, close: () => closeServer(server) };
    }
    case 'fastify': {
      const app = Fastify({
        ...fastifyServerOptions(faultline),
        serverFactory: (handler) => createServer(wrap(handler as RequestListener)),
      });
      await app.register(faultlinePlugin, { faultline });
      app.get<{ Params: { id: string } }>('/orders/:id', async (request) =>
        behaviour.order(request.params.id),
      );
      app.get<{ Params: { id: string } }>('/direct/:id', async (request, reply) => {
        const result = await behaviour.orderResult(request.params.id);
        return result.ok ? result.value : reply.sendError(result.error);
      });
      app.get<{ Params: { key: string } }>('/flaky/:key', async (request) =>
        behaviour.flaky(request.params.key),
      );
      app.post('/orders', async (request, reply) =>
        reply.code(201).send(await faultline.validate(Order, request.body)),
      );
      app.get('/slow', { config: { faultline: { timeout: TIME_LIMIT_MS } } }, async () =>
        behaviour.slow(),
      );
      app.get('/events', (_request, reply) => reply.sse(behaviour.events()));
      app.get('/rows', (_request, reply) => reply.ndjson(behaviour.events()));
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${address.port}`,
        faultline,
        close: async () => {
          app.server.closeAllConnections();
          await app.close();
        },
      };
    }
  }
}
