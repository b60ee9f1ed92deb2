import type { Code, Entry, Retry, SideEffect } from './types.js';

const MARK = Symbol.for('faultline.ApiError');

/** One problem with one field of a request, in a format-neutral shape. */
export interface FieldError {
  /** Where the problem is: object keys and array indexes from the body's root. */
  readonly path: readonly (string | number)[];
  /** What is wrong, for humans. */
  readonly message: string;
  /** A machine-readable reason, when the format carries one (Discord, Jan). */
  readonly code?: string;
}

/** Everything needed to build an {@link ApiError}. */
export interface ApiErrorInit<C extends Code = Code, D = Record<string, unknown>> {
  code: C;
  status: number;
  message: string;
  retry?: Retry;
  sideEffect?: SideEffect;
  details?: D;
  /** The catalog entry the error was made from or decoded as. */
  entry?: Entry;
  /** Problem type URI (RFC 9457 `type`). */
  type?: string;
  /** Short human summary (RFC 9457 `title`). */
  title?: string;
  /** URI of this occurrence (RFC 9457 `instance`). */
  instance?: string;
  requestId?: string;
  /** Seconds until a retry may succeed, from the thrower or the wire. */
  retryAfter?: number;
  fieldErrors?: readonly FieldError[];
  /** Extra response headers to send with this error. */
  headers?: Readonly<Record<string, string>>;
  /** Wire members that were not understood, kept for the caller. */
  extensions?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * The one error type of faultline, on the server and the client.
 *
 * Created from a catalog (`catalog.create(code, details)`), thrown by handlers, encoded by
 * the server in the chosen wire format, and decoded back by the client.
 *
 * @example
 * ```ts
 * throw new ApiError({ code: 'not_found', status: 404, message: 'No such order' });
 * ```
 */
export class ApiError<C extends Code = Code, D = Record<string, unknown>> extends Error {
  override name = 'ApiError';
  readonly code: C;
  readonly status: number;
  readonly retry: Retry;
  readonly sideEffect: SideEffect;
  readonly details: D;
  readonly entry: Entry | undefined;
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly fieldErrors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(init: ApiErrorInit<C, D>) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.retry = init.retry ?? init.entry?.retry ?? 'no';
    this.sideEffect = init.sideEffect ?? init.entry?.sideEffect ?? 'maybe';
    this.details = (init.details ?? {}) as D;
    this.entry = init.entry;
    this.type = init.type ?? init.entry?.type;
    this.title = init.title ?? init.entry?.title;
    this.instance = init.instance;
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.fieldErrors = init.fieldErrors;
    this.headers = init.headers;
    this.extensions = init.extensions;
  }

  /**
   * Whether `value` is an `ApiError`, also when it comes from another copy of faultline or
   * another realm (`instanceof` first, then a registered marker that is exactly `true`).
   */
  static is(value: unknown): value is ApiError {
    return (
      value instanceof ApiError ||
      (typeof value === 'object' &&
        value !== null &&
        (value as Record<symbol, unknown>)[MARK] === true)
    );
  }

  /** A copy with some fields replaced; the original stays as it was. */
  with(changes: Partial<ApiErrorInit<C, D>>): ApiError<C, D> {
    return new ApiError<C, D>({ ...this.toInit(), ...changes });
  }

  /** The fields this error was built from. */
  toInit(): ApiErrorInit<C, D> {
    const init: ApiErrorInit<C, D> = {
      code: this.code,
      status: this.status,
      message: this.message,
      retry: this.retry,
      sideEffect: this.sideEffect,
      details: this.details,
    };
    if (this.entry !== undefined) init.entry = this.entry;
    if (this.type !== undefined) init.type = this.type;
    if (this.title !== undefined) init.title = this.title;
    if (this.instance !== undefined) init.instance = this.instance;
    if (this.requestId !== undefined) init.requestId = this.requestId;
    if (this.retryAfter !== undefined) init.retryAfter = this.retryAfter;
    if (this.fieldErrors !== undefined) init.fieldErrors = this.fieldErrors;
    if (this.headers !== undefined) init.headers = this.headers;
    if (this.extensions !== undefined) init.extensions = this.extensions;
    if (this.cause !== undefined) init.cause = this.cause;
    return init;
  }

  /** A plain object for logs; never includes the stack. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      retry: this.retry,
      sideEffect: this.sideEffect,
      details: this.details,
    };
    if (this.requestId !== undefined) json.requestId = this.requestId;
    if (this.retryAfter !== undefined) json.retryAfter = this.retryAfter;
    if (this.fieldErrors !== undefined) json.fieldErrors = this.fieldErrors;
    return json;
  }
}

// The marker lives on the prototype: every instance carries it for free, and copies of the
// class from another bundle or realm carry their own.
Object.defineProperty(ApiError.prototype, MARK, { value: true });

/** Whether `value` is an {@link ApiError} (from any copy of faultline or any realm). */
export const isApiError = ApiError.is;
