import { ApiError } from '../core/error.js';
import { type ErrorResponder, type FetchMiddleware, problemResponse } from '../ratelimit/fetch.js';
import type { HookRequest, ObservedResponse, ServerHook } from '../server/hooks.js';
import { IdempotencyGuard, type IdempotencyMetrics } from './guard.js';
import {
  claimError,
  type IdempotencyOptions,
  IdempotencyRoute,
  replayHeaders,
  storableHeaders,
} from './http.js';
import { isTransactionalStore, type Lease, type StoredResponse } from './types.js';

/** Options of the Fetch middleware {@link idempotency}. */
export interface FetchIdempotencyOptions extends IdempotencyOptions<Request> {
  /** Turns a refusal into a response (default: problem+json). */
  readonly respond?: ErrorResponder;
  /**
   * Which responses are stored for replay (default: all but 4xx). A response that is not
   * stored gives the key back, so a retry runs the request again: only right for answers
   * that had no effect.
   */
  readonly shouldStore?: (response: Response) => boolean;
  /**
   * Complete the key in the handler's own database transaction (default `false`); the store
   * must be transactional (`PostgresIdempotencyStore`). The handler gets the transaction with
   * {@link idempotencyTransaction}; every response is stored, a thrown error rolls back.
   */
  readonly transactional?: boolean;
}

/** A middleware with its guard and counters. */
export interface IdempotencyMiddleware extends FetchMiddleware {
  readonly guard: IdempotencyGuard;
  metrics(): IdempotencyMetrics;
}

const transactions = new WeakMap<Request, unknown>();

/**
 * The database transaction of a request run by {@link idempotency} in transactional mode
 * (a `pg` client inside `BEGIN` for PostgreSQL); `undefined` otherwise.
 *
 * @example
 * ```ts
 * const client = idempotencyTransaction<pg.PoolClient>(request);
 * await client?.query('INSERT INTO orders …');
 * ```
 */
export function idempotencyTransaction<T = unknown>(request: Request): T | undefined {
  return transactions.get(request) as T | undefined;
}

const defaultShouldStore = (response: Response): boolean =>
  response.status < 400 || response.status >= 500;

/**
 * Idempotency keys as Fetch middleware (draft-ietf-httpapi-idempotency-key-header): the first
 * request of a key runs, a duplicate in flight gets 409, the key with another payload 422, a
 * missing key 400 where required, and a completed request is replayed with its stored status,
 * headers and body and `Idempotent-Replayed: true`, without running the handler again.
 *
 * @example
 * ```ts
 * const handler = composeMiddleware(
 *   rateLimit({ policies, clientAddress }),
 *   idempotency({ store: new RedisIdempotencyStore({ client: redis }), required: true }),
 * )(app);
 * ```
 * @throws {TypeError} for `transactional: true` with a store that is not transactional.
 */
export function idempotency(options: FetchIdempotencyOptions = {}): IdempotencyMiddleware {
  const guard = options.guard ?? new IdempotencyGuard(options);
  const route = new IdempotencyRoute<Request>(options);
  const respond = options.respond ?? problemResponse;
  const shouldStore = options.shouldStore ?? defaultShouldStore;
  const store = guard.store;
  if (options.transactional && !isTransactionalStore(store)) {
    throw new TypeError('transactional: true needs a transactional store (PostgreSQL)');
  }

  const middleware: FetchMiddleware = async (request, next) => {
    const url = new URL(request.url);
    const prepared = await route.prepare(request, {
      method: request.method,
      path: url.pathname,
      query: url.search.slice(1),
      header: (name) => request.headers.get(name) ?? undefined,
      body: async () =>
        request.body === null
          ? undefined
          : {
              kind: 'bytes',
              bytes: new Uint8Array(await request.clone().arrayBuffer()),
              contentType: request.headers.get('content-type') ?? undefined,
            },
    });
    if (prepared.kind === 'pass') return next(request);
    if (prepared.kind === 'refuse') return respond(prepared.error, request);
    const begun = await guard.begin(prepared.scopeKey, prepared.fingerprint);
    if (begun.kind === 'completed') {
      const stored = begun.response;
      return new Response(bodyOf(stored.status, stored.body), {
        status: stored.status,
        headers: replayHeaders(stored),
      });
    }
    const refusal = claimError(begun);
    if (refusal || begun.kind !== 'claimed') return respond(refusal!, request);
    const lease = begun.lease;

    if (options.transactional && isTransactionalStore(store)) {
      let outcome: { committed: boolean; response: StoredResponse };
      let sendable: Response | undefined;
      try {
        // No time limit here: the transaction spans the handler.
        outcome = await store.runInTransaction(lease, async (transaction) => {
          transactions.set(request, transaction);
          try {
            const taken = await snapshot(await next(request));
            sendable = taken.send;
            return taken.stored;
          } finally {
            transactions.delete(request);
          }
        });
      } catch (error) {
        // Rolled back: nothing took effect, so a retry may run the request again.
        await guard.abandon(lease);
        throw error;
      }
      guard.recordCompletion(outcome.committed);
      // Lost to another writer: the effects were rolled back, and the other request's
      // response is the one that stands; the client retries and gets it.
      if (!outcome.committed || !sendable) {
        return respond(claimError({ kind: 'in-flight' })!, request);
      }
      return sendable;
    }

    let response: Response;
    try {
      response = await next(request);
    } catch (error) {
      // An error that declares it had no effect frees the key; anything else keeps the key
      // held until the lease runs out, since the request may have taken effect.
      if (ApiError.is(error) && error.sideEffect === 'no') await guard.abandon(lease);
      throw error;
    }
    if (!shouldStore(response)) {
      await guard.abandon(lease);
      return response;
    }
    const { stored, send } = await snapshot(response);
    await guard.finish(lease, stored);
    return send;
  };
  return Object.assign(middleware, { guard, metrics: () => guard.metrics() });
}

/**
 * Reads a response whole: the form stored for replay, and the response to send now (the
 * original status and every original header, the body from the buffer).
 */
async function snapshot(response: Response): Promise<{ stored: StoredResponse; send: Response }> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  const send = new Response(bodyOf(response.status, body), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return { stored: { status: response.status, headers: storableHeaders(headers), body }, send };
}

function bodyOf(status: number, body: Uint8Array): Uint8Array<ArrayBuffer> | null {
  return status === 204 || status === 304 || (status >= 100 && status < 200)
    ? null
    : (body as Uint8Array<ArrayBuffer>);
}

/** Options of the server hook {@link idempotencyHook}. */
export interface HookIdempotencyOptions extends IdempotencyOptions<HookRequest> {
  /**
   * Which responses are stored for replay (default: all but errors that declare no side
   * effect). One that is not stored gives the key back.
   */
  readonly shouldStore?: (response: ObservedResponse) => boolean;
}

/** A server hook with its guard and counters. */
export interface IdempotencyHook extends ServerHook {
  readonly guard: IdempotencyGuard;
  metrics(): IdempotencyMetrics;
}

const LEASE = Symbol('faultline.idempotency');
const encoder = new TextEncoder();

/**
 * Idempotency keys as a faultline server hook, for every adapter. List it after
 * {@link rateLimitHook}. Refusals are thrown as this package's catalog errors (encoded in the
 * server's wire format); a replay short-circuits the handler.
 *
 * @example
 * ```ts
 * const fetch = createFetchHandler({ hooks: [rateLimitHook(limits), idempotencyHook({ store })], routes });
 * ```
 */
export function idempotencyHook(options: HookIdempotencyOptions = {}): IdempotencyHook {
  const guard = options.guard ?? new IdempotencyGuard(options);
  const route = new IdempotencyRoute<HookRequest>(options);
  const shouldStore =
    options.shouldStore ?? ((response: ObservedResponse) => response.error?.sideEffect !== 'no');
  return {
    name: 'faultline.idempotency',
    guard,
    metrics: () => guard.metrics(),
    async onRequest(request) {
      const prepared = await route.prepare(request, {
        method: request.method,
        path: request.path,
        query: request.query,
        header: (name) => request.header(name),
        body: async () => ({ kind: 'parsed', value: await request.body() }),
      });
      if (prepared.kind === 'pass') return undefined;
      if (prepared.kind === 'refuse') throw prepared.error;
      const begun = await guard.begin(prepared.scopeKey, prepared.fingerprint);
      if (begun.kind === 'completed') {
        return {
          status: begun.response.status,
          headers: replayHeaders(begun.response),
          body: begun.response.body,
        };
      }
      const refusal = claimError(begun);
      if (refusal || begun.kind !== 'claimed') throw refusal;
      request.state.set(LEASE, begun.lease);
      return undefined;
    },
    async onResponse(request, response) {
      const lease = request.state.get(LEASE) as Lease | undefined;
      if (!lease) return;
      request.state.delete(LEASE);
      if (!shouldStore(response)) {
        await guard.abandon(lease);
        return;
      }
      const body =
        typeof response.body === 'string'
          ? encoder.encode(response.body)
          : (response.body ?? new Uint8Array(0));
      await guard.finish(lease, {
        status: response.status,
        headers: storableHeaders(Object.entries(response.headers)),
        body,
      });
    },
  };
}
