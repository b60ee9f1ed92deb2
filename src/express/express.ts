import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { ApiError } from '../core/error.js';
import { nodeBodySource, nodeHeaders, sendNodeResponse } from '../node/node.js';
import { readJsonBody } from '../server/body.js';
import {
  type Faultline,
  type FaultlineOptions,
  fromHookResponse,
  type RequestInfo,
  toFaultline,
} from '../server/faultline.js';
import {
  type HookRequest,
  observesResponses,
  runRequestHooks,
  runResponseHooks,
  type ServerHook,
} from '../server/hooks.js';
import { formatAllow, queryOf } from '../server/http.js';
import { ndjson, type StreamOptions, type StreamSource, sse } from '../server/stream.js';

/** What {@link createExpressErrors} hands back: middleware to mount around the routes. */
export interface ExpressErrors {
  readonly faultline: Faultline;
  /**
   * Mount first when the options have a global `timeout`, global `hooks` or a `log` (it runs the
   * time limit and hooks, and notes when each request started for the logged duration). Leave
   * it out otherwise: it would do nothing, and Express's router pays for every layer it
   * passes, on every request.
   */
  readonly start: RequestHandler;
  /** Reads JSON bodies (415, 413, 400 as in every adapter) into `req.body`. */
  json(options?: { limit?: number }): RequestHandler;
  /** Limits the handlers after it to `ms` milliseconds (then the timeout kind). */
  timeout(ms: number): RequestHandler;
  /** Runs hooks (rate limiting, idempotency) around the handlers after it. */
  hooks(hooks: readonly ServerHook[]): RequestHandler;
  /**
   * Mount last: the 404 handler (405 with `Allow` when another method matches) and the error
   * handler. `app.use(errors.handlers)`.
   */
  readonly handlers: [RequestHandler, ErrorRequestHandler];
  /**
   * Answers with an error without throwing it, for handlers that pass their errors around as
   * values: the same response, log record, span attributes and hooks as the error handler
   * gives a thrown error. `error` is a kind of failure (`'notFound'`, the cheapest: no error
   * object is made unless something needs one), an `ApiError`, or anything else as if it had
   * been thrown.
   *
   * @example
   * ```ts
   * app.get('/orders/:id', (req, res) => {
   *   const order = orders.get(req.params.id);
   *   if (!order) return errors.send(req, res, 'notFound');
   *   res.json(order);
   * });
   * ```
   */
  send(req: Request, res: Response, error: unknown): void;
  /** The request as the error path sees it. */
  request(req: Request): RequestInfo;
  /** Sends an SSE response that ends with a terminal error event if `source` fails. */
  sse<T>(
    req: Request,
    res: Response,
    source: StreamSource<T>,
    options?: Omit<StreamOptions<T>, 'request'>,
  ): Promise<void>;
  /** Sends an NDJSON response that ends with a terminal error line if `source` fails. */
  ndjson<T>(
    req: Request,
    res: Response,
    source: StreamSource<T>,
    options?: Omit<StreamOptions<T>, 'request'>,
  ): Promise<void>;
}

interface State {
  startedAt: number;
  requestId: string | undefined;
  /** Set once faultline answered the request on its own (a time limit): later writes are dropped. */
  closed: boolean;
  error: ApiError | undefined;
  /** Set when a hook answered instead of the handler. */
  shortCircuit: boolean;
}

const states = new WeakMap<IncomingMessage, State>();

function stateOf(req: IncomingMessage): State {
  let state = states.get(req);
  if (!state) {
    state = {
      startedAt: performance.now(),
      requestId: undefined,
      closed: false,
      error: undefined,
      shortCircuit: false,
    };
    states.set(req, state);
  }
  return state;
}

/**
 * faultline for Express 5: body-parser errors, http-errors, thrown `ApiError`s and anything
 * else become the catalog's response; unknown routes are 404, wrong methods 405 with `Allow`.
 *
 * @example
 * ```ts
 * const errors = createExpressErrors({ catalog: api, format: 'problem', log: pino() });
 * app.use(errors.start); // only with a global timeout, global hooks or a log
 * app.use(errors.json());
 * app.get('/orders/:id', handler);
 * app.use(errors.handlers);
 * ```
 */
export function createExpressErrors(options: FaultlineOptions | Faultline = {}): ExpressErrors {
  const faultline = toFaultline(options);

  const request = (req: Request | IncomingMessage): RequestInfo => {
    const state = stateOf(req);
    state.requestId ??= faultline.requestId(nodeHeaders(req));
    const express = req as Partial<Request>;
    return {
      method: req.method,
      path: express.path ?? req.url,
      route: routeOf(express),
      headers: nodeHeaders(req),
      requestId: state.requestId,
      startedAt: state.startedAt,
    };
  };

  /**
   * What answering an error needs: without a log, only the headers and the request id. A
   * request nothing has tracked yet (no log, time limit, hook or stream) is not tracked now:
   * nothing can ask for its id again, and a WeakMap entry per error is not free.
   */
  const errorInfo = (req: Request, state: State | undefined): RequestInfo => {
    if (faultline.logging) return request(req);
    const headers = nodeHeaders(req);
    if (!state) return { headers };
    state.requestId ??= faultline.requestId(headers);
    return { headers, requestId: state.requestId };
  };

  const answer = (
    thrown: unknown,
    req: Request,
    res: Response,
    state: State | undefined = states.get(req),
    /** An error returned rather than thrown, which may be a kind (`'notFound'`). */
    direct = false,
  ): void => {
    const error = recognise(faultline, thrown) ?? thrown;
    const info = errorInfo(req, state);
    const response = direct ? faultline.answer(error, info) : faultline.respond(error, info);
    // Hooks that observe the response read the error from the state they made before.
    if (state) state.error = response.error;
    void sendNodeResponse(res, response, { close: response.status === 413 });
  };

  const timeout =
    (ms: number): RequestHandler =>
    (req, res, next) => {
      const timer = setTimeout(() => {
        if (res.headersSent) return;
        answer(faultline.error('timeout'), req, res);
        stateOf(req).closed = true;
        discardLateWrites(res);
      }, ms);
      const clear = (): void => clearTimeout(timer);
      res.once('finish', clear);
      res.once('close', clear);
      next();
    };

  const hooks =
    (list: readonly ServerHook[]): RequestHandler =>
    (req, res, next) => {
      runHooks(faultline, list, req, res, request).then(
        (proceed) => {
          if (proceed) next();
        },
        (thrown) => next(thrown),
      );
    };

  const globalTimeout = faultline.timeout === undefined ? undefined : timeout(faultline.timeout);
  const globalHooks = faultline.hooks.length > 0 ? hooks(faultline.hooks) : undefined;
  const start: RequestHandler = (req, res, next) => {
    // The start time only serves the logged duration: without a log, nothing is noted here.
    if (faultline.logging) stateOf(req);
    if (!globalTimeout && !globalHooks) return next();
    const afterTimeout = (error?: unknown): void => {
      if (error !== undefined) next(error);
      else if (globalHooks) globalHooks(req, res, next);
      else next();
    };
    if (globalTimeout) globalTimeout(req, res, afterTimeout);
    else afterTimeout();
  };

  const json =
    (limit = faultline.bodyLimit): RequestHandler =>
    (req, _res, next) => {
      const body = req as Request & { _body?: boolean };
      // Another parser already read it (`express.json()` before this one).
      if (body._body === true || req.method === 'GET' || req.method === 'HEAD') return next();
      const headers = nodeHeaders(req);
      readJsonBody(
        faultline,
        headers,
        hasBody(req) ? nodeBodySource(faultline, req) : null,
        limit,
      ).then((parsed) => {
        if (parsed !== undefined) {
          req.body = parsed;
          body._body = true;
        }
        next();
      }, next);
    };

  const notFound: RequestHandler = (req, _res, next) => {
    const allow = allowedMethods(req.app?.router, req.method, req.path);
    next(
      allow.length > 0
        ? faultline.error('methodNotAllowed', { headers: { allow: formatAllow(allow) } })
        : faultline.error('notFound'),
    );
  };

  /** Whether a time limit already answered the request: a late failure is only logged. */
  const answeredLate = (thrown: unknown, req: Request, state: State | undefined): boolean => {
    if (!state?.closed) return false;
    faultline.reportFailure(
      thrown,
      request(req) as RequestInfo & { requestId: string },
      'handler failed after its time limit',
    );
    return true;
  };

  const errorHandler: ErrorRequestHandler = (thrown, req, res, next) => {
    const state = states.get(req);
    if (answeredLate(thrown, req, state)) return;
    // Headers already out (a stream that failed midway): Express ends the connection.
    if (res.headersSent) return next(thrown);
    answer(thrown, req, res, state);
  };

  const send = (req: Request, res: Response, error: unknown): void => {
    const state = states.get(req);
    if (answeredLate(error, req, state)) return;
    if (res.headersSent) {
      // What Express does with an error after the headers: the client cannot be told, so the
      // failure is logged and the connection ended.
      faultline.reportFailure(
        error,
        request(req) as RequestInfo & { requestId: string },
        'error after the response had started',
      );
      res.destroy();
      return;
    }
    answer(error, req, res, state, true);
  };

  const stream =
    (kind: typeof sse) =>
    <T>(
      req: Request,
      res: Response,
      source: StreamSource<T>,
      opts?: Omit<StreamOptions<T>, 'request'>,
    ): Promise<void> =>
      sendNodeResponse(res, kind(faultline, source, { ...opts, request: request(req) }), {
        head: req.method === 'HEAD',
      });

  return {
    faultline,
    start,
    json: (opts) => json(opts?.limit),
    timeout,
    hooks,
    handlers: [notFound, errorHandler],
    send,
    request,
    sse: stream(sse),
    ndjson: stream(ndjson),
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function routeOf(req: Partial<Request>): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined;
}

/** body-parser's error types, as kinds of failure. */
const BODY_PARSER_KINDS = {
  'entity.parse.failed': 'badJson',
  'entity.too.large': 'payloadTooLarge',
  'encoding.unsupported': 'unsupportedMediaType',
  'charset.unsupported': 'unsupportedMediaType',
  'request.aborted': 'badRequest',
  'request.size.invalid': 'badRequest',
} as const;

/** Express's own errors (body-parser) as catalog errors; `undefined` for anything else. */
function recognise(faultline: Faultline, thrown: unknown): ApiError | undefined {
  const type = (thrown as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(BODY_PARSER_KINDS, type)) return undefined;
  return faultline.error(BODY_PARSER_KINDS[type as keyof typeof BODY_PARSER_KINDS], {
    cause: thrown,
  });
}

async function runHooks(
  faultline: Faultline,
  list: readonly ServerHook[],
  req: Request,
  res: Response,
  requestOf: (req: Request) => RequestInfo,
): Promise<boolean> {
  const info = requestOf(req);
  const hookRequest: HookRequest = faultline.hookRequest({
    method: req.method,
    path: req.path,
    query: queryOf(req.originalUrl ?? req.url),
    route: routeOf(req),
    requestId: info.requestId ?? '',
    ip: req.ip,
    header: (name) => req.get(name),
    body: async () => {
      if ((req as { _body?: boolean })._body === true) return req.body;
      const parsed = await readJsonBody(
        faultline,
        nodeHeaders(req),
        hasBody(req) ? nodeBodySource(faultline, req) : null,
      );
      req.body = parsed;
      (req as { _body?: boolean })._body = true;
      return parsed;
    },
    setHeader: (name, value) => {
      if (!res.headersSent) res.setHeader(name, value);
    },
  });
  if (observesResponses(list)) observe(faultline, hookRequest, req, res, info);
  const short = await runRequestHooks(list, hookRequest);
  if (!short) return true;
  stateOf(req).shortCircuit = true;
  await sendNodeResponse(res, fromHookResponse(short));
  return false;
}

/**
 * Captures what is written to `res` and hands the final response to the hooks. A body written
 * whole by `res.end` (what `res.json` and `res.send` do) is held until every `onResponse` has
 * finished, so an idempotent replay is stored before the client can retry; a body streamed with
 * `res.write` is observed once it has gone out.
 */
function observe(
  faultline: Faultline,
  hookRequest: HookRequest,
  req: Request,
  res: Response,
  info: RequestInfo,
): void {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let streamed = false;
  let wrote = false;
  let observed = false;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : (chunk as Uint8Array);
    size += bytes.byteLength;
    // Bodies past the body limit are not kept (a large download): observed as streamed.
    if (size > faultline.bodyLimit) streamed = true;
    else chunks.push(bytes);
  };
  const runHooks = (): Promise<void> => {
    observed = true;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.getHeaders())) {
      if (value !== undefined)
        headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const type = headers['content-type'] ?? '';
    const isStream = streamed || /event-stream|ndjson/.test(type);
    const state = stateOf(req);
    return runResponseHooks(
      hookRequest,
      {
        status: res.statusCode,
        headers,
        body: isStream ? undefined : Buffer.concat(chunks),
        error: state.error,
        source: state.shortCircuit ? 'hook' : state.error ? 'error' : 'handler',
      },
      (failure, hook) =>
        faultline.reportFailure(
          failure,
          { ...info, requestId: info.requestId ?? '' },
          `hook ${hook.name}`,
        ),
    );
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    wrote = true;
    keep(chunk, rest[0]);
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    keep(chunk, rest[0]);
    const type = String(res.getHeader('content-type') ?? '');
    if (observed || wrote || streamed || /event-stream|ndjson/.test(type))
      return end(chunk, ...rest);
    // runResponseHooks never rejects: hook failures are reported, and the body still goes out.
    void runHooks().then(() => {
      // A time limit may have answered meanwhile: the late body is dropped, as any late write.
      if (!res.writableEnded) end(chunk, ...rest);
    });
    return res;
  }) as typeof res.end;
  res.once('finish', () => {
    if (!observed) void runHooks();
  });
}

/**
 * After faultline answered on its own (a time limit), the handler may still try to respond:
 * its writes are dropped instead of throwing `ERR_HTTP_HEADERS_SENT` or emitting an
 * unhandled write-after-end error.
 */
export function discardLateWrites(res: ServerResponse): void {
  const ignore = function (this: ServerResponse) {
    return this;
  };
  res.setHeader = ignore as typeof res.setHeader;
  res.appendHeader = ignore as typeof res.appendHeader;
  res.removeHeader = (() => undefined) as typeof res.removeHeader;
  res.writeHead = ignore as typeof res.writeHead;
  res.write = (() => true) as typeof res.write;
  res.end = ignore as typeof res.end;
}

interface RouterLike {
  stack?: readonly LayerLike[];
}

interface LayerLike {
  match?(path: string): { path?: string } | false | boolean;
  route?: { methods?: Record<string, boolean> };
  handle?: RouterLike;
}

/**
 * The methods other than `method` the app's routes answer at `path`, looked up in Express 5's
 * router stack (nested routers included). Routes for every method (`app.all`) are skipped.
 */
function allowedMethods(router: unknown, method: string, path: string, depth = 0): string[] {
  const stack = (router as RouterLike | undefined)?.stack;
  if (!Array.isArray(stack) || depth > 8) return [];
  const allow = new Set<string>();
  for (const layer of stack as readonly LayerLike[]) {
    let match: { path?: string } | false | boolean | undefined;
    try {
      match = layer.match?.(path);
    } catch {
      // A parameter with broken percent-encoding: this layer does not match.
      continue;
    }
    if (!match) continue;
    const methods = layer.route?.methods;
    if (methods) {
      for (const [name, on] of Object.entries(methods)) {
        if (on && name !== '_all' && name.toUpperCase() !== method) allow.add(name.toUpperCase());
      }
    } else if (layer.handle?.stack && typeof match === 'object') {
      const rest = path.slice(match.path?.length ?? 0) || '/';
      for (const name of allowedMethods(layer.handle, method, rest, depth + 1)) allow.add(name);
    }
  }
  return [...allow];
}
