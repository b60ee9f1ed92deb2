import type { Context, Hono, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PatternRouter } from 'hono/router/pattern-router';
import type { ApiError } from '../core/error.js';
import { checkBodyHeaders, parseJsonBody, readBody } from '../server/body.js';
import {
  Faultline,
  type FaultlineOptions,
  fromHookResponse,
  type RequestInfo,
  toFaultline,
  toResponse,
} from '../server/faultline.js';
import {
  type HookRequest,
  type ObservedResponse,
  observesResponses,
  runRequestHooks,
  runResponseHooks,
  type ServerHook,
} from '../server/hooks.js';
import { formatAllow, queryOf } from '../server/http.js';
import { ndjson, type StreamOptions, type StreamSource, sse } from '../server/stream.js';

/** Options of {@link useFaultline}: the core's, plus whether every body is read as JSON. */
export interface HonoFaultlineOptions extends FaultlineOptions {
  /**
   * Read every request body as JSON before the handlers (415, 413, 400 as in every adapter);
   * handlers then read it with `c.req.json()`. Off by default: use {@link HonoFaultline.json}
   * on the routes that take JSON.
   */
  readonly json?: boolean;
  /**
   * The client address hooks see as `ip` (rate limits by IP). By default the connection's
   * address under `@hono/node-server`; give one for Bun, Deno or Workers, e.g.
   * `(c) => c.req.header('cf-connecting-ip')`.
   */
  readonly clientAddress?: (c: Context) => string | undefined;
}

/** The client address under `@hono/node-server`, read without importing it. */
function nodeServerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** What {@link useFaultline} installs and hands back. */
export interface HonoFaultline {
  readonly faultline: Faultline;
  /** Middleware that reads the body as JSON (415, 413, 400), for the routes that take JSON. */
  json(options?: { limit?: number }): MiddlewareHandler;
  /** Middleware that limits the handlers after it to `ms` milliseconds (then the timeout kind). */
  timeout(ms: number): MiddlewareHandler;
  /** Middleware that runs hooks (rate limiting, idempotency) around the handlers after it. */
  hooks(hooks: readonly ServerHook[]): MiddlewareHandler;
  /**
   * The error response for a request, for handlers that return their errors rather than throw
   * them: the same response, log record, span attributes and hooks as `onError` gives a
   * thrown error. `error` is a kind of failure (`'notFound'`, the cheapest: no error object is
   * made unless something needs one), an `ApiError`, or anything else as if it had been thrown.
   *
   * @example
   * ```ts
   * app.get('/orders/:id', (c) => {
   *   const order = orders.get(c.req.param('id'));
   *   return order ? c.json(order) : errors.response(c, 'notFound');
   * });
   * ```
   */
  response(c: Context, error: unknown): Response;
  /** The request as the error path sees it. */
  request(c: Context): RequestInfo;
  /** An SSE response that ends with a terminal error event if `source` fails. */
  sse<T>(
    c: Context,
    source: StreamSource<T>,
    options?: Omit<StreamOptions<T>, 'request'>,
  ): Response;
  /** An NDJSON response that ends with a terminal error line if `source` fails. */
  ndjson<T>(
    c: Context,
    source: StreamSource<T>,
    options?: Omit<StreamOptions<T>, 'request'>,
  ): Response;
}

interface State {
  readonly startedAt: number;
  requestId: string | undefined;
  /** The error the request was answered with, for the hooks that observe responses. */
  error?: ApiError | undefined;
}

const states = new WeakMap<Request, State>();

/**
 * Installs faultline on a Hono app (Node, Bun, Deno, Workers): `onError` and `notFound`
 * answer from the catalog (a wrong method is 405 with `Allow`); `app.fetch` is wrapped to
 * answer what Hono's error handler lets through (non-`Error` throws) and note when each
 * request started; a first middleware runs the global time limit, hooks and JSON body reading
 * when configured. Call it before adding routes, and before handing `app.fetch` to a server.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * const errors = useFaultline(app, { catalog: api, format: 'problem', json: true });
 * app.get('/orders/:id', (c) => c.json(findOrder(c.req.param('id'))));
 * ```
 */
export function useFaultline(
  app: Hono<any, any, any>,
  options: HonoFaultlineOptions | Faultline = {},
): HonoFaultline {
  const faultline = toFaultline(options);
  const readAll = !(options instanceof Faultline) && options.json === true;
  const clientAddress =
    (!(options instanceof Faultline) && options.clientAddress) || nodeServerAddress;

  /** The request id, made once per request so that every part of the answer agrees. */
  const requestIdOf = (c: Context): string => {
    let state = states.get(c.req.raw);
    if (!state) {
      state = { startedAt: performance.now(), requestId: undefined };
      states.set(c.req.raw, state);
    }
    state.requestId ??= faultline.requestId(c.req.raw.headers);
    return state.requestId;
  };
  const requestOf = (c: Context): RequestInfo => {
    const requestId = requestIdOf(c);
    const state = states.get(c.req.raw)!;
    return {
      method: c.req.method,
      path: c.req.path,
      route: routeOf(c),
      headers: c.req.raw.headers,
      requestId,
      startedAt: state.startedAt,
    };
  };
  /**
   * What answering an error needs: without a log, only the headers and the request id. A
   * request nothing tracks yet (no hook, time limit or stream asked for its id) is not tracked
   * now: nothing asks for its id again, and a WeakMap entry per error is not free.
   */
  const errorInfo = (c: Context): RequestInfo => {
    if (faultline.logging) return requestOf(c);
    const headers = c.req.raw.headers;
    return states.has(c.req.raw) ? { headers, requestId: requestIdOf(c) } : { headers };
  };
  /** `direct`: an error returned rather than thrown, which may be a kind (`'notFound'`). */
  const errorResponse = (thrown: unknown, c: Context, direct = false): Response => {
    const error = recognise(faultline, thrown) ?? thrown;
    const info = errorInfo(c);
    const response = direct ? faultline.answer(error, info) : faultline.respond(error, info);
    // Hooks that observe the response read the error from the state they made.
    const state = states.get(c.req.raw);
    if (state) state.error = response.error;
    // The rest of a body refused as too large is left unread: the connection cannot be reused.
    if (response.status === 413) response.headers.connection = 'close';
    return toResponse(response);
  };

  const json = (limit = faultline.bodyLimit): MiddlewareHandler =>
    async function faultlineJson(c, next) {
      await readJson(faultline, c, limit);
      await next();
    };
  const timeout = (ms: number): MiddlewareHandler =>
    async function faultlineTimeout(c, next) {
      await withTimeout(faultline, ms, next, () => requestOf(c));
    };
  const hooks = (list: readonly ServerHook[]): MiddlewareHandler =>
    async function faultlineHooks(c, next) {
      await runHooks(faultline, list, c, next, requestOf, clientAddress);
    };

  const globalHooks = faultline.hooks;
  const globalTimeout = faultline.timeout;
  // A first middleware only where there is work for it: routes without it keep Hono's
  // single-handler fast path.
  if (readAll || globalTimeout !== undefined || globalHooks.length > 0) {
    app.use('*', async function faultlineStart(c, next) {
      if (readAll) await readJson(faultline, c, faultline.bodyLimit);
      const run =
        globalTimeout === undefined
          ? next
          : () => withTimeout(faultline, globalTimeout, next, () => requestOf(c));
      if (globalHooks.length > 0)
        await runHooks(faultline, globalHooks, c, run, requestOf, clientAddress);
      else await run();
    });
  }
  // Hono's own error handler takes only `Error`s and rethrows anything else out of `fetch`;
  // wrapping `fetch` catches those too, and notes when each request started.
  const dispatch = app.fetch;
  const thrownOut = (thrown: unknown, request: Request): Response => {
    const state = states.get(request);
    const response = faultline.respond(thrown, {
      method: request.method,
      path: pathOf(request.url),
      headers: request.headers,
      startedAt: state?.startedAt,
    });
    return toResponse(response);
  };
  app.fetch = (request, ...rest) => {
    // The start time only serves the logged duration: requests are not tracked without a log.
    if (faultline.logging)
      states.set(request, { startedAt: performance.now(), requestId: undefined });
    let result: Response | Promise<Response>;
    try {
      result = dispatch(request, ...rest);
    } catch (thrown) {
      return thrownOut(thrown, request);
    }
    return result instanceof Promise
      ? result.catch((thrown) => thrownOut(thrown, request))
      : result;
  };
  app.onError(errorResponse);
  app.notFound((c) => {
    const allow = allowedMethods(app, c.req.method, c.req.path);
    const error =
      allow.length > 0
        ? faultline.error('methodNotAllowed', { headers: { allow: formatAllow(allow) } })
        : faultline.error('notFound');
    return errorResponse(error, c);
  });

  return {
    faultline,
    json: (opts) => json(opts?.limit),
    timeout,
    hooks,
    response: (c, error) => errorResponse(error, c, true),
    request: requestOf,
    sse: (c, source, opts) =>
      toResponse(sse(faultline, source, { ...opts, request: requestOf(c) })),
    ndjson: (c, source, opts) =>
      toResponse(ndjson(faultline, source, { ...opts, request: requestOf(c) })),
  };
}

/** Hono's and the team's HTTP errors as catalog errors; `undefined` for anything else. */
function recognise(faultline: Faultline, thrown: unknown): ApiError | undefined {
  if (!(thrown instanceof HTTPException)) return undefined;
  const error = faultline.toApiError({ expose: true, status: thrown.status, cause: thrown });
  // An exception built with its own response (bearer auth) says how to authenticate.
  const authenticate = thrown.res?.headers.get('www-authenticate');
  return authenticate ? error.with({ headers: { 'www-authenticate': authenticate } }) : error;
}

const bodies = new WeakMap<Request, Promise<unknown>>();

/**
 * Reads the request body as JSON once per request (415, 413, 400 as in every adapter) and
 * seeds Hono's body cache, so handlers call `c.req.json()` as usual.
 */
function readJson(faultline: Faultline, c: Context, limit: number): Promise<unknown> {
  const raw = c.req.raw;
  let body = bodies.get(raw);
  if (!body) {
    body = parseRequest(faultline, c, limit);
    bodies.set(raw, body);
  }
  return body;
}

async function parseRequest(faultline: Faultline, c: Context, limit: number): Promise<unknown> {
  const raw = c.req.raw;
  if (raw.body === null || raw.method === 'GET' || raw.method === 'HEAD') return undefined;
  const length = raw.headers.get('content-length')?.trim();
  if (length === '0') return undefined;
  const type = raw.headers.get('content-type') ?? undefined;
  if (type !== undefined || length !== undefined) checkBodyHeaders(faultline, raw.headers, limit);
  const bytes = await readBody(faultline, raw.body, limit);
  if (bytes.byteLength === 0) return undefined;
  if (type === undefined) throw faultline.error('unsupportedMediaType');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw faultline.error('badJson', { cause });
  }
  const parsed = parseJsonBody(faultline, text, faultline.maxDepth);
  const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
  cache.text = Promise.resolve(text);
  cache.json = Promise.resolve(parsed);
  return parsed;
}

async function withTimeout(
  faultline: Faultline,
  ms: number,
  next: () => Promise<void>,
  request: () => RequestInfo,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const work = next();
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(faultline.error('timeout'));
      // The handler's late result is discarded; a late failure is only logged.
      work.catch((failure: unknown) =>
        faultline.reportFailure(
          failure,
          { ...request(), requestId: request().requestId ?? '' },
          'handler failed after its time limit',
        ),
      );
    }, ms);
  });
  try {
    await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function runHooks(
  faultline: Faultline,
  list: readonly ServerHook[],
  c: Context,
  next: () => Promise<void>,
  requestOf: (c: Context) => RequestInfo,
  clientAddress: (c: Context) => string | undefined,
): Promise<void> {
  const info = requestOf(c);
  const extra: Record<string, string> = {};
  const hookRequest: HookRequest = faultline.hookRequest({
    method: c.req.method,
    path: c.req.path,
    query: queryOf(c.req.url),
    route: routeOf(c),
    requestId: info.requestId ?? '',
    ip: clientAddress(c),
    header: (name) => c.req.raw.headers.get(name) ?? undefined,
    body: () => readJson(faultline, c, faultline.bodyLimit),
    setHeader: (name, value) => {
      extra[name.toLowerCase()] = value;
    },
  });
  let source: ObservedResponse['source'] = 'handler';
  let error: ApiError | undefined;
  try {
    const short = await runRequestHooks(list, hookRequest);
    if (short) {
      source = 'hook';
      c.res = toResponse(fromHookResponse(short));
    } else {
      await next();
      error = states.get(c.req.raw)?.error;
      if (error) source = 'error';
    }
  } catch (thrown) {
    const response = faultline.respond(recognise(faultline, thrown) ?? thrown, info);
    error = response.error;
    source = 'error';
    c.res = toResponse(response);
  }
  // Hook headers go on whatever answered, success or error.
  if (Object.keys(extra).length > 0) {
    const response = new Response(c.res.body, c.res);
    for (const [name, value] of Object.entries(extra)) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    c.res = response;
  }
  if (!observesResponses(list)) return;
  const headers: Record<string, string> = {};
  c.res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const streamed = /event-stream|ndjson/.test(headers['content-type'] ?? '');
  const body = streamed || c.res.body === null ? undefined : await c.res.clone().text();
  await runResponseHooks(
    hookRequest,
    { status: c.res.status, headers, body, error, source },
    (f, h) =>
      faultline.reportFailure(f, { ...info, requestId: info.requestId ?? '' }, `hook ${h.name}`),
  );
}

interface RouteTable {
  readonly count: number;
  readonly router: PatternRouter<string>;
  readonly methods: readonly string[];
}

const tables = new WeakMap<object, RouteTable>();

/**
 * The methods other than `method` that a route of `app` answers at `path` (for 405). Routes
 * for every method (`ALL`: middleware, `app.all`) are left out: they answer any method. The
 * table is rebuilt when routes are added.
 */
function allowedMethods(app: Hono<any, any, any>, method: string, path: string): string[] {
  let table = tables.get(app);
  if (!table || table.count !== app.routes.length) {
    const router = new PatternRouter<string>();
    const methods = new Set<string>();
    for (const route of app.routes) {
      if (route.method === 'ALL') continue;
      router.add(route.method, route.path, route.method);
      methods.add(route.method);
    }
    table = { count: app.routes.length, router, methods: [...methods] };
    tables.set(app, table);
  }
  const allow: string[] = [];
  for (const candidate of table.methods) {
    if (candidate === method) continue;
    if (table.router.match(candidate, path)[0].length > 0) allow.push(candidate);
  }
  return allow;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The matched route pattern; Hono throws when no route matched (a 404). */
function routeOf(c: Context): string | undefined {
  try {
    return c.req.routePath;
  } catch {
    return undefined;
  }
}
