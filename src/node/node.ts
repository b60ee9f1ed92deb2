import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type HeadersLike, reasonPhrase } from '../core/http.js';
import {
  App,
  type AppOptions,
  JsonResponse,
  mergeHeaders,
  type NeutralRequest,
} from '../server/app.js';
import type { BodySource } from '../server/body.js';
import { errorRequestInfo, type Faultline, type NeutralResponse } from '../server/faultline.js';

/** A node:http request listener. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The headers of a Node request as a read-only `Headers`-like view: Node already lower-cases
 * the names, so a lookup is one property read rather than a scan.
 */
export function nodeHeaders(request: IncomingMessage): HeadersLike {
  return new NodeHeaders(request.headers) as unknown as Headers;
}

/** The `get` of `Headers` over Node's header object, on the prototype: nothing made per call. */
class NodeHeaders {
  readonly #raw: IncomingMessage['headers'];

  constructor(raw: IncomingMessage['headers']) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * The body of a Node request as a source faultline's body reader accepts. Reading stops early
 * (body too large) without destroying the socket: the rest is drained so the client can read
 * the error response, and a stream error (the client went away) becomes the `badRequest` kind.
 */
export function nodeBodySource(faultline: Faultline, request: IncomingMessage): BodySource {
  return {
    async *[Symbol.asyncIterator]() {
      const chunks = request.iterator({ destroyOnReturn: false });
      let finished = false;
      try {
        for await (const chunk of chunks) yield chunk as Uint8Array;
        finished = true;
      } catch (cause) {
        finished = true;
        throw faultline.error('badRequest', { cause });
      } finally {
        if (!finished) request.resume();
      }
    },
  };
}

/** Whether a Node request carries a body (a non-zero length or a transfer coding). */
function nodeHasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

/**
 * A Node request as the neutral request of the node:http and Fetch targets. GET and HEAD carry
 * no body, as in the Fetch handler; headers are read when first asked for.
 */
export function toNeutralRequest(faultline: Faultline, request: IncomingMessage): NeutralRequest {
  return new NodeRequest(faultline, request);
}

/**
 * A Node request as a neutral request, reading headers and the client address only when asked
 * (a success answered by a route reads neither: Node builds `request.headers` on first access).
 */
class NodeRequest implements NeutralRequest {
  readonly method: string;
  readonly url: string;
  readonly body: BodySource | null;
  readonly #request: IncomingMessage;
  #headers: HeadersLike | undefined;

  constructor(faultline: Faultline, request: IncomingMessage) {
    this.#request = request;
    const method = request.method ?? 'GET';
    this.method = method;
    this.url = request.url ?? '/';
    // GET and HEAD carry no body, as in the Fetch handler (Node drains one a client sent anyway).
    this.body =
      method === 'GET' || method === 'HEAD' || !nodeHasBody(request)
        ? null
        : nodeBodySource(faultline, request);
  }

  get headers(): HeadersLike {
    this.#headers ??= nodeHeaders(this.#request);
    return this.#headers;
  }

  get ip(): string | undefined {
    return this.#request.socket?.remoteAddress;
  }
}

/**
 * Writes a neutral response to a Node response: status, headers (merged over any already set),
 * and the body, streamed with backpressure when it is a stream. A client that goes away
 * cancels the stream. Never rejects.
 */
export function sendNodeResponse(
  response: ServerResponse,
  neutral: NeutralResponse,
  options: { head?: boolean; close?: boolean } = {},
): Promise<void> {
  if (response.headersSent || response.destroyed) return DONE;
  const body = neutral.body;
  // Strings first: the `ReadableStream` global is a lazy getter in Node, not worth a call.
  if (typeof body !== 'string' && body instanceof ReadableStream) {
    return sendNodeStream(response, neutral, body, options);
  }
  const headers: Record<string, string> = neutral.headers;
  try {
    if (options.close) response.setHeader('connection', 'close');
    // A known length spares the client chunked decoding (and is what curl and HTTP/1.0 expect).
    const bodiless = neutral.status === 204 || neutral.status === 304 || neutral.status < 200;
    if (headers['content-length'] !== undefined || bodiless) {
      response.writeHead(neutral.status, headers);
    } else if (neutral instanceof JsonResponse) {
      // Headers of its own: the length is added in place, not to a copy.
      headers['content-length'] = String(Buffer.byteLength(neutral.body));
      response.writeHead(neutral.status, headers);
    } else {
      const length =
        body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      response.writeHead(
        neutral.status,
        mergeHeaders(headers, { 'content-length': String(length) }),
      );
    }
    response.end(body ?? undefined);
  } catch {
    endFailed(response);
  }
  return DONE;
}

/**
 * Answers a node:http request with an error, for a listener written by hand that answers its
 * errors rather than throwing them: the same status, headers (request id, `no-store`,
 * `Retry-After`, negotiated content type), body, log record and span attributes as faultline
 * gives a thrown error. `error` is a kind of failure (`'notFound'`, the cheapest: no error
 * object is made unless something needs one), an `ApiError`, or anything else as if it had
 * been thrown.
 *
 * @example
 * ```ts
 * createServer((req, res) => {
 *   const order = orders.get(req.url ?? '');
 *   if (!order) return sendNodeError(faultline, req, res, 'notFound');
 *   res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order));
 * });
 * ```
 */
export function sendNodeError(
  faultline: Faultline,
  request: IncomingMessage,
  response: ServerResponse,
  error: unknown,
): void {
  const method = request.method;
  const info = errorRequestInfo(faultline, method, request.url ?? '/', nodeHeaders(request));
  const answer = faultline.answer(error, info);
  void sendNodeResponse(response, answer, {
    head: method === 'HEAD',
    close: answer.status === 413,
  });
}

/** Already settled: a body written in one piece leaves nothing to wait for. */
const DONE: Promise<void> = Promise.resolve();

/** Streams a body with backpressure; a client that goes away cancels the stream. */
async function sendNodeStream(
  response: ServerResponse,
  neutral: NeutralResponse,
  body: ReadableStream<Uint8Array>,
  options: { head?: boolean; close?: boolean },
): Promise<void> {
  try {
    if (options.close) response.setHeader('connection', 'close');
    response.writeHead(neutral.status, neutral.headers);
    if (options.head) {
      await body.cancel().catch(() => undefined);
      response.end();
      return;
    }
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), response);
  } catch {
    endFailed(response);
  }
}

/** A header value Node refuses, or a client gone mid-stream: end what can be ended. */
function endFailed(response: ServerResponse): void {
  if (!response.headersSent) {
    response.writeHead(500, { 'content-length': '0', 'cache-control': 'no-store' });
  }
  response.destroyed || response.end();
}

/**
 * A node:http request listener over routes, with faultline's error handling around them.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeHandler } from 'faultline/node';
 *
 * createServer(
 *   createNodeHandler({
 *     catalog: api,
 *     format: 'problem',
 *     routes: { 'GET /orders/:id': ({ params }) => findOrder(params.id) },
 *   }),
 * ).listen(3000);
 * ```
 */
export function createNodeHandler(options: AppOptions): NodeHandler {
  const app = new App(options);
  const faultline = app.faultline;
  return (request, response) => {
    const head = request.method === 'HEAD';
    const outcome = app.answer(toNeutralRequest(faultline, request));
    if (outcome instanceof Promise) {
      outcome.then(
        ({ response: neutral }) => sendNodeResponse(response, neutral, { head }),
        () => sendNodeResponse(response, { status: 500, headers: {}, body: null }),
      );
    } else {
      sendNodeResponse(response, outcome.response, { head });
    }
  };
}

/**
 * A `clientError` listener for a node:http server (and Fastify's `clientErrorHandler`): a
 * request Node's parser refuses (an unknown method, a malformed header, a header block too
 * large) is answered with the catalog's `badRequest` error in the server's format instead of
 * Node's bare 400, and the connection is closed.
 *
 * @example
 * ```ts
 * server.on('clientError', createClientErrorHandler(faultline));
 * ```
 */
export function createClientErrorHandler(
  faultline: Faultline,
): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    // A client that went away, or a socket already answered, has nobody left to read a body.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const response = faultline.respond(faultline.error('badRequest', { cause: error }));
    const head = [`HTTP/1.1 ${response.status} ${reasonPhrase(response.status)}`];
    for (const [name, value] of Object.entries(response.headers)) head.push(`${name}: ${value}`);
    head.push(`content-length: ${Buffer.byteLength(response.body)}`, 'connection: close');
    socket.end(`${head.join('\r\n')}\r\n\r\n${response.body}`);
  };
}
