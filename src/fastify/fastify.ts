import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  preValidationHookHandler,
  RouteOptions,
} from 'fastify';
import type { ApiError, FieldError } from '../core/error.js';
import { getHeader } from '../core/http.js';
import { createClientErrorHandler, nodeHeaders, sendNodeResponse } from '../node/node.js';
import type { ErrorKind } from '../server/base.js';
import {
  type Faultline,
  type FaultlineOptions,
  fromHookResponse,
  type NeutralResponse,
  type RequestInfo,
  toFaultline,
} from '../server/faultline.js';
import {
  type HookRequest,
  type ObservedResponse,
  observesResponses,
  runRequestHooks,
  runResponseHooks,
  type ServerHook,
} from '../server/hooks.js';
import { formatAllow, PROBE_METHODS, queryOf } from '../server/http.js';
import { ndjson, type StreamOptions, type StreamSource, sse } from '../server/stream.js';
import { MAX_FIELD_ERRORS } from '../server/validation.js';

/** Options of {@link faultlinePlugin}: the core's options, or a ready core. */
export interface FastifyFaultlineOptions extends FaultlineOptions {
  /** A ready core; when given, the other options are ignored. */
  readonly faultline?: Faultline;
}

/** Per-route settings, under `config.faultline` of a route. */
export interface FastifyRouteFaultline {
  /** This route's time limit in milliseconds (overrides the global one). */
  readonly timeout?: number;
  /** Hooks of this route only, run after the global ones. */
  readonly hooks?: readonly ServerHook[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The faultline core the plugin answers errors with. */
    faultline: Faultline;
  }
  interface FastifyReply {
    /**
     * Answers with an error without throwing it, for handlers that pass their errors around as
     * values: the same response, log record, span attributes and hooks as the plugin's error
     * handler gives a thrown error. `error` is a kind of failure (`'notFound'`, the cheapest:
     * no error object is made unless something needs one), an `ApiError`, or anything else as
     * if it had been thrown. Returns the reply, as `reply.send` does.
     *
     * @example
     * ```ts
     * app.get('/orders/:id', async (request, reply) => {
     *   const order = orders.get(request.params.id);
     *   return order ?? reply.sendError('notFound');
     * });
     * ```
     */
    sendError(error: unknown): FastifyReply;
    /** Sends an SSE stream that ends with a terminal error event if `source` fails. */
    sse<T>(source: StreamSource<T>, options?: Omit<StreamOptions<T>, 'request'>): FastifyReply;
    /** Sends an NDJSON stream that ends with a terminal error line if `source` fails. */
    ndjson<T>(source: StreamSource<T>, options?: Omit<StreamOptions<T>, 'request'>): FastifyReply;
  }
  interface FastifyContextConfig {
    faultline?: FastifyRouteFaultline;
  }
}

interface State {
  requestId: string | undefined;
  error: ApiError | undefined;
  hookRequest: HookRequest | undefined;
  source: ObservedResponse['source'];
}

const states = new WeakMap<FastifyRequest, State>();

function stateOf(request: FastifyRequest): State {
  let state = states.get(request);
  if (!state) {
    state = { requestId: undefined, error: undefined, hookRequest: undefined, source: 'handler' };
    states.set(request, state);
  }
  return state;
}

/** Fastify's content-type parser errors, as kinds of failure. */
const FASTIFY_KINDS: Readonly<Record<string, ErrorKind>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payloadTooLarge',
  FST_ERR_CTP_INVALID_JSON_BODY: 'badJson',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'badJson',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'badRequest',
};

interface AjvIssue {
  instancePath?: unknown;
  message?: unknown;
  keyword?: unknown;
  params?: { missingProperty?: unknown };
}

/** Fastify's own errors (schema validation, body parsing) as catalog errors. */
function recognise(faultline: Faultline, thrown: unknown): ApiError | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const error = thrown as {
    code?: unknown;
    statusCode?: unknown;
    validation?: unknown;
    validationContext?: unknown;
  };
  if (Array.isArray(error.validation)) {
    const context = typeof error.validationContext === 'string' ? error.validationContext : 'body';
    return faultline.error('validation', {
      cause: thrown,
      fieldErrors: fieldErrorsFromAjv(error.validation as AjvIssue[], context),
    });
  }
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  const kind = FASTIFY_KINDS[error.code];
  if (kind) return faultline.error(kind, { cause: thrown });
  return typeof error.statusCode === 'number'
    ? faultline.toApiError({ expose: true, status: error.statusCode, cause: thrown })
    : undefined;
}

/** ajv's issues (Fastify's schema validation) as field errors; non-body paths are prefixed. */
export function fieldErrorsFromAjv(issues: readonly AjvIssue[], context: string): FieldError[] {
  return issues.slice(0, MAX_FIELD_ERRORS).map((issue) => {
    const pointer = typeof issue.instancePath === 'string' ? issue.instancePath : '';
    const path: (string | number)[] = context === 'body' ? [] : [context];
    for (const token of pointer.split('/').slice(1)) {
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      path.push(/^(0|[1-9]\d{0,8})$/.test(key) ? Number(key) : key);
    }
    const missing = issue.params?.missingProperty;
    if (issue.keyword === 'required' && typeof missing === 'string') path.push(missing);
    const field: FieldError = {
      path,
      message: typeof issue.message === 'string' ? issue.message : 'is not valid',
    };
    return typeof issue.keyword === 'string' ? { ...field, code: issue.keyword } : field;
  });
}

/**
 * faultline for Fastify 5, as a plugin: validation errors, body-parser errors, unknown routes
 * (405 with `Allow` when another method matches) and anything thrown become the catalog's
 * response. Register it before the routes: per-route time limits and hooks are attached as
 * routes are added (`config: { faultline: { timeout: 2000 } }`).
 *
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(faultlinePlugin, { catalog: api, format: 'problem' });
 * app.get('/orders/:id', async (request) => findOrder(request.params.id));
 * ```
 */
export function faultlinePlugin(
  fastify: FastifyInstance,
  options: FastifyFaultlineOptions,
  done: (error?: Error) => void,
): void {
  const faultline = options.faultline ?? toFaultline(options);

  const requestOf = (request: FastifyRequest, reply?: FastifyReply): RequestInfo => {
    const state = stateOf(request);
    const headers = nodeHeaders(request.raw);
    state.requestId ??= faultline.requestId(headers);
    const path = request.url.split('?', 1)[0];
    return {
      method: request.method,
      path,
      route: request.routeOptions?.url,
      headers,
      requestId: state.requestId,
      startedAt: reply ? performance.now() - reply.elapsedTime : undefined,
    };
  };

  /** `direct`: an error returned rather than thrown, which may be a kind (`'notFound'`). */
  const errorResponse = (
    thrown: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
    direct = false,
  ) => {
    // Hooks that observe the response made their state before the handler ran; a request
    // nothing tracks (no hook, time limit or stream) is not tracked now: nothing asks for its
    // id again, and a WeakMap entry per error is not free.
    const state = states.get(request);
    let info: RequestInfo;
    if (faultline.logging) {
      info = requestOf(request, reply);
    } else {
      // Without a log, the answer needs only the headers and the request id: the method,
      // route and timing (Fastify builds `routeOptions` afresh on every read) are skipped.
      const headers = nodeHeaders(request.raw);
      if (state) state.requestId ??= faultline.requestId(headers);
      info = { headers, requestId: state?.requestId };
    }
    const error = recognise(faultline, thrown) ?? thrown;
    const response = direct ? faultline.answer(error, info) : faultline.respond(error, info);
    if (state) {
      state.error = response.error;
      state.source = 'error';
    }
    return response;
  };

  fastify.decorate('faultline', faultline);
  fastify.decorateReply('sendError', function sendError(this: FastifyReply, error: unknown) {
    // As the error handler: a reply already sent (a time limit answered) takes nothing more.
    if (this.sent) return this;
    return sendNeutral(this, errorResponse(error, this.request, this, true));
  });
  fastify.decorateReply('sse', function sseReply<
    T,
  >(this: FastifyReply, source: StreamSource<T>, opts?: Omit<StreamOptions<T>, 'request'>) {
    return sendNeutral(
      this,
      sse(faultline, source, { ...opts, request: requestOf(this.request, this) }),
    );
  });
  fastify.decorateReply('ndjson', function ndjsonReply<
    T,
  >(this: FastifyReply, source: StreamSource<T>, opts?: Omit<StreamOptions<T>, 'request'>) {
    return sendNeutral(
      this,
      ndjson(faultline, source, { ...opts, request: requestOf(this.request, this) }),
    );
  });

  // Sync handlers that return nothing: a returned reply would be awaited by Fastify again.
  fastify.setErrorHandler((error, request, reply) => {
    if (reply.sent) return;
    sendNeutral(reply, errorResponse(error, request, reply));
  });

  fastify.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    const allow: string[] = [];
    for (const method of PROBE_METHODS) {
      if (method === request.method) continue;
      if (fastify.findRoute({ method: method as 'GET', url: path })) allow.push(method);
    }
    const error =
      allow.length > 0
        ? faultline.error('methodNotAllowed', { headers: { allow: formatAllow(allow) } })
        : faultline.error('notFound');
    sendNeutral(reply, errorResponse(error, request, reply));
  });

  // Time limits and hooks are attached per route, so routes without them pay nothing.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const settings = route.config?.faultline;
    const timeout = settings?.timeout ?? faultline.timeout;
    const hooks = [...faultline.hooks, ...(settings?.hooks ?? [])];
    if (timeout !== undefined) {
      route.onRequest = [...asList(route.onRequest), timeoutHook(timeout)];
    }
    if (hooks.length > 0) {
      route.preValidation = [...asList(route.preValidation), requestHooks(hooks)];
      if (observesResponses(hooks)) route.onSend = [...asList(route.onSend), responseHooks()];
    }
  });

  function timeoutHook(ms: number): onRequestHookHandler {
    return (request, reply, next) => {
      const timer = setTimeout(() => {
        if (reply.sent || reply.raw.headersSent) return;
        const response = errorResponse(faultline.error('timeout'), request, reply);
        // Hijacked, the handler's late result is dropped by Fastify without a warning.
        reply.hijack();
        void sendNodeResponse(reply.raw, response).then(() => observeTimeout(request, response));
      }, ms);
      reply.raw.once('close', () => clearTimeout(timer));
      next();
    };
  }

  function observeTimeout(request: FastifyRequest, response: NeutralResponse): void {
    const state = stateOf(request);
    if (!state.hookRequest) return;
    void runResponseHooks(
      state.hookRequest,
      {
        status: response.status,
        headers: response.headers,
        body: typeof response.body === 'string' ? response.body : undefined,
        error: state.error,
        source: 'error',
      },
      report(request),
    );
  }

  function report(request: FastifyRequest) {
    return (failure: unknown, hook: ServerHook) => {
      const info = requestOf(request);
      faultline.reportFailure(
        failure,
        { ...info, requestId: info.requestId ?? '' },
        `hook ${hook.name}`,
      );
    };
  }

  function requestHooks(hooks: readonly ServerHook[]): preValidationHookHandler {
    return async (request, reply) => {
      const info = requestOf(request, reply);
      const hookRequest = faultline.hookRequest({
        method: request.method,
        path: info.path ?? request.url,
        query: queryOf(request.url),
        route: info.route,
        requestId: info.requestId ?? '',
        ip: request.ip,
        header: (name) => getHeader(nodeHeaders(request.raw), name),
        body: async () => request.body,
        setHeader: (name, value) => {
          reply.header(name, value);
        },
      });
      stateOf(request).hookRequest = hookRequest;
      const short = await runRequestHooks(hooks, hookRequest);
      if (short) {
        stateOf(request).source = 'hook';
        return sendNeutral(reply, fromHookResponse(short));
      }
    };
  }

  function responseHooks(): onSendHookHandler {
    return async (request, reply, payload) => {
      const state = stateOf(request);
      if (!state.hookRequest) return payload;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined)
          headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const body =
        typeof payload === 'string' || payload instanceof Uint8Array ? payload : undefined;
      await runResponseHooks(
        state.hookRequest,
        { status: reply.statusCode, headers, body, error: state.error, source: state.source },
        report(request),
      );
      return payload;
    };
  }

  done();
}

/**
 * The Fastify constructor options that only exist at construction, for the failures Fastify
 * answers before any plugin runs: a URL it cannot decode or a parameter too long
 * (`frameworkErrors`), and a request Node's parser refuses (`clientErrorHandler`). Spread
 * them into `Fastify({...})` so those failures get the catalog's response too.
 *
 * @example
 * ```ts
 * const faultline = createFaultline({ catalog: api });
 * const app = Fastify({ ...fastifyServerOptions(faultline) });
 * await app.register(faultlinePlugin, { faultline });
 * ```
 */
export function fastifyServerOptions(faultline: Faultline): {
  frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => void;
  clientErrorHandler: ReturnType<typeof createClientErrorHandler>;
} {
  return {
    frameworkErrors(error, request, reply) {
      const response = faultline.respond(recognise(faultline, error) ?? error, {
        method: request.raw.method,
        path: request.raw.url,
        headers: nodeHeaders(request.raw),
      });
      sendNeutral(reply, response);
    },
    clientErrorHandler: createClientErrorHandler(faultline),
  };
}

// Registered at the root rather than in a child context, so the error and not-found handlers
// cover every route (what the fastify-plugin helper marks, without the dependency).
Object.assign(faultlinePlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'faultline',
  [Symbol.for('plugin-meta')]: { name: 'faultline', fastify: '5.x' },
});

function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

/** Sends a neutral response through Fastify (its hooks and serializer-free string bodies). */
function sendNeutral(reply: FastifyReply, response: NeutralResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  const body = response.body;
  if (body instanceof ReadableStream) {
    return reply.send(Readable.fromWeb(body as NodeReadableStream<Uint8Array>));
  }
  // Fastify adds `; charset=utf-8` to string bodies; a buffer is sent with the type as given.
  return reply.send(typeof body === 'string' ? Buffer.from(body) : (body ?? undefined));
}
