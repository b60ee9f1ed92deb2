import { ApiError } from '../core/error.js';
import { getHeader, type HeadersLike } from '../core/http.js';
import { type BodySource, readJsonBody } from './body.js';
import {
  type ErrorResponse,
  type Faultline,
  type FaultlineOptions,
  fromHookResponse,
  type NeutralResponse,
  type RequestInfo,
  toFaultline,
  toResponse,
} from './faultline.js';
import {
  type HookRequest,
  type ObservedResponse,
  observesResponses,
  runRequestHooks,
  runResponseHooks,
  type ServerHook,
} from './hooks.js';
import { formatAllow } from './http.js';
import { ErrorReply, Reply } from './reply.js';
import { BadPathError, Router } from './router.js';
import { ndjson, type StreamOptions, type StreamSource, sse } from './stream.js';
import type { InferOutput, StandardSchemaV1 } from './validation.js';

/** What a route handler receives. */
export interface RouteContext<Body = unknown> {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The route pattern that matched (`/orders/:id`). */
  readonly route: string;
  /** Path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Reads one request header (case-insensitive). */
  header(name: string): string | undefined;
  /** The parsed JSON body (validated when the route has a `body` schema). */
  readonly body: Body;
  readonly requestId: string;
  /** Aborted when the handler's time limit passes. */
  readonly signal: AbortSignal;
  /** The request as the error path sees it (for the streaming helpers). */
  readonly request: RequestInfo;
  /** A Server-Sent Events response ending with a terminal error event if `source` fails. */
  sse<T>(source: StreamSource<T>, options?: Omit<StreamOptions<T>, 'request'>): Reply;
  /** An NDJSON response ending with a terminal error line if `source` fails. */
  ndjson<T>(source: StreamSource<T>, options?: Omit<StreamOptions<T>, 'request'>): Reply;
}

/**
 * A route handler: returns a value (sent as JSON with 200), `undefined` (204), a {@link Reply}
 * or a Fetch `Response`. It answers with an error either way: by throwing anything, or by
 * returning an `ApiError`, which is answered exactly as if it had been thrown (for code that
 * passes its errors around as values), or `Reply.error(kind)`, the same without making the
 * error object.
 *
 * @example
 * ```ts
 * const show: RouteHandler = ({ params }) => orders.get(params.id) ?? Reply.error('notFound');
 * ```
 */
export type RouteHandler<Body = unknown> = (context: RouteContext<Body>) => unknown;

/** A route with options. */
export interface RouteDefinition<S extends StandardSchemaV1 | undefined = undefined> {
  readonly handler: RouteHandler<S extends StandardSchemaV1 ? InferOutput<S> : unknown>;
  /** A Standard Schema the JSON body must pass (zod 4, valibot, arktype). */
  readonly body?: S;
  /** This route's time limit in milliseconds (overrides the global one). */
  readonly timeout?: number;
  /** This route's largest body in bytes (overrides the global one). */
  readonly bodyLimit?: number;
  /** Hooks of this route only, run after the global ones. */
  readonly hooks?: readonly ServerHook[];
}

/**
 * A route with options, typed from its body schema.
 *
 * @example
 * ```ts
 * const routes = {
 *   'POST /orders': route({ body: z.object({ sku: z.string() }), handler: ({ body }) => body.sku }),
 * };
 * ```
 */
export function route<S extends StandardSchemaV1 | undefined = undefined>(
  definition: RouteDefinition<S>,
): RouteDefinition<S> {
  return definition;
}

/** Routes keyed by `METHOD /pattern` (`GET /orders/:id`, `POST /files/*`). */
export type Routes = Readonly<Record<string, RouteHandler<any> | RouteDefinition<any>>>;

/** Options of the node:http and Fetch targets: the routes and the server core's options. */
export interface AppOptions extends FaultlineOptions {
  readonly routes: Routes;
  /** A ready core; when given, the other core options are ignored. */
  readonly faultline?: Faultline;
}

/** A request as the node:http and Fetch targets hand it to {@link App.handle}. */
export interface NeutralRequest {
  readonly method: string;
  /** The request target: origin-form (`/a?b`) or absolute (`http://host/a?b`). */
  readonly url: string;
  readonly headers: HeadersLike;
  /** The body stream, or `null` when there is none. */
  readonly body: BodySource | null;
  readonly ip?: string | undefined;
}

/** What {@link App.handle} answers: a response, and the error it encodes if it is one. */
export interface Outcome {
  readonly response: NeutralResponse;
  readonly error: ErrorResponse['error'] | undefined;
}

interface CompiledRoute {
  readonly definition: RouteDefinition<StandardSchemaV1 | undefined>;
  readonly hooks: readonly ServerHook[];
  /** Whether a hook sees responses, so a streamed handler body is read whole when it can be. */
  readonly observes: boolean;
  readonly timeout: number | undefined;
  readonly bodyLimit: number;
}

const NO_CONTENT: NeutralResponse = { status: 204, headers: {}, body: null };
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));
let neverAborted: AbortSignal | undefined;

/**
 * One request in flight: the route context handlers receive, and what the error path needs.
 * A class with lazy getters, as one is made for every request.
 */
class Exchange implements RouteContext {
  readonly faultline: Faultline;
  readonly raw: NeutralRequest;
  readonly method: string;
  readonly path: string;
  /** When the request started; only noted when errors are logged (it serves the duration). */
  readonly startedAt: number | undefined;
  route = '';
  params: Readonly<Record<string, string>> = NO_PARAMS;
  body: unknown;
  signalSource: AbortSignal | undefined;
  #queryText: string;
  #query: URLSearchParams | undefined;
  #requestId: string | undefined;
  #body: Promise<unknown> | undefined;

  constructor(faultline: Faultline, raw: NeutralRequest) {
    this.faultline = faultline;
    this.raw = raw;
    this.method = raw.method;
    this.startedAt = faultline.logging ? performance.now() : undefined;
    // Split without a full URL parse, and without an object for the two parts (a hot path).
    let target = raw.url;
    if (!target.startsWith('/')) {
      const scheme = target.indexOf('://');
      if (scheme !== -1) {
        const slash = target.indexOf('/', scheme + 3);
        target = slash === -1 ? '/' : target.slice(slash);
      }
    }
    const mark = target.indexOf('?');
    const hash = target.indexOf('#');
    const end = hash === -1 ? target.length : hash;
    if (mark === -1 || mark > end) {
      this.path = end === target.length ? target : target.slice(0, end);
      this.#queryText = '';
    } else {
      this.path = target.slice(0, mark);
      this.#queryText = target.slice(mark + 1, end);
    }
  }

  get requestId(): string {
    this.#requestId ??= this.faultline.requestId(this.raw.headers);
    return this.#requestId;
  }

  /** The raw query string, without the `?`. */
  get queryText(): string {
    return this.#queryText;
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#queryText);
    return this.#query;
  }

  get signal(): AbortSignal {
    neverAborted ??= new AbortController().signal;
    return this.signalSource ?? neverAborted;
  }

  get request(): RequestInfo & { requestId: string } {
    return {
      method: this.method,
      path: this.path,
      route: this.route === '' ? undefined : this.route,
      headers: this.raw.headers,
      requestId: this.requestId,
      startedAt: this.startedAt,
    };
  }

  // Getters returning functions, not methods: handlers destructure them (`({ header }) =>`),
  // and the function is only made when asked for.
  get header(): (name: string) => string | undefined {
    const headers = this.raw.headers;
    return (name) => getHeader(headers, name);
  }

  /** The parsed JSON body, read once (415, 413, 400 on bad input). */
  readBody(limit: number): Promise<unknown> {
    this.#body ??= readJsonBody(this.faultline, this.raw.headers, this.raw.body, limit);
    return this.#body;
  }

  get sse(): RouteContext['sse'] {
    return (source, options) => sse(this.faultline, source, { ...options, request: this.request });
  }

  get ndjson(): RouteContext['ndjson'] {
    return (source, options) =>
      ndjson(this.faultline, source, { ...options, request: this.request });
  }
}

/**
 * The routes of the node:http and Fetch targets with faultline's error handling around them:
 * unknown paths are 404, wrong methods 405 with `Allow`, bodies are checked (415, 413, 400),
 * validated (422) and time-limited, and anything thrown becomes the catalog's response.
 */
export class App {
  readonly faultline: Faultline;
  readonly #router = new Router<CompiledRoute>();

  constructor(options: AppOptions) {
    this.faultline = options.faultline ?? toFaultline(options);
    for (const [key, value] of Object.entries(options.routes)) {
      const space = key.indexOf(' ');
      if (space === -1) throw new TypeError(`Route key must be "METHOD /path": ${key}`);
      const definition: RouteDefinition<StandardSchemaV1 | undefined> =
        typeof value === 'function' ? { handler: value } : value;
      const hooks = [...this.faultline.hooks, ...(definition.hooks ?? [])];
      this.#router.add(key.slice(0, space), key.slice(space + 1).trim(), {
        definition,
        hooks,
        observes: observesResponses(hooks),
        timeout: definition.timeout ?? this.faultline.timeout,
        bodyLimit: definition.bodyLimit ?? this.faultline.bodyLimit,
      });
    }
  }

  /** Answers one request. Never throws. */
  async handle(request: NeutralRequest): Promise<Outcome> {
    return this.answer(request);
  }

  /**
   * Answers one request, synchronously when it can: a route without hooks, body or time limit
   * whose handler returns a plain value (or throws) is answered without a promise, so an
   * adapter can write the response in the same tick. Never throws.
   */
  answer(request: NeutralRequest): Outcome | Promise<Outcome> {
    const exchange = new Exchange(this.faultline, request);
    try {
      const match = this.#router.match(request.method, exchange.path);
      if (match.kind === 'none') throw this.faultline.error('notFound');
      if (match.kind === 'method') {
        throw this.faultline.error('methodNotAllowed', {
          headers: { allow: formatAllow(match.allow) },
        });
      }
      const compiled = match.route.value;
      exchange.route = match.route.pattern;
      exchange.params = match.params;
      if (
        compiled.hooks.length > 0 ||
        compiled.timeout !== undefined ||
        request.body !== null ||
        compiled.definition.body !== undefined
      ) {
        return this.#handleFully(compiled, exchange);
      }
      const result = compiled.definition.handler(exchange);
      if (isThenable(result)) return this.#settle(result, exchange);
      return this.#outcome(result, exchange);
    } catch (thrown) {
      return this.#fail(thrown, exchange);
    }
  }

  /** The outcome of a handler that answered with a promise. */
  async #settle(result: PromiseLike<unknown>, exchange: Exchange): Promise<Outcome> {
    try {
      return this.#outcome(await result, exchange);
    } catch (thrown) {
      return this.#fail(thrown, exchange);
    }
  }

  /** The outcome of what a handler returned: a returned `ApiError` is answered as if thrown. */
  #outcome(result: unknown, exchange: Exchange): Outcome {
    if (result instanceof ErrorReply) {
      // The error itself is made only if something reads it (see `Faultline.answer`).
      const answered = this.faultline.answer(result.kind, exchange.request);
      return new LazyOutcome(closing(answered), answered);
    }
    if (ApiError.is(result)) return this.#fail(result, exchange);
    return finish(toNeutral(result), undefined);
  }

  /** The error outcome of anything thrown while answering. */
  #fail(thrown: unknown, exchange: Exchange): Outcome {
    const failure = thrown instanceof BadPathError ? this.faultline.error('badRequest') : thrown;
    const errorResponse = this.faultline.respond(failure, exchange.request);
    return finish(errorResponse, errorResponse.error);
  }

  /** A matched route with hooks, a body or a time limit. Never throws. */
  async #handleFully(compiled: CompiledRoute, exchange: Exchange): Promise<Outcome> {
    const faultline = this.faultline;
    const request = exchange.raw;
    const path = exchange.path;
    let hookRequest: HookRequest | undefined;
    let extraHeaders: Record<string, string> | undefined;
    let source: ObservedResponse['source'] = 'handler';
    let response: NeutralResponse;
    let error: ErrorResponse['error'] | undefined;
    try {
      let answer: NeutralResponse | undefined;
      if (compiled.hooks.length > 0) {
        hookRequest = faultline.hookRequest({
          method: request.method,
          path,
          query: exchange.queryText,
          route: exchange.route,
          requestId: exchange.requestId,
          ip: request.ip,
          header: (name) => getHeader(request.headers, name),
          body: () => exchange.readBody(compiled.bodyLimit),
          setHeader: (name, value) => {
            extraHeaders ??= {};
            extraHeaders[name.toLowerCase()] = value;
          },
        });
        const short = await runRequestHooks(compiled.hooks, hookRequest);
        if (short) {
          answer = fromHookResponse(short);
          source = 'hook';
        }
      }
      if (!answer) {
        const schema = compiled.definition.body;
        if (request.body !== null || schema) {
          const parsed = await exchange.readBody(compiled.bodyLimit);
          exchange.body = schema ? await faultline.validate(schema, parsed) : parsed;
        }
        answer = await this.#run(compiled, exchange);
        // A Fetch `Response` from the handler carries a stream: an observing hook (an
        // idempotent replay) needs its bytes, so a body within the limit is read whole.
        if (compiled.observes && isPlainStream(answer)) {
          answer = await bufferBody(answer, faultline.bodyLimit);
        }
      }
      response = answer;
    } catch (thrown) {
      const failure = thrown instanceof BadPathError ? faultline.error('badRequest') : thrown;
      const errorResponse = faultline.respond(failure, exchange.request);
      response = errorResponse;
      error = errorResponse.error;
      source = 'error';
    }
    if (extraHeaders) {
      response = { ...response, headers: mergeHeaders(extraHeaders, response.headers) };
    }
    const outcome = finish(response, error);
    if (hookRequest) {
      const observed: ObservedResponse = {
        status: outcome.response.status,
        headers: outcome.response.headers,
        body:
          outcome.response.body instanceof ReadableStream
            ? undefined
            : (outcome.response.body ?? undefined),
        error,
        source,
      };
      await runResponseHooks(hookRequest, observed, (failure, hook) =>
        faultline.reportFailure(failure, exchange.request, `hook ${hook.name}`),
      );
    }
    return outcome;
  }

  async #run(compiled: CompiledRoute, exchange: Exchange): Promise<NeutralResponse> {
    const faultline = this.faultline;
    const handler = compiled.definition.handler;
    const limit = compiled.timeout;
    if (limit === undefined) {
      const result = handler(exchange);
      return responseOf(isThenable(result) ? await result : result, faultline);
    }
    const controller = new AbortController();
    exchange.signalSource = controller.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const work = (async () => handler(exchange))();
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = faultline.error('timeout');
        controller.abort(error);
        reject(error);
        // The late result is discarded; a stream it opened is cancelled, a failure is logged.
        work.then(
          (late) => {
            const body = (late as { body?: unknown } | null)?.body;
            if (body instanceof ReadableStream) body.cancel().catch(() => undefined);
          },
          (failure) =>
            faultline.reportFailure(
              failure,
              exchange.request,
              'handler failed after its time limit',
            ),
        );
      }, limit);
    });
    try {
      return responseOf(await Promise.race([work, timedOut]), faultline);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * `first`'s headers overridden by `second`'s, as `{ ...first, ...second }` would give but copied
 * key by key: in V8 a spread that then gains keys takes a new hidden class on every call, which
 * costs microseconds per response and sends every later read of the object (Node's header
 * validation) down the megamorphic path.
 */
export function mergeHeaders(
  first: Readonly<Record<string, string>>,
  second: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const name in first) if (Object.hasOwn(first, name)) merged[name] = first[name]!;
  for (const name in second) if (Object.hasOwn(second, name)) merged[name] = second[name]!;
  return merged;
}

/** The outcome of an error answered by kind: the error is read from the answer when needed. */
class LazyOutcome implements Outcome {
  readonly response: NeutralResponse;
  readonly #answered: ErrorResponse;

  constructor(response: NeutralResponse, answered: ErrorResponse) {
    this.response = response;
    this.#answered = answered;
  }

  get error(): ErrorResponse['error'] {
    return this.#answered.error;
  }
}

/** The outcome of a response; a 413 closes the connection. */
function finish(response: NeutralResponse, error: ErrorResponse['error'] | undefined): Outcome {
  return { response: closing(response), error };
}

/** A response as sent: a 413 closes the connection. */
function closing(response: NeutralResponse): NeutralResponse {
  if (response.status !== 413) return response;
  // The rest of a body refused as too large is left unread: the connection cannot be reused.
  return { ...response, headers: { ...response.headers, connection: 'close' } };
}

/** A streamed body that is not an event stream or NDJSON (those are never read whole). */
function isPlainStream(response: NeutralResponse): boolean {
  if (!(response.body instanceof ReadableStream) || response instanceof Reply) return false;
  return !/event-stream|ndjson/i.test(response.headers['content-type'] ?? '');
}

/**
 * The response with its streamed body read into bytes; past `limit` bytes it stays a stream
 * (what was read is sent first) and hooks observe it as streamed.
 */
async function bufferBody(response: NeutralResponse, limit: number): Promise<NeutralResponse> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    chunks.push(next.value);
    size += next.value.byteLength;
    if (size > limit) {
      const rest = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
        },
        async pull(controller) {
          const more = await reader.read();
          if (more.done) controller.close();
          else controller.enqueue(more.value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return { ...response, body: rest };
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ...response, body: bytes };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * What a handler returned, as a neutral response; a returned `ApiError` is thrown on, so that
 * the caller's one error path (hooks, log record, response) answers it as any thrown error.
 */
function responseOf(result: unknown, faultline: Faultline): NeutralResponse {
  if (ApiError.is(result)) throw result;
  if (result instanceof ErrorReply) throw faultline.error(result.kind);
  return toNeutral(result);
}

/** A handler's result as a neutral response. */
function toNeutral(result: unknown): NeutralResponse {
  if (result instanceof Reply) return result;
  if (result === undefined) return NO_CONTENT;
  if (typeof Response !== 'undefined' && result instanceof Response) {
    const headers: Record<string, string> = {};
    result.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: result.status, headers, body: result.body };
  }
  return new JsonResponse(JSON.stringify(result));
}

/**
 * A handler's value sent as JSON. Its headers object is its own, made for this response, so an
 * adapter may add to it: node:http adds the length there rather than copying the headers.
 */
export class JsonResponse implements NeutralResponse {
  readonly status = 200;
  readonly headers: Record<string, string> = { 'content-type': 'application/json' };
  readonly body: string;

  constructor(body: string) {
    this.body = body;
  }
}

/**
 * A Fetch handler: the one function Bun, Deno, Cloudflare Workers and Hono's servers call. The
 * runtime's extra arguments (Bun's server, Deno's connection info, a Workers env) are passed on
 * to `clientAddress`.
 */
export type FetchHandler = (request: Request, ...rest: any[]) => Promise<Response>;

/** Options of {@link createFetchHandler}: the routes, the core's options and the client address. */
export interface FetchHandlerOptions extends AppOptions {
  /**
   * The client address hooks see as `ip` (rate limits by IP), from the request and the
   * runtime's extra arguments. Bun: `(req, server) => server.requestIP(req)?.address`; Deno:
   * `(req, info) => info.remoteAddr.hostname`; @hono/node-server:
   * `(req, env) => env.incoming.socket.remoteAddress`.
   */
  clientAddress?(request: Request, ...rest: any[]): string | undefined;
}

/**
 * A Fetch API handler over routes, for Bun (`Bun.serve({ fetch })`), Deno (`Deno.serve`),
 * Workers (`export default { fetch }`) or any server that speaks `Request`/`Response`.
 *
 * @example
 * ```ts
 * const fetch = createFetchHandler({
 *   catalog: api,
 *   routes: { 'GET /orders/:id': ({ params }) => findOrder(params.id) },
 * });
 * Deno.serve(fetch);
 * ```
 */
export function createFetchHandler(options: FetchHandlerOptions): FetchHandler {
  const app = new App(options);
  const clientAddress = options.clientAddress;
  return (request, ...rest) => {
    const method = request.method;
    const head = method === 'HEAD';
    const outcome = app.answer(
      new FetchRequest(
        request,
        method,
        // GET and HEAD carry no body; not touching it spares lazy runtimes building a stream.
        method === 'GET' || head ? null : request.body,
        clientAddress ? addressOf(clientAddress, request, rest) : undefined,
      ),
    );
    if (outcome instanceof Promise)
      return outcome.then(({ response }) => toResponse(response, head));
    try {
      return Promise.resolve(toResponse(outcome.response, head));
    } catch (failure) {
      return Promise.reject(failure);
    }
  };
}

/**
 * A Fetch request as a neutral request. Its headers are read only when asked: runtimes such as
 * `@hono/node-server` build the `Headers` object on first access, and a success answered by a
 * route never needs it.
 */
class FetchRequest implements NeutralRequest {
  readonly method: string;
  readonly url: string;
  readonly body: BodySource | null;
  readonly ip: string | undefined;
  readonly #request: Request;

  constructor(request: Request, method: string, body: BodySource | null, ip: string | undefined) {
    this.#request = request;
    this.method = method;
    this.url = request.url;
    this.body = body;
    this.ip = ip;
  }

  get headers(): HeadersLike {
    return this.#request.headers;
  }
}

/** The client address, or none when the resolver fails (an address is never worth a 500). */
function addressOf(
  resolve: NonNullable<FetchHandlerOptions['clientAddress']>,
  request: Request,
  rest: unknown[],
): string | undefined {
  try {
    const address = resolve(request, ...rest);
    return typeof address === 'string' ? address : undefined;
  } catch {
    return undefined;
  }
}
