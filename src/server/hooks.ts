import type { CreateOptions } from '../core/catalog.js';
import type { ApiError } from '../core/error.js';
import type { ErrorKind } from './base.js';

/**
 * A response a hook answers with instead of running the handler (an idempotent replay, a
 * cached answer). Error answers are better thrown as an `ApiError`, so they are encoded in the
 * server's wire format.
 */
export interface HookResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** The final response as a hook's `onResponse` sees it. */
export interface ObservedResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as sent; `undefined` for a streamed body (SSE, NDJSON, a piped stream). */
  readonly body: string | Uint8Array | undefined;
  /** The error the response encodes, when it is an error response made by faultline. */
  readonly error: ApiError | undefined;
  /** Which part answered: the route handler, a hook's short-circuit, or the error path. */
  readonly source: 'handler' | 'hook' | 'error';
}

/** The request as a hook sees it, the same in every adapter. */
export interface HookRequest {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The raw query string, without the `?` (`''` when there is none). */
  readonly query: string;
  /** The route pattern when the framework knows it (`/orders/:id`). */
  readonly route: string | undefined;
  readonly requestId: string;
  /** The client address, when the runtime gives one. */
  readonly ip: string | undefined;
  /** Reads one request header (case-insensitive). */
  header(name: string): string | undefined;
  /** The parsed request body (`undefined` when there is none); read once, then cached. */
  body(): Promise<unknown>;
  /** Adds a header to the final response, success or error (`RateLimit`, `Idempotent-Replayed`). */
  setHeader(name: string, value: string): void;
  /** Per-request storage, shared between a hook's `onRequest` and its `onResponse`. */
  readonly state: Map<unknown, unknown>;
  /** The team's catalog error for a kind of failure (`rateLimited`, `conflict`, …), to throw. */
  error(kind: ErrorKind, options?: CreateOptions): ApiError;
}

/**
 * The seam for request-level policies such as rate limiting and idempotency keys: a small,
 * framework-neutral pair of callbacks that every adapter runs.
 *
 * - `onRequest` runs before the handler (after routing; the body is read only if the hook
 *   asks for it). It may return a {@link HookResponse} to answer instead of the handler, or
 *   throw (an `ApiError`, usually from `request.error(kind)`) to answer with an error.
 * - `onResponse` sees the final status, headers and body of every request whose `onRequest`
 *   ran, whatever answered it. Its failures are logged, never sent.
 *
 * Hooks run in order; the first short-circuit stops the rest, and only hooks whose
 * `onRequest` ran get `onResponse`.
 *
 * @example
 * ```ts
 * const poweredBy: ServerHook = {
 *   name: 'powered-by',
 *   onRequest(request) { request.setHeader('x-powered-by', 'faultline'); },
 * };
 * ```
 */
export interface ServerHook {
  readonly name: string;
  onRequest?(request: HookRequest): HookOutcome | Promise<HookOutcome>;
  onResponse?(request: HookRequest, response: ObservedResponse): void | Promise<void>;
}

/** What `onRequest` returns: a response to answer with, or nothing to run the handler. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only adds headers returns nothing.
export type HookOutcome = HookResponse | undefined | void;

const ENTERED = Symbol('faultline.enteredHooks');

/**
 * Runs the `onRequest` callbacks in order; resolves to the first short-circuit response, or
 * `undefined` when the handler should run. Throws what a hook throws.
 */
export async function runRequestHooks(
  hooks: readonly ServerHook[],
  request: HookRequest,
): Promise<HookResponse | undefined> {
  let entered = request.state.get(ENTERED) as ServerHook[] | undefined;
  if (!entered) {
    entered = [];
    request.state.set(ENTERED, entered);
  }
  for (const hook of hooks) {
    entered.push(hook);
    if (!hook.onRequest) continue;
    const answer = await hook.onRequest(request);
    if (answer) return answer;
  }
  return undefined;
}

/**
 * Runs the `onResponse` callbacks of the hooks whose `onRequest` ran, in reverse order (the
 * first hook in sees the response last, as in an onion). Failures go to `report`.
 */
export async function runResponseHooks(
  request: HookRequest,
  response: ObservedResponse,
  report: (failure: unknown, hook: ServerHook) => void,
): Promise<void> {
  const entered = request.state.get(ENTERED) as ServerHook[] | undefined;
  if (!entered) return;
  request.state.delete(ENTERED);
  for (let i = entered.length - 1; i >= 0; i--) {
    const hook = entered[i]!;
    if (!hook.onResponse) continue;
    try {
      await hook.onResponse(request, response);
    } catch (failure) {
      report(failure, hook);
    }
  }
}

/** Whether any hook of the list observes responses (so an adapter must capture bodies). */
export function observesResponses(hooks: readonly ServerHook[]): boolean {
  return hooks.some((hook) => hook.onResponse !== undefined);
}
