/**
 * One benchmark server, run in its own process so the load generator does not share its event
 * loop: `node --import tsx bench/server/app.ts <framework> <variant>`. Prints `{"port": n}`
 * once listening, then serves until killed.
 *
 * Variants, on `GET /orders/:id`:
 * - `hand-error`: the framework answers a 404 written by hand, the same status, headers and
 *   body faultline sends (problem+json without an added charset, request id, no-store, no
 *   ETag): the same error, so the comparison measures only what faultline adds.
 * - `hand-error-stack`: the same 404 written by hand, from an error the handler throws with a
 *   stack trace (`new NotFoundError()`) and a hand-written error handler in the framework's own
 *   way (try/catch, an Express error middleware, Fastify's `setErrorHandler`, Hono's
 *   `onError`): what an app that throws its errors pays without faultline.
 * - `hand-error-throw`: the same, the error made without a stack trace (as
 *   `faultline.error` makes its own): the framework's path for a thrown error, by hand.
 * - `faultline-send`: the handler answers the 404 without throwing it, through each adapter's
 *   direct way, by its kind (no error object is made): `Reply.error('notFound')` returned from a
 *   node:http or Fetch route, Express `errors.send(req, res, 'notFound')`, Fastify
 *   `reply.sendError('notFound')`, Hono `errors.response(c, 'notFound')`. The like of
 *   `hand-error`.
 * - `faultline-error`: the handler throws `faultline.error('notFound')` (made without a stack
 *   trace); faultline answers.
 * - `faultline-error-stack`: the handler throws `catalog.create('not_found')`, an error with a
 *   stack trace, as most code will; faultline answers.
 * - `plain-success`: the framework alone answers 200 `{"id": …}`.
 * - `faultline-success`: the same, with faultline installed as its documentation says.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Context, Hono } from 'hono';
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
  Reply,
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
const error = variant.includes('error') || variant === 'faultline-send';
/** faultline's side answers its error without throwing it. */
const sends = variant === 'faultline-send';
/** The hand-written side throws its error to its own error handler. */
const handThrows = variant === 'hand-error-stack' || variant === 'hand-error-throw';

/** The error a hand-written app throws: an `Error`, so a stack trace is captured. */
class NotFoundError extends Error {
  readonly status = 404;
}

/** The hand-written error, without a stack trace for `hand-error-throw`. */
function handThrown(): NotFoundError {
  if (variant === 'hand-error-stack') return new NotFoundError('Nothing was found at this address');
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new NotFoundError('Nothing was found at this address');
  } finally {
    Error.stackTraceLimit = limit;
  }
}

async function serve(): Promise<number> {
  switch (framework) {
    case 'node': {
      let listener: (req: IncomingMessage, res: ServerResponse) => void;
      if (withFaultline) {
        listener = createNodeHandler({
          faultline,
          routes: {
            'GET /orders/:id': ({ params }) => {
              if (sends) return Reply.error('notFound');
              if (error) throw notFound();
              return { id: params.id };
            },
          },
        });
      } else {
        const answerError = (req: IncomingMessage, res: ServerResponse): void => {
          const { headers, body } = handError(req.headers['x-request-id'] as string | undefined);
          res.writeHead(404, { ...headers, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        };
        const route = (req: IncomingMessage, res: ServerResponse): void => {
          const match = /^\/orders\/([^/?]+)/.exec(req.url ?? '');
          if (req.method !== 'GET' || !match) {
            res.writeHead(404).end();
            return;
          }
          if (error) {
            if (handThrows) throw handThrown();
            answerError(req, res);
            return;
          }
          const body = JSON.stringify({ id: match[1] });
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        };
        listener = handThrows
          ? (req, res) => {
              try {
                route(req, res);
              } catch (thrown) {
                if (!(thrown instanceof NotFoundError)) throw thrown;
                answerError(req, res);
              }
            }
          : route;
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
              if (sends) return Reply.error('notFound');
              if (error) throw notFound();
              return { id: params.id };
            },
          },
        });
      } else {
        const answerError = (request: Request): Response => {
          const { headers, body } = handError(request.headers.get('x-request-id') ?? undefined);
          return new Response(body, { status: 404, headers });
        };
        const route = (request: Request): Response => {
          const path = new URL(request.url).pathname;
          const match = /^\/orders\/([^/]+)$/.exec(path);
          if (request.method !== 'GET' || !match) return new Response(null, { status: 404 });
          if (error) {
            if (handThrows) throw handThrown();
            return answerError(request);
          }
          return Response.json({ id: match[1] });
        };
        handler = async (request) => {
          if (!handThrows) return route(request);
          try {
            return route(request);
          } catch (thrown) {
            if (!(thrown instanceof NotFoundError)) throw thrown;
            return answerError(request);
          }
        };
      }
      return listen(createServer(getRequestListener(handler)));
    }
    case 'express': {
      const app = express();
      const errors = withFaultline ? createExpressErrors(faultline) : undefined;
      // As documented, `errors.start` is mounted only for what it serves (a global time limit,
      // global hooks, logged durations): this core has none of them.
      const needsStart =
        faultline.logging || faultline.timeout !== undefined || faultline.hooks.length > 0;
      if (errors && needsStart) app.use(errors.start);
      const answerError = (req: express.Request, res: express.Response): void => {
        const { headers, body } = handError(req.get('x-request-id'));
        // `res.set` and `res.send` would add a charset and hash an ETag: not the same error. The
        // length is set with the other headers, where faultline sends it (Node would add it last).
        res.status(404);
        for (const name in headers) res.setHeader(name, headers[name]!);
        res.setHeader('content-length', Buffer.byteLength(body));
        res.end(body);
      };
      app.get('/orders/:id', (req, res) => {
        if (error) {
          if (errors && sends) return errors.send(req, res, 'notFound');
          if (errors) throw notFound();
          if (handThrows) throw handThrown();
          answerError(req, res);
          return;
        }
        res.json({ id: req.params.id });
      });
      if (errors) app.use(errors.handlers);
      if (handThrows) {
        app.use(((thrown, req, res, next) => {
          if (!(thrown instanceof NotFoundError)) return next(thrown);
          answerError(req, res);
        }) satisfies express.ErrorRequestHandler);
      }
      return listen(createServer(app));
    }
    case 'fastify': {
      const app = Fastify();
      if (withFaultline) await app.register(faultlinePlugin, { faultline });
      const answerError = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
        const { headers, body } = handError(request.headers['x-request-id'] as string);
        // A string body would get `; charset=utf-8` appended: a buffer keeps the same bytes.
        return reply.code(404).headers(headers).send(Buffer.from(body));
      };
      if (handThrows) {
        app.setErrorHandler((thrown, request, reply) => {
          if (!(thrown instanceof NotFoundError)) throw thrown;
          answerError(request, reply);
        });
      }
      app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
        if (error) {
          if (sends) return reply.sendError('notFound');
          if (withFaultline) throw notFound();
          if (handThrows) throw handThrown();
          return answerError(request, reply);
        }
        return { id: request.params.id };
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      return (app.server.address() as AddressInfo).port;
    }
    case 'hono': {
      const app = new Hono();
      const errors = withFaultline ? useFaultline(app, faultline) : undefined;
      const answerError = (c: Context): Response => {
        const { headers, body } = handError(c.req.header('x-request-id'));
        // A `Response` of its own: `c.body` goes through `Headers`, which sorts the names, so the
        // bytes would differ from faultline's (and `Headers` costs more than a plain object).
        return new Response(body, { status: 404, headers });
      };
      if (handThrows) {
        app.onError((thrown, c) => {
          if (!(thrown instanceof NotFoundError)) throw thrown;
          return answerError(c);
        });
      }
      app.get('/orders/:id', (c) => {
        if (error) {
          if (errors && sends) return errors.response(c, 'notFound');
          if (errors) throw notFound();
          if (handThrows) throw handThrown();
          return answerError(c);
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
