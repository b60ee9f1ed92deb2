import type { Catalog, CreateOptions } from '../core/catalog.js';
import { ApiError, type ApiErrorInit } from '../core/error.js';
import { getHeader, type HeadersLike } from '../core/http.js';
import type { Code, Entry } from '../core/types.js';
import {
  type EncodedError,
  type EncodeOptions,
  encode,
  type FormatId,
  type WireFormat,
} from '../core/wire/index.js';
import { hasKeys, withoutStack } from '../core/wire/shared.js';
import { BASE_CODES, baseCatalog, type ErrorKind, type KindCodes, kindOfStatus } from './base.js';
import type { HookRequest, HookResponse, ServerHook } from './hooks.js';
import {
  generateRequestId as defaultRequestId,
  isValidRequestId,
  negotiateContentType,
} from './http.js';
import {
  describeThrown,
  type ErrorLogRecord,
  type LogTarget,
  loadTelemetry,
  markSpan,
  type TelemetryApi,
  writeLog,
} from './observe.js';
import { fieldErrorsFromIssues, type InferOutput, type StandardSchemaV1 } from './validation.js';

/** How the server answers failures; shared by every adapter. */
export interface FaultlineOptions {
  /** The team's catalog (default: the base catalog). Kinds it lacks fall back to the base. */
  catalog?: Catalog<any>;
  /** The wire format of every error body (default `problem`, RFC 9457), by id or object. */
  format?: FormatId | WireFormat;
  /** Which of the team's codes answers each kind of failure (404 route, malformed JSON, …). */
  codes?: KindCodes;
  /** Sends the message and stack of unexpected exceptions to the client. Never in production. */
  development?: boolean;
  /** Where the one record per error goes (pino, console, a function). */
  log?: LogTarget;
  /**
   * The OpenTelemetry API to mark spans with; by default `@opentelemetry/api` is loaded if it
   * is installed. `false` turns it off.
   */
  telemetry?: TelemetryApi | false;
  /** Time limit of every handler in milliseconds; a late handler gets the `timeout` kind. */
  timeout?: number;
  /** The largest request body read, in bytes (default 1 MiB); larger gets `payloadTooLarge`. */
  bodyLimit?: number;
  /** Request bodies nested deeper than this are refused as malformed JSON (default 256). */
  maxDepth?: number;
  /** The request id header read and sent (default `x-request-id`). */
  requestIdHeader?: string;
  /** Makes a request id when the request has no valid one (default: a random UUID). */
  generateRequestId?: () => string;
  /** Maps the team's own exceptions (database, upstream) to catalog errors. */
  mapError?: (thrown: unknown) => ApiError | undefined;
  /** Request-level policies (rate limiting, idempotency) run around every handler. */
  hooks?: readonly ServerHook[];
  /** The clock for formats that carry a timestamp (Jan). */
  now?: () => Date;
}

/** What the server knows about the request an error answers. */
export interface RequestInfo {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  /** The route pattern, when the framework matched one. */
  readonly route?: string | undefined;
  /** The request headers: the request id and `Accept` are read from them. */
  readonly headers?: HeadersLike | undefined;
  /** The request id, when already resolved. */
  readonly requestId?: string | undefined;
  /** `performance.now()` at the start of the request, for the logged duration. */
  readonly startedAt?: number | undefined;
}

/** A response as every adapter sends it: status, lower-case headers and a body. */
export interface NeutralResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array | ReadableStream<Uint8Array> | null;
}

/** An error response, with the error it encodes. */
export interface ErrorResponse extends NeutralResponse {
  readonly body: string;
  readonly error: ApiError;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 256;

/**
 * The framework-neutral server core: turns anything thrown into the catalog's response in the
 * chosen wire format, with a request id, the right headers, one log record and span
 * attributes. Adapters only translate its results.
 *
 * @example
 * ```ts
 * const faultline = createFaultline({ catalog: api, format: 'problem' });
 * const response = faultline.respond(new Error('boom'), { method: 'GET', path: '/x' });
 * // response.status === 500, response.body holds no trace of 'boom'
 * ```
 */
export class Faultline {
  readonly catalog: Catalog<any>;
  readonly format: FormatId | WireFormat;
  readonly development: boolean;
  readonly timeout: number | undefined;
  readonly bodyLimit: number;
  readonly maxDepth: number;
  readonly requestIdHeader: string;
  readonly hooks: readonly ServerHook[];
  /** Whether errors are logged: adapters note when each request started only if so. */
  readonly logging: boolean;
  /** Resolves once the optional OpenTelemetry API has been looked for. */
  readonly ready: Promise<void>;
  readonly #entries: ReadonlyMap<ErrorKind, Entry>;
  readonly #log: LogTarget | undefined;
  readonly #mapError: ((thrown: unknown) => ApiError | undefined) | undefined;
  readonly #generateRequestId: () => string;
  readonly #now: (() => Date) | undefined;
  /** Encoded responses of plain errors per entry, with holes for the request id; see `#plain`. */
  readonly #templates = new Map<Entry, Template | false>();
  /** Whether the format's encodings can be templated (see `#encode`). */
  readonly #templated: boolean;
  #telemetry: TelemetryApi | undefined;

  constructor(options: FaultlineOptions = {}) {
    this.catalog = options.catalog ?? baseCatalog;
    this.format = options.format ?? 'problem';
    this.development = options.development === true;
    this.timeout = positive(options.timeout, 'timeout');
    this.bodyLimit = positive(options.bodyLimit, 'bodyLimit') ?? DEFAULT_BODY_LIMIT;
    this.maxDepth = positive(options.maxDepth, 'maxDepth') ?? DEFAULT_MAX_DEPTH;
    this.requestIdHeader = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
    this.hooks = Object.freeze([...(options.hooks ?? [])]);
    this.#log = options.log;
    this.logging = options.log !== undefined;
    this.#mapError = options.mapError;
    this.#generateRequestId = options.generateRequestId ?? defaultRequestId;
    this.#now = options.now;
    this.#entries = resolveKinds(this.catalog, options.codes ?? {});
    this.#templated = TEMPLATE_FORMATS.has(this.format);
    if (options.telemetry === false) {
      this.ready = Promise.resolve();
    } else if (options.telemetry) {
      this.#telemetry = options.telemetry;
      this.ready = Promise.resolve();
    } else {
      this.ready = loadTelemetry().then((api) => {
        this.#telemetry = api;
      });
    }
  }

  /** The catalog entry that answers a kind of failure. */
  entryOf(kind: ErrorKind): Entry {
    return this.#entries.get(kind)!;
  }

  /**
   * The team's error for a kind of failure, with the entry's status, message and semantics.
   * It is made without a stack trace (cheap, as the server makes these on hot paths; a
   * wrapped `cause` keeps its own): use `catalog.create` for an error with one.
   *
   * @example
   * ```ts
   * throw faultline.error('unavailable', { retryAfter: 30 });
   * ```
   */
  error(kind: ErrorKind, options: CreateOptions = {}): ApiError {
    const entry = this.entryOf(kind);
    const init: ApiErrorInit<Code> = {
      code: entry.code,
      status: entry.status,
      message: options.message ?? entry.message,
      entry,
    };
    const retryAfter = options.retryAfter ?? entry.retryAfter;
    if (retryAfter !== undefined) init.retryAfter = retryAfter;
    if (options.cause !== undefined) init.cause = options.cause;
    if (options.requestId !== undefined) init.requestId = options.requestId;
    if (options.instance !== undefined) init.instance = options.instance;
    if (options.fieldErrors !== undefined) init.fieldErrors = options.fieldErrors;
    if (options.headers !== undefined) init.headers = options.headers;
    return withoutStack(false, init) as ApiError;
  }

  /**
   * Normalises anything thrown into an `ApiError`: an `ApiError` as it is; what `mapError`
   * recognises; HTTP errors of `http-errors` and Boom by their status; anything else as the
   * `internal` kind, whose message says nothing of the exception outside development mode.
   */
  toApiError(thrown: unknown): ApiError {
    if (ApiError.is(thrown)) return thrown;
    if (this.#mapError) {
      try {
        const mapped = this.#mapError(thrown);
        if (mapped !== undefined && ApiError.is(mapped)) return mapped;
      } catch (failure) {
        return this.#internal(failure);
      }
    }
    const status = httpErrorStatus(thrown);
    if (status !== undefined) {
      const error = this.error(kindOfStatus(status), { cause: thrown });
      const retryAfter = retryAfterHeader(thrown);
      return retryAfter === undefined ? error : error.with({ retryAfter });
    }
    return this.#internal(thrown);
  }

  #internal(thrown: unknown): ApiError {
    if (!this.development) return this.error('internal', { cause: thrown });
    const described = describeThrown(thrown);
    return this.error('internal', {
      cause: thrown,
      message: `${described.type}: ${described.message}`,
    }).with({ details: { stack: described.stack?.split('\n') ?? [] } });
  }

  /** The request id of a request: its valid incoming header, else a fresh one. */
  requestId(headers: HeadersLike | undefined): string {
    const incoming = getHeader(headers, this.requestIdHeader);
    return isValidRequestId(incoming) ? incoming : this.#generateRequestId();
  }

  /**
   * The error response for anything thrown while serving a request: the catalog's status and
   * body in the server's format, `Content-Type` (negotiated against `Accept`), `Retry-After`
   * when known, the request id, `Cache-Control: no-store` and any headers the thrower set.
   * Writes one log record and marks the active span. Never throws.
   */
  respond(thrown: unknown, request: RequestInfo = {}): ErrorResponse {
    const requestId = request.requestId ?? this.requestId(request.headers);
    let error = this.toApiError(thrown);
    // An error carried over from elsewhere (an upstream call) holds that request's id.
    if (error.requestId !== undefined && error.requestId !== requestId) {
      error = error.with({ requestId });
    }
    let encoded: EncodedError;
    try {
      encoded = this.#encode(error, requestId);
    } catch (failure) {
      // An error whose own fields cannot be encoded (a hostile `details` getter, a cycle)
      // is answered as an internal error rather than not at all.
      error = this.#internal(failure);
      encoded = this.#encode(error, requestId);
    }
    // The encoder already sent the thrower's own headers through (valid ones only).
    const headers = withResponseHeaders(encoded.headers, requestId, request.headers);
    this.report(error, encoded.status, requestId, request, thrown);
    return { status: encoded.status, headers, body: encoded.body, error };
  }

  /**
   * The error response of a direct answer (an error returned, not thrown): `error` is a kind of
   * failure (`'notFound'`), an `ApiError`, or anything else as if it had been thrown. The same
   * response, log record and span attributes as {@link respond}. Answering a kind makes no
   * error object unless one is needed (a log, or a read of the result's `error`): making an
   * `Error` costs more than sending one, even without a stack trace.
   */
  answer(error: unknown, request: RequestInfo = {}): ErrorResponse {
    if (typeof error !== 'string' || !this.#entries.has(error as ErrorKind)) {
      return this.respond(error, request);
    }
    const kind = error as ErrorKind;
    const requestId = request.requestId ?? this.requestId(request.headers);
    const entry = this.entryOf(kind);
    const template =
      this.#log || !this.#templated
        ? false
        : (this.#templates.get(entry) ?? this.#remember(entry, this.error(kind)));
    if (template === false || !TEMPLATE_ID.test(requestId)) {
      return this.respond(this.error(kind), { ...request, requestId });
    }
    const encoded = fill(template, requestId);
    const headers = withResponseHeaders(encoded.headers, requestId, request.headers);
    markSpan(this.#telemetry, entry.code, encoded.status);
    return new KindResponse(encoded.status, headers, encoded.body, this, kind);
  }

  /**
   * The error response to a Fetch `Request`, as a `Response`, for code that answers its errors
   * rather than throwing them (a handler for Bun, Deno or Workers written by hand): the same
   * bytes, headers, log record and span attributes as {@link respond} gives a thrown error.
   * `error` is a kind of failure (`'notFound'`), an `ApiError`, or anything else as if it had
   * been thrown (see {@link answer}).
   *
   * @example
   * ```ts
   * Deno.serve((request) => {
   *   const order = findOrder(new URL(request.url).pathname);
   *   return order ? Response.json(order) : faultline.response(request, 'notFound');
   * });
   * ```
   */
  response(request: Request, error: unknown): Response {
    const method = request.method;
    const answer = this.answer(error, errorRequestInfo(this, method, request.url, request.headers));
    // The rest of a body refused as too large is left unread: the connection cannot be reused.
    if (answer.status === 413) answer.headers.connection = 'close';
    return toResponse(answer, method === 'HEAD');
  }

  /** Encodes an error in the server's format (used for stream terminal messages too). */
  encode(error: ApiError, requestId: string): EncodedError {
    return this.#encode(error, requestId);
  }

  #encode(error: ApiError, requestId: string): EncodedError {
    // Most errors are an entry as it stands (`faultline.error('notFound')`): its encoding
    // differs only by the request id, so it is made once and the id filled in.
    if (this.#templated && TEMPLATE_ID.test(requestId) && isPlain(error)) {
      const template = this.#templates.get(error.entry) ?? this.#remember(error.entry, error);
      if (template !== false) return fill(template, requestId);
    }
    return this.#encodeFully(error, requestId);
  }

  /** Makes the reused encoding of an entry from a plain error of it, and keeps it. */
  #remember(entry: Entry, plain: ApiError): Template | false {
    const template = this.#template(plain);
    this.#templates.set(entry, template);
    return template;
  }

  /**
   * The encoding of a plain error with its request id as a hole, or `false` when the encoding
   * cannot be reused: two encodings with different ids must differ only where the id is.
   */
  #template(error: ApiError): Template | false {
    const first = this.#encodeFully(error, TEMPLATE_IDS[0]);
    const second = this.#encodeFully(error, TEMPLATE_IDS[1]);
    const template: Template = {
      status: first.status,
      headers: Object.entries(first.headers).map(([name, value]) => [
        name,
        value.split(TEMPLATE_IDS[0]),
      ]),
      body: first.body.split(TEMPLATE_IDS[0]),
    };
    const again = fill(template, TEMPLATE_IDS[1]);
    const same =
      again.status === second.status &&
      again.body === second.body &&
      JSON.stringify(Object.entries(again.headers)) ===
        JSON.stringify(Object.entries(second.headers));
    return same ? template : false;
  }

  #encodeFully(error: ApiError, requestId: string): EncodedError {
    const options: EncodeOptions = { requestId, catalog: this.catalog };
    if (this.#now) options.now = this.#now;
    return encode(error, this.format, options);
  }

  /** Writes the log record of one error and marks the active span. */
  report(
    error: ApiError,
    status: number,
    requestId: string,
    request: RequestInfo,
    thrown: unknown,
  ): void {
    markSpan(this.#telemetry, error.code, status);
    if (!this.#log) return;
    const record: ErrorLogRecord = {
      level: status >= 500 ? 'error' : 'warn',
      code: error.code,
      status,
      requestId,
      method: request.method,
      route: request.route ?? request.path,
      durationMs:
        request.startedAt === undefined
          ? undefined
          : Math.round((performance.now() - request.startedAt) * 1000) / 1000,
      msg: error.message,
    };
    if (status >= 500)
      record.err = describeThrown(ApiError.is(thrown) ? (thrown.cause ?? thrown) : thrown);
    writeLog(this.#log, record);
  }

  /** Logs a failure that has no response of its own (a hook's `onResponse`, a late handler). */
  reportFailure(
    failure: unknown,
    request: RequestInfo & { requestId: string },
    what: string,
  ): void {
    if (!this.#log) return;
    const described = describeThrown(failure);
    const record: ErrorLogRecord = {
      level: 'error',
      code: this.entryOf('internal').code,
      status: 0,
      requestId: request.requestId,
      method: request.method,
      route: request.route ?? request.path,
      durationMs: undefined,
      msg: `${what}: ${described.message}`,
      err: described,
    };
    writeLog(this.#log, record);
  }

  /**
   * Validates `value` with any Standard Schema (zod 4, valibot, arktype); resolves to the
   * schema's output or throws the `validation` kind listing every field problem.
   *
   * @example
   * ```ts
   * const order = await faultline.validate(Order, body);
   * ```
   * @throws {ApiError} of the `validation` kind (422 unless the catalog says otherwise).
   */
  async validate<S extends StandardSchemaV1>(schema: S, value: unknown): Promise<InferOutput<S>> {
    const result = await schema['~standard'].validate(value);
    if (result.issues) {
      throw this.error('validation', { fieldErrors: fieldErrorsFromIssues(result.issues) });
    }
    return result.value as InferOutput<S>;
  }

  /**
   * A {@link HookRequest} over an adapter's request: the adapter supplies access to headers
   * and body and how to add a response header.
   */
  hookRequest(init: {
    method: string;
    path: string;
    /** The raw query string without the `?` (default `''`). */
    query?: string | undefined;
    route: string | undefined;
    requestId: string;
    ip: string | undefined;
    header: (name: string) => string | undefined;
    body: () => Promise<unknown>;
    setHeader: (name: string, value: string) => void;
  }): HookRequest {
    let body: Promise<unknown> | undefined;
    return {
      method: init.method,
      path: init.path,
      query: init.query ?? '',
      route: init.route,
      requestId: init.requestId,
      ip: init.ip,
      header: init.header,
      body: () => {
        body ??= init.body();
        return body;
      },
      setHeader: init.setHeader,
      state: new Map(),
      error: (kind, options) => this.error(kind, options),
    };
  }
}

/** An encoded error with holes where the request id goes. */
interface Template {
  readonly status: number;
  readonly headers: readonly (readonly [string, readonly string[]])[];
  readonly body: readonly string[];
}

/** Formats whose encoding depends on the error and the request id only (Jan's has the time). */
const TEMPLATE_FORMATS: ReadonlySet<unknown> = new Set([
  'problem',
  's2',
  'sequin',
  'discord',
  'google',
]);
/** Ids filled into a template: visible ASCII that JSON writes as it is (no `"` or `\\`). */
const TEMPLATE_ID = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const TEMPLATE_IDS = ['faultline-template-id-3f9d1c', 'faultline-template-id-b27e40'] as const;

/** The response to a kind answered directly: its error is made when first read. */
class KindResponse implements ErrorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly #faultline: Faultline;
  readonly #kind: ErrorKind;
  #error: ApiError | undefined;

  constructor(
    status: number,
    headers: Record<string, string>,
    body: string,
    faultline: Faultline,
    kind: ErrorKind,
  ) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.#faultline = faultline;
    this.#kind = kind;
  }

  get error(): ApiError {
    this.#error ??= this.#faultline.error(this.#kind);
    return this.#error;
  }
}

/**
 * Adds what every error response carries to an encoding's headers: the content type the
 * request accepts, the request id (unless the thrower set one) and `no-store`.
 */
function withResponseHeaders(
  headers: Record<string, string>,
  requestId: string,
  requestHeaders: HeadersLike | undefined,
): Record<string, string> {
  const type = headers['content-type'];
  if (type !== undefined) {
    headers['content-type'] = negotiateContentType(type, getHeader(requestHeaders, 'accept'));
  }
  headers['x-request-id'] ??= requestId;
  headers['cache-control'] = 'no-store';
  return headers;
}

function fill(template: Template, requestId: string): EncodedError {
  // Built key by key from an empty object: a spread copy (`{ ...headers }`) that then gains the
  // request id and cache headers would take a new hidden class on every call in V8, and every
  // later read of it would miss its inline caches.
  const headers: Record<string, string> = {};
  for (const [name, parts] of template.headers) {
    headers[name] = parts.length === 1 ? parts[0]! : parts.join(requestId);
  }
  // Concatenated rather than joined: `join` costs more than the copy it makes.
  const parts = template.body;
  let body = parts[0]!;
  for (let i = 1; i < parts.length; i++) body += requestId + parts[i]!;
  return { status: template.status, headers, body };
}

/**
 * Whether an error is its catalog entry as it stands: every field an encoder reads is the
 * entry's own (no message, details, field errors, headers or ids of its own).
 */
function isPlain(error: ApiError): error is ApiError & { entry: Entry } {
  const entry = error.entry;
  return (
    entry !== undefined &&
    error.code === entry.code &&
    error.status === entry.status &&
    error.message === entry.message &&
    error.type === entry.type &&
    error.title === entry.title &&
    error.retry === entry.retry &&
    error.sideEffect === entry.sideEffect &&
    error.retryAfter === entry.retryAfter &&
    error.instance === undefined &&
    error.requestId === undefined &&
    error.fieldErrors === undefined &&
    error.headers === undefined &&
    error.extensions === undefined &&
    !hasKeys(error.details)
  );
}

/** A neutral response as a Fetch `Response`; a `HEAD` answer, 204 and 304 carry no body. */
export function toResponse(response: NeutralResponse, head = false): Response {
  const body = head || response.status === 204 || response.status === 304 ? null : response.body;
  return new Response(body as BodyInit | null, {
    status: response.status,
    headers: response.headers,
  });
}

/**
 * What answering an error directly needs to know of its request: the headers, and with a log
 * the method and path too.
 */
export function errorRequestInfo(
  faultline: Faultline,
  method: string | undefined,
  target: string,
  headers: HeadersLike,
): RequestInfo {
  return faultline.logging ? { method, path: pathOfTarget(target), headers } : { headers };
}

/** The scheme and authority of an absolute URL (`https://host:8080`). */
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/** The path of a request target or URL, without query or fragment (for the log record). */
export function pathOfTarget(target: string): string {
  const rest = target.startsWith('/') ? target : target.replace(ORIGIN, '');
  const end = rest.search(/[?#]/);
  const path = end === -1 ? rest : rest.slice(0, end);
  return path === '' ? '/' : path;
}

/** A hook's short-circuit response as a neutral response (lower-case headers). */
export function fromHookResponse(answer: HookResponse): NeutralResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers ?? {}))
    headers[name.toLowerCase()] = value;
  return { status: answer.status, headers, body: answer.body ?? null };
}

/**
 * Creates the framework-neutral server core; see {@link Faultline}.
 *
 * @example
 * ```ts
 * const faultline = createFaultline({ catalog: api, format: 'jan', log: pino() });
 * ```
 * @throws {TypeError} when `codes` names a code the catalog does not have.
 */
export function createFaultline(options: FaultlineOptions = {}): Faultline {
  return new Faultline(options);
}

/** The options object or ready core an adapter was given, as a core. */
export function toFaultline(options: FaultlineOptions | Faultline | undefined): Faultline {
  return options instanceof Faultline ? options : new Faultline(options);
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function resolveKinds(catalog: Catalog<any>, codes: KindCodes): Map<ErrorKind, Entry> {
  const entries = new Map<ErrorKind, Entry>();
  for (const kind of Object.keys(BASE_CODES) as ErrorKind[]) {
    const wanted = codes[kind];
    if (wanted !== undefined) {
      const entry = catalog.get(wanted);
      if (!entry || entry.code !== wanted) {
        throw new TypeError(
          `codes.${kind}: ${JSON.stringify(wanted)} is not a code of catalog "${catalog.name}"`,
        );
      }
      entries.set(kind, entry);
      continue;
    }
    const base = BASE_CODES[kind];
    const own = catalog.get(base);
    entries.set(kind, own && own.code === base ? own : baseCatalog.get(base)!);
  }
  return entries;
}

/**
 * The status of an HTTP error object from the libraries teams throw (`http-errors`, Boom),
 * recognised by their own markers only: a bare `status` property (an upstream response, an
 * axios error) is not an answer for this request and stays an internal error.
 */
function httpErrorStatus(thrown: unknown): number | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const candidate = thrown as {
    expose?: unknown;
    status?: unknown;
    statusCode?: unknown;
    isBoom?: unknown;
    output?: { statusCode?: unknown };
  };
  let status: unknown;
  if (candidate.isBoom === true) status = candidate.output?.statusCode;
  else if (typeof candidate.expose === 'boolean') status = candidate.status ?? candidate.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : undefined;
}

/** A numeric `Retry-After` an HTTP error object carries in its headers. */
function retryAfterHeader(thrown: unknown): number | undefined {
  const headers =
    (thrown as { headers?: unknown }).headers ??
    (thrown as { output?: { headers?: unknown } }).output?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = getHeader(headers as HeadersLike, 'retry-after');
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return undefined;
  return Number(value);
}
