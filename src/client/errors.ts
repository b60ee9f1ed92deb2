import { ApiError, type ApiErrorInit } from '../core/error.js';
import type { Code } from '../core/types.js';

const MARK = Symbol.for('faultline.RequestError');

/**
 * Why the client stopped, or what it did after one attempt.
 * - `retry`: it tried again; `poll`: the answer was "not ready yet" and it asked again.
 * - `not-retryable` / `after-change`: the error's entry says repeating cannot help (now).
 * - `unsafe`: a retry could repeat a side effect (non-idempotent method, no key).
 * - `attempts`: the attempt limit was reached; `budget`: the origin's retry budget is spent.
 * - `deadline`: the next try would start after the deadline (see `retryAt`).
 * - `hint-too-long`: the server asked for a longer wait than `retry.maxHint`.
 * - `circuit-open`: the origin's circuit breaker refused the attempt.
 * - `aborted`: the caller's signal fired; `not-replayable`: the body is a stream.
 */
export type Reason =
  | 'retry'
  | 'poll'
  | 'not-retryable'
  | 'after-change'
  | 'unsafe'
  | 'attempts'
  | 'budget'
  | 'deadline'
  | 'hint-too-long'
  | 'circuit-open'
  | 'aborted'
  | 'not-replayable';

/** What happened on one attempt of a request. */
export interface Attempt {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The HTTP status, or `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** The decoded error code, or `undefined` for a success. */
  readonly code: Code | undefined;
  /** Whether the request may have reached the server (`false`: refused, DNS, open circuit). */
  readonly sent: boolean;
  /** Milliseconds waited after this attempt before the next one. */
  readonly delay: number | undefined;
  /** Where the delay came from: a header name, `body`, `catalog` or `backoff`. */
  readonly source: string | undefined;
  /** What the client did next, or why it stopped. */
  readonly reason: Reason | undefined;
  /** Epoch milliseconds when the attempt started, and how long it took. */
  readonly at: number;
  readonly ms: number;
}

/** Everything needed to build a {@link RequestError}. */
export interface RequestErrorInit<C extends Code, D> extends ApiErrorInit<C, D> {
  method: string;
  url: string;
  attempts: readonly Attempt[];
  mayHaveTakenEffect: boolean;
  reason: Reason;
  retryAt?: number | undefined;
  response?: Response | undefined;
}

/**
 * The final error of a request made by the client: the decoded error of the last failure (its
 * code, details and catalog entry) plus every attempt, why the client stopped, and whether
 * the request may have taken effect.
 *
 * @example
 * ```ts
 * try {
 *   await api.post('/orders', { sku: 'A1' });
 * } catch (error) {
 *   if (RequestError.is(error) && !error.mayHaveTakenEffect) showRetryButton();
 * }
 * ```
 */
export class RequestError<C extends Code = Code, D = Record<string, unknown>> extends ApiError<
  C,
  D
> {
  override name = 'RequestError';
  declare readonly method: string;
  declare readonly url: string;
  declare readonly attempts: readonly Attempt[];
  /** `false` only when no attempt can have changed anything on the server. */
  declare readonly mayHaveTakenEffect: boolean;
  declare readonly reason: Reason;
  /** Epoch milliseconds from which a retry would be allowed, when the server said so. */
  declare readonly retryAt: number | undefined;
  /** The last response, its body already read (the error body is `text()`-able again). */
  declare readonly response: Response | undefined;

  constructor(init: RequestErrorInit<C, D>) {
    super(init);
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts;
    this.mayHaveTakenEffect = init.mayHaveTakenEffect;
    this.reason = init.reason;
    this.retryAt = init.retryAt;
    this.response = init.response;
    this.message = `${init.message} (${init.method} ${init.url}: ${init.code}, ${init.attempts.length} attempt${init.attempts.length === 1 ? '' : 's'}, ${init.reason})`;
  }

  /** Whether `value` is a `RequestError`, also from another copy of faultline or realm. */
  static override is(value: unknown): value is RequestError {
    return (
      value instanceof RequestError ||
      (ApiError.is(value) && (value as unknown as Record<symbol, unknown>)[MARK] === true)
    );
  }

  /** A plain object for logs: the error's fields plus the attempts; never the stack. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      method: this.method,
      url: this.url,
      reason: this.reason,
      mayHaveTakenEffect: this.mayHaveTakenEffect,
      retryAt: this.retryAt,
      attempts: this.attempts,
    };
  }
}

// On the prototype, once: no per-error cost, and `is` still sees it through any copy.
Object.defineProperty(RequestError.prototype, MARK, { value: true });
