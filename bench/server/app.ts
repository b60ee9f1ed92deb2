/**
 * One benchmark server, run in its own process so the load generator does not share its event
 * loop: `node --import tsx bench/server/app.ts <framework> <variant>`. Prints `{"port": n}`
 * once listening, then serves until killed.
 *
 * Variants, on `GET /orders/:id`:
 * - `hand-error`: the framework answers a 404 written by hand, the same status, headers and
 *   body faultline sends (problem+json without an added charset, request id, no-store, no
 *   ETag): the same error, so the comparison measures only what faultline adds.
 * - `faultline-error`: the handler throws `faultline.error('notFound')` (made without a stack
 *   trace); faultline answers.
 * - `faultline-error-stack`: the handler throws `catalog.create('not_found')`, an error with a
 *   stack trace, as most code will; faultline answers.
 * - `plain-success`: the framework alone answers 200 `{"id": …}`.
 * - `faultline-success`: the same, with faultline installed.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { createExpressErrors } from '../../src/express/index.js';
import { faultlinePlugin } from '../../src/fastify/index.js';
import { useFaultline } from '../../src/hono/index.js';
import { createNodeHandler } from '../../src/node/index.js';
import {
  baseCatalog,
  createFaultline,
  createFetchHandler,
  type FetchHandler,
  isValidRequestId,
} from '../../src/server/index.js';

const [framework = 'node', variant = 'faultline-error'] = process.argv.slice(2);
const faultline = createFaultline({ catalog: baseCatalog });
await faultline.ready;
const notFound =
  variant === 'faultline-error-stack'
    ? () => baseCatalog.create('not_found')
    : () => faultline.error('notFound');

/** The 404 a careful team writes by hand: the same bytes faultline sends. */
function handError(requestIdHeader: string | undefined): {
  headers: Record<string, string>;
  body: string;
} {
  const requestId = isValidRequestId(requestIdHeader) ? requestIdHeader : randomUUID();
  return {
    headers: {
      'content-type': 'application/problem+json',
      'x-request-id': requestId,
      'cache-control': 'no-store',
    },
    body: JSON.stringify({
      type: 'https://faultline.dev/errors#not_found',
      title: 'Not found',
      status: 404,
      detail: 'Nothing was found at this address',
      code: 'not_found',
      request_id: requestId,
    }),
  };
}

const withFaultline = variant.startsWith('faultline');
const error = variant.includes('error');

async function serve(): Promise<number> {
  switch (framework) {
    case 'node': {
      let listener: (req: IncomingMessage, res: ServerResponse) => void;
      if (withFaultline) {
        listener = createNodeHandler({
          faultline,
          routes: {
            'GET /orders/:id': ({ params }) => {
              if (error) throw notFound();
              return { id: params.id };
            },
          },
        });
      } else {
        listener = (req, res) => {
          const match = /^\/orders\/([^/?]+)/.exec(req.url ?? '');
          if (req.method !== 'GET' || !match) {
            res.writeHead(404).end();
            return;
          }
          if (error) {
            const { headers, body } = handError(req.headers['x-request-id'] as string | undefined);
            res.writeHead(404, { ...headers, 'content-length': Buffer.byteLength(body) });
            res.end(body);
            return;
          }
          const body = JSON.stringify({ id: match[1] });
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        };
      }
      return listen(createServer(listener));
    }
    case 'fetch': {
      let handler: FetchHandler;
      if (withFaultline) {
        handler = createFetchHandler({
          faultline,
          routes: {
            'GET /orders/:id': ({ params }) => {
              if (error) throw notFound();
              return { id: params.id };
            },
          },
        });
      } else {
        handler = async (request) => {
          const path = new URL(request.url).pathname;
          const match = /^\/orders\/([^/]+)$/.exec(path);
          if (request.method !== 'GET' || !match) return new Response(null, { status: 404 });
          if (error) {
            const { headers, body } = handError(request.headers.get('x-request-id') ?? undefined);
            return new Response(body, { status: 404, headers });
          }
          return Response.json({ id: match[1] });
        };
      }
      return listen(createServer(getRequestListener(handler)));
    }
    case 'express': {
      const app = express();
      const errors = withFaultline ? createExpressErrors(faultline) : undefined;
      if (errors) app.use(errors.start);
      app.get('/orders/:id', (req, res) => {
        if (error) {
          if (errors) throw notFound();
          const { headers, body } = handError(req.get('x-request-id'));
          // `res.set` and `res.send` would add a charset and hash an ETag: not the same error.
          res.status(404);
          for (const name in headers) res.setHeader(name, headers[name]!);
          res.end(body);
          return;
        }
        res.json({ id: req.params.id });
      });
      if (errors) app.use(errors.handlers);
      return listen(createServer(app));
    }
    case 'fastify': {
      const app = Fastify();
      if (withFaultline) await app.register(faultlinePlugin, { faultline });
      app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
        if (error) {
          if (withFaultline) throw notFound();
          const { headers, body } = handError(request.headers['x-request-id'] as string);
          // A string body would get `; charset=utf-8` appended: a buffer keeps the same bytes.
          return reply.code(404).headers(headers).send(Buffer.from(body));
        }
        return { id: request.params.id };
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      return (app.server.address() as AddressInfo).port;
    }
    case 'hono': {
      const app = new Hono();
      if (withFaultline) useFaultline(app, faultline);
      app.get('/orders/:id', (c) => {
        if (error) {
          if (withFaultline) throw notFound();
          const { headers, body } = handError(c.req.header('x-request-id'));
          return c.body(body, 404, headers);
        }
        return c.json({ id: c.req.param('id') });
      });
      return listen(createServer(getRequestListener(app.fetch)));
    }
    default:
      throw new Error(`Unknown framework ${framework}`);
  }
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const port = await serve();
process.stdout.write(`${JSON.stringify({ port })}\n`);
