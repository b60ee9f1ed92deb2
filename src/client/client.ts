import type { Catalog } from '../core/catalog.js';
import type { ApiError } from '../core/error.js';
import type { Code, CodesOf, DetailsOf, EntryOf, NoDetails } from '../core/types.js';
import { CLIENT_ENTRIES, type ClientCode, clientError } from './codes.js';
import { decodeError } from './decode.js';
import { type Attempt, type Reason, RequestError } from './errors.js';
import { type Hint, readHint, readQuota } from './hints.js';
import {
  type BreakerOptions,
  type BreakerState,
  type BudgetOptions,
  type CircuitBreaker,
  circuitBreaker,
  type Gate,
  gate as newGate,
  type RetryBudget,
  retryBudget,
} from './policy.js';

/** How the client retries. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Backoff base in ms: attempt n waits a random time up to `base * 2^(n-1)` (default 100). */
  base?: number;
  /** Largest backoff in ms (default 10 000). */
  maxDelay?: number;
  /** Largest server hint accepted, in ms; a longer one ends the request (default 60 000). */
  maxHint?: number;
}

/** Hooks for logging and metrics. A hook that throws is ignored. */
export interface Hooks {
  /** Before waiting for a retry (or a poll of a pending answer). */
  onRetry?(event: {
    method: string;
    url: string;
    attempt: Attempt;
    error: ApiError | undefined;
  }): void;
  /** When the request fails for good, with the error the caller gets. */
  onGiveUp?(error: RequestError): void;
  /** When an origin's circuit breaker changes state. */
  onBreakerChange?(event: { origin: string; from: BreakerState; to: BreakerState }): void;
}

/** Options of {@link createClient}. */
export interface ClientOptions<K extends Catalog<any> | undefined = undefined> {
  /** Prefix of relative request paths, such as `https://api.example.com/v1`. */
  baseUrl?: string | URL;
  /** The API's error catalog: errors are typed by its codes and retried by its semantics. */
  catalog?: K;
  /** The `fetch` to call (default `globalThis.fetch`). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: HeadersInit;
  /** Retry options, an attempt count, or `false` for a single attempt. */
  retry?: RetryOptions | number | false;
  /** The per-origin retry budget, or `false` for none. */
  budget?: BudgetOptions | false;
  /** The per-origin circuit breaker, or `false` for none. */
  breaker?: BreakerOptions | false;
  /** Per-attempt timeout in ms (default 10 000), or `false`. */
  timeout?: number | false;
  /** Overall time a request may take, retries and waits included, in ms (default none). */
  deadline?: number;
  /**
   * Send an `Idempotency-Key` header (the same on every attempt) with POST and PATCH requests,
   * so that they can be retried (default `true`). A function makes the keys.
   */
  idempotencyKey?: boolean | (() => string);
  /** A header that tells the server how many attempts failed before this one. */
  attemptHeader?: string;
  /** Poll a pending answer (202 with `retry_after`) up to this many times (default 0). */
  poll?: number;
  /**
   * Splits an origin's shared state (budget, breaker, rate-limit pause and pacing), e.g. per
   * API key, or per route for an API whose routes have quotas of their own.
   */
  partition?: (url: URL, method: string) => string;
  /** The most bytes of an error body read and decoded (default 65 536). */
  maxErrorBytes?: number;
  hooks?: Hooks;
}

/** Per-request options: `RequestInit` plus the client's own. */
export interface RequestOptions extends RequestInit {
  retry?: RetryOptions | number | false;
  timeout?: number | false;
  /** Overall time this request may take, in ms. */
  deadline?: number;
  /** The caller vouches that repeating the request is safe, whatever its method. */
  idempotent?: boolean;
  /** The key to send, or `false` to send none. */
  idempotencyKey?: string | false;
  poll?: number;
}

/** Options of the JSON helpers. */
export interface JsonOptions extends RequestOptions {
  /** A value to send as the JSON body. */
  json?: unknown;
  /** Query parameters to add to the URL; `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
}

/** The codes a request can fail with: the catalog's and the client's own. */
export type KnownCode<K> = (K extends Catalog<infer D> ? CodesOf<D> : never) | ClientCode;

/** The details type of code `C`: the catalog's, or none for the client's own codes. */
export type DetailsFor<K, C> =
  K extends Catalog<infer D> ? (C extends CodesOf<D> ? DetailsOf<D, C> : NoDetails) : NoDetails;

/**
 * The errors of catalog `K` that mean success although they come with an error status (the
 * event store's 2002); success-equivalent entries with a 1xx–3xx status never reach a client
 * as errors and are left out.
 */
export type Equivalent<K> =
  K extends Catalog<infer D>
    ? {
        [C in CodesOf<D>]: EntryOf<D, C> extends {
          readonly successEquivalent: true;
          readonly status: infer S extends number;
        }
          ? `${S}` extends `${1 | 2 | 3}${string}`
            ? never
            : ApiError<C, DetailsOf<D, C>>
          : never;
      }[CodesOf<D>]
    : never;

/** A request that succeeded. */
export interface Sent<K> {
  response: Response;
  attempts: readonly Attempt[];
  /** Set when the answer was an error that the catalog says means success. */
  equivalent: Equivalent<K> | undefined;
}

/** The client: a `fetch`-compatible function plus typed helpers. */
export interface Client<K> {
  /**
   * `fetch` with the client's retries: resolves with the final response whatever its status,
   * and rejects with a {@link RequestError} only when no response came (like `fetch`).
   */
  (input: RequestInfo | URL, init?: RequestOptions): Promise<Response>;
  /** Resolves on success (or success-equivalent); rejects with a {@link RequestError}. */
  send(input: RequestInfo | URL, init?: RequestOptions): Promise<Sent<K>>;
  /** JSON in and out; rejects with a {@link RequestError}. */
  json<T = unknown>(input: string | URL, init?: JsonOptions): Promise<T | Equivalent<K>>;
  get<T = unknown>(path: string | URL, init?: JsonOptions): Promise<T | Equivalent<K>>;
  delete<T = unknown>(path: string | URL, init?: JsonOptions): Promise<T | Equivalent<K>>;
  post<T = unknown>(
    path: string | URL,
    json?: unknown,
    init?: JsonOptions,
  ): Promise<T | Equivalent<K>>;
  put<T = unknown>(
    path: string | URL,
    json?: unknown,
    init?: JsonOptions,
  ): Promise<T | Equivalent<K>>;
  patch<T = unknown>(
    path: string | URL,
    json?: unknown,
    init?: JsonOptions,
  ): Promise<T | Equivalent<K>>;
  /**
   * Whether `error` is a {@link RequestError} of `code` (with details that match the catalog's
   * schema); narrows its details type.
   */
  is<C extends KnownCode<K>>(error: unknown, code: C): error is RequestError<C, DetailsFor<K, C>>;
}

const IDEMPOTENT = /^(GET|HEAD|OPTIONS|TRACE|PUT|DELETE)$/;
const KEY = 'idempotency-key';
const ACCEPT = { accept: 'application/json' };
const TYPED = { 'content-type': 'application/json' };
const NEVER = Infinity;
// Failures before any byte left: nothing reached the server (undici, Bun and Deno spellings;
// `refused` covers ECONNREFUSED and ConnectionRefused).
const NOT_SENT =
  /refused|ENOTFOUND|EAI_AGAIN|E(HOST|NET)UNREACH|CONNECT_TIMEOUT|dns error|getaddrinfo/i;

interface Origin {
  budget: RetryBudget | undefined;
  breaker: CircuitBreaker | undefined;
  gate: Gate;
}

/** Whether a failed `fetch` sent nothing, by the codes and messages of the error and its cause. */
function notSent(cause: unknown): boolean {
  const e = cause as { code?: unknown; message?: unknown; cause?: typeof e } | undefined;
  return NOT_SENT.test(`${e?.code} ${e?.message} ${e?.cause?.code} ${e?.cause?.message}`);
}

/** Waits `ms`; resolves `false` at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    // Timers overflow past 2^31 - 1 ms and would fire at once.
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1), true);
    signal?.addEventListener('abort', onAbort);
  });
}

/** Reads a body as text, at most about `max` bytes of it. */
async function readText(response: Response, max: number): Promise<string> {
  // A body known to fit is read whole, natively; only an unknown or long one is read by hand.
  if (Number(response.headers.get('content-length') ?? NEVER) <= max) return response.text();
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    size += value.length;
    if (size > max) {
      await reader.cancel();
      break;
    }
  }
  return text + decoder.decode();
}

/** A random key: a UUID where the runtime has one (secure contexts), else 128 random bits. */
function newKey(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Math.random only counts where the runtime has no crypto at all.
  const bytes = new Uint8Array(16).map(() => Math.random() * 256);
  c?.getRandomValues?.(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The number of seconds in a pending answer's `retry_after`, when it has one. */
function pendingAfter(text: string | undefined): number | undefined {
  try {
    const after = JSON.parse(text ?? '').retry_after;
    return typeof after === 'number' && after >= 0 ? after : undefined;
  } catch {
    return undefined;
  }
}

function retryOf(value: RetryOptions | number | false | undefined): RetryOptions | undefined {
  return value === false
    ? { attempts: 1 }
    : typeof value === 'number'
      ? { attempts: value }
      : value;
}

/**
 * Creates a client: a `fetch` wrapper that decodes every error (any wire format), decides from
 * the catalog whether a retry can help and cannot repeat a side effect, waits as the server
 * asks, and keeps a retry budget, a circuit breaker and a rate-limit gate per origin.
 *
 * @example
 * ```ts
 * import { createClient } from 'faultline/client';
 * import { s2 } from 'faultline/presets';
 *
 * const api = createClient({ baseUrl: 'https://api.example.com', catalog: s2, deadline: 10_000 });
 * try {
 *   await api.post('/streams/orders/records', { records: [] });
 * } catch (error) {
 *   if (api.is(error, 'seq_num_mismatch')) console.log(error.details.seq_num_mismatch);
 * }
 * ```
 */
export function createClient<K extends Catalog<any> | undefined = undefined>(
  options: ClientOptions<K> = {},
): Client<K> {
  const { catalog, hooks = {}, maxErrorBytes = 65_536 } = options;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const origins = new Map<string, Origin>();
  const base = options.baseUrl && String(options.baseUrl).replace(/\/+$/, '');

  const call = (hook: keyof Hooks, event: unknown) => {
    try {
      (hooks[hook] as ((event: unknown) => void) | undefined)?.(event);
    } catch {
      // A logging hook must not change the outcome of the request.
    }
  };

  const resolve = (input: string | URL): URL => {
    if (input instanceof URL) return input;
    const text = String(input);
    return base && !/^[a-z][a-z\d+.-]*:/i.test(text)
      ? new URL(`${base}/${text.replace(/^\/+/, '')}`)
      : new URL(text, (globalThis as { location?: { href: string } }).location?.href);
  };

  const originOf = (url: URL, method: string): Origin => {
    const key = url.origin + (options.partition ? ` ${options.partition(url, method)}` : '');
    let origin = origins.get(key);
    if (!origin) {
      origin = {
        budget: options.budget === false ? undefined : retryBudget(options.budget),
        breaker:
          options.breaker === false
            ? undefined
            : circuitBreaker(options.breaker, (from, to) =>
                call('onBreakerChange', { origin: key, from, to }),
              ),
        gate: newGate(),
      };
      origins.set(key, origin);
    }
    return origin;
  };

  const run = async (
    input: RequestInfo | URL,
    init: JsonOptions,
    parse: boolean,
  ): Promise<Sent<K> & { data?: unknown }> => {
    const request = typeof input === 'object' && 'url' in input ? input : undefined;
    const url = resolve(request ? request.url : (input as string | URL));
    const href = url.href;
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(options.headers);
    // The JSON helpers ask for JSON unless the caller's headers say otherwise, and label a body
    // they encode.
    const encode = parse && init.json !== undefined;
    for (const more of [request?.headers, parse && ACCEPT, init.headers, encode && TYPED]) {
      if (!more) continue;
      new Headers(more).forEach((value, name) => {
        headers.set(name, value);
      });
    }
    const body = encode
      ? JSON.stringify(init.json)
      : (init.body ?? (request?.body ? await request.arrayBuffer() : undefined));
    const signal = init.signal ?? request?.signal;
    const retry = {
      attempts: 3,
      base: 100,
      maxDelay: 10_000,
      maxHint: 60_000,
      ...retryOf(options.retry),
      ...retryOf(init.retry),
    };
    const timeout = init.timeout ?? options.timeout ?? 10_000;
    const deadline = init.deadline ?? options.deadline;
    const start = Date.now();
    const deadlineAt = deadline === undefined ? NEVER : start + deadline;
    const idempotent = init.idempotent ?? IDEMPOTENT.test(method);
    const keys = options.idempotencyKey ?? true;
    if (!idempotent && keys && init.idempotencyKey !== false && !headers.has(KEY)) {
      headers.set(KEY, init.idempotencyKey || (keys === true ? newKey() : keys()));
    }
    const safe = idempotent || headers.has(KEY);
    const replayable = !(body instanceof ReadableStream);
    const maxPolls = init.poll ?? options.poll ?? 0;
    const { budget, breaker, gate } = originOf(url, method);
    budget?.request(start);

    const attempts: Attempt[] = [];
    let last: ApiError | undefined;
    let lastResponse: Response | undefined;
    let hint: Hint | undefined;
    let taken = false;
    let failures = 0;
    let polls = 0;

    const fail = (error: ApiError, reason: Reason, retryAt?: number, response?: Response) => {
      const init = error.toInit();
      // The wait the server asked for after the last failure, whichever field said it.
      if (error === last && hint && init.retryAfter === undefined) init.retryAfter = hint.ms / 1000;
      const failure = new RequestError({
        ...init,
        method,
        url: href,
        attempts,
        mayHaveTakenEffect: taken,
        reason,
        retryAt,
        response,
      });
      call('onGiveUp', failure);
      return failure;
    };
    const aborted = () => fail(clientError('aborted', false, signal?.reason), 'aborted');

    for (let n = 1; ; n++) {
      if (signal?.aborted) throw aborted();
      // Wait while the origin is paused or its quota is spent, but never past the deadline.
      let ticket = 0;
      let at: number;
      for (let held = false; ; held = true) {
        at = Date.now();
        const latest = Math.min(deadlineAt, at + retry.maxHint);
        const [wait, taken] = gate.take(at, held, latest);
        ticket = taken;
        if (ticket) break;
        if (at + wait > latest) {
          throw fail(
            last ?? clientError('throttled', false),
            wait > retry.maxHint ? 'hint-too-long' : 'deadline',
            at + wait,
            lastResponse,
          );
        }
        if (!(await sleep(wait, signal))) throw aborted();
      }
      if (breaker && !breaker.allow(at)) {
        throw fail(
          last ?? clientError('circuit_open', false),
          'circuit-open',
          breaker.reopensAt(),
          lastResponse,
        );
      }
      if (failures && options.attemptHeader) headers.set(options.attemptHeader, String(failures));

      let why: ClientCode | undefined;
      const limit = Math.min(timeout || NEVER, deadlineAt - at);
      // A signal costs Node's fetch real time per request: made only when something can abort.
      const controller = limit < 2 ** 31 ? new AbortController() : undefined;
      const timer =
        controller &&
        setTimeout(() => {
          why = deadlineAt - at < (timeout || NEVER) ? 'deadline_exceeded' : 'timeout';
          controller.abort(why);
        }, limit);
      // The caller's signal and the timer's, as one. `AbortSignal.any` holds the caller's
      // signal weakly, so a long-lived signal shared by many requests collects no listeners;
      // older runtimes get a listener, removed once the response is read.
      const onAbort = () => controller?.abort(signal?.reason);
      const linked =
        signal && controller
          ? AbortSignal.any
            ? AbortSignal.any([signal, controller.signal])
            : controller.signal
          : (signal ?? controller?.signal);
      if (signal && controller && linked === controller.signal) {
        signal.addEventListener('abort', onAbort);
      }

      let response: Response | undefined;
      let error: ApiError | undefined;
      let text: string | undefined;
      try {
        // Not `{ ...init, method, … }`: V8 (Node 20) takes a microsecond to add properties to a
        // spread copy.
        response = await doFetch(
          href,
          Object.assign({}, init, { method, headers, body, signal: linked ?? null }) as RequestInit,
        );
        const status = response.status;
        // Error bodies are read (bounded) to be decoded; a success only when the caller parses.
        if (parse || status > 399 || (status === 202 && polls < maxPolls)) {
          text = await (status > 399 ? readText(response, maxErrorBytes) : response.text());
        }
      } catch (cause) {
        if (signal?.aborted) why = 'aborted';
        // A response whose body broke off was sent all the same.
        const sent = !!response || !notSent(cause);
        error = clientError(why ?? (sent ? 'network_error' : 'connect_error'), sent, cause);
      } finally {
        clearTimeout(timer);
        // A response handed over unread keeps the caller's signal, to cancel its body.
        if (text !== undefined || error) signal?.removeEventListener('abort', onAbort);
      }

      const now = Date.now();
      const status = error ? undefined : response?.status;
      const quota = response && readQuota(response.headers, now);
      gate.settle(quota, now, ticket);
      // A body read here is handed on as a fresh response (the JSON helpers need none).
      if (response && text !== undefined && !error && (!parse || status! > 399)) {
        response = new Response(status === 204 || status === 304 ? null : text, response);
      }
      const record = (reason?: Reason, delay?: number, source?: string) => {
        const attempt: Attempt = {
          attempt: n,
          status,
          code: error?.code,
          sent: error?.entry !== CLIENT_ENTRIES.connect_error,
          delay,
          source,
          reason,
          at,
          ms: now - at,
        };
        attempts.push(attempt);
        return attempt;
      };

      if (response && !error) {
        if (status! < 400) {
          breaker?.record(false, now);
          // Discord's 202: accepted, not ready; asked again after `retry_after` when polling.
          const pending =
            status === 202 &&
            polls < maxPolls &&
            readHint(response.headers, pendingAfter(text), undefined, undefined, now);
          if (pending && pending.ms <= retry.maxHint && now + pending.ms <= deadlineAt) {
            polls++;
            call('onRetry', {
              method,
              url: href,
              attempt: record('poll', pending.ms, pending.source),
            });
            if (!(await sleep(pending.ms, signal))) throw aborted();
            continue;
          }
          record();
          let data: unknown;
          try {
            data = parse && text ? JSON.parse(text) : undefined;
          } catch (cause) {
            taken = true;
            throw fail(
              clientError('invalid_response', true, cause),
              'not-retryable',
              undefined,
              response,
            );
          }
          return { response, attempts, equivalent: undefined, data };
        }
        error = decodeError(status!, response.headers, text ?? '', catalog);
        if (error.entry?.successEquivalent) {
          breaker?.record(false, now);
          record();
          return { response, attempts, equivalent: error as Equivalent<K> };
        }
      }
      const failure = error as ApiError;
      last = failure;
      lastResponse = status ? response : undefined;
      failures++;
      if (failure.sideEffect !== 'no') taken = true;
      breaker?.record(
        why === 'aborted' || why === 'deadline_exceeded'
          ? undefined
          : !status || status > 499 || status === 408,
        now,
      );
      hint =
        response &&
        readHint(response.headers, failure.retryAfter, quota, failure.entry?.retryAfter, now);
      // A rate limit holds every request to the origin (and partition) back, not only this one;
      // so does a 503 whose response says when to come back (RFC 9110: how long the service
      // is expected to be unavailable), rather than each request finding the outage for itself.
      if (
        hint &&
        hint.ms <= retry.maxHint &&
        (status === 429 || (status === 503 && hint.source !== 'catalog'))
      ) {
        gate.pause(now + hint.ms);
      }
      const delay =
        hint?.ms ?? Math.random() * Math.min(retry.maxDelay, retry.base * 2 ** (failures - 1));
      const reason: Reason =
        why === 'aborted'
          ? 'aborted'
          : why === 'deadline_exceeded'
            ? 'deadline'
            : failure.retry === 'after-change'
              ? 'after-change'
              : failure.retry !== 'yes'
                ? 'not-retryable'
                : failure.sideEffect !== 'no' && !safe
                  ? 'unsafe'
                  : !replayable
                    ? 'not-replayable'
                    : failures >= retry.attempts
                      ? 'attempts'
                      : delay > retry.maxHint
                        ? 'hint-too-long'
                        : now + delay > deadlineAt
                          ? 'deadline'
                          : budget && !budget.retry(now)
                            ? 'budget'
                            : 'retry';
      const attempt = record(
        reason,
        reason === 'retry' ? delay : undefined,
        hint?.source ?? 'backoff',
      );
      if (reason !== 'retry') {
        const later = reason === 'deadline' || reason === 'hint-too-long';
        throw fail(failure, reason, later ? now + delay : undefined, lastResponse);
      }
      call('onRetry', { method, url: href, attempt, error: failure });
      if (!(await sleep(delay, signal))) throw aborted();
    }
  };

  const json = async (input: string | URL, init: JsonOptions = {}) => {
    let url = input;
    if (init.query) {
      // A copy gets the query, never a URL the caller passed in.
      const copy = new URL(resolve(input));
      for (const [name, value] of Object.entries(init.query)) {
        if (value !== undefined) copy.searchParams.append(name, String(value));
      }
      url = copy;
    }
    const sent = await run(url, init, true);
    return sent.equivalent ?? sent.data;
  };
  const verb =
    (method: string, withBody?: boolean) =>
    (path: string | URL, value?: unknown, init?: JsonOptions) =>
      withBody
        ? json(path, Object.assign({}, init, { method, json: value }))
        : json(path, Object.assign({}, value as JsonOptions, { method }));

  const client = ((input: RequestInfo | URL, init: RequestOptions = {}) =>
    run(input, init, false).then(
      (sent) => sent.response,
      (error: RequestError) => {
        // Like `fetch`: an answer from the server resolves, whatever its status.
        if (error.response) return error.response;
        throw error;
      },
    )) as Client<K>;
  client.send = (input, init = {}) => run(input, init, false);
  client.json = json as Client<K>['json'];
  client.get = verb('GET') as Client<K>['get'];
  client.delete = verb('DELETE') as Client<K>['delete'];
  client.post = verb('POST', true) as Client<K>['post'];
  client.put = verb('PUT', true) as Client<K>['put'];
  client.patch = verb('PATCH', true) as Client<K>['patch'];
  client.is = (error: unknown, code: Code): error is never =>
    RequestError.is(error) &&
    error.code === code &&
    (code in CLIENT_ENTRIES || !catalog || catalog.is(error, code));
  return client;
}
