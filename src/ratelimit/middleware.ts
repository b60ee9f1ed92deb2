import type { HookRequest, ServerHook } from '../server/hooks.js';
import {
  type ErrorResponder,
  type FetchMiddleware,
  problemResponse,
  withHeaders,
} from './fetch.js';
import type { RateLimiter, RateLimiterMetrics } from './limiter.js';
import {
  type RateLimitErrorFactory,
  type RateLimitOptions,
  type RateLimitOutcome,
  RateLimitRules,
} from './rules.js';

/** Options of the Fetch middleware {@link rateLimit}. */
export interface FetchRateLimitOptions extends RateLimitOptions<Request> {
  /**
   * The client address of a request, for the `ip` key. The Fetch API carries none: pass the
   * runtime's (`(request) => server.requestIP(request)?.address` in Bun, the connection's
   * `remoteAddr` in Deno, a trusted proxy header behind one).
   */
  readonly clientAddress?: (request: Request) => string | undefined;
  /** Turns a refusal into a response (default: problem+json). */
  readonly respond?: ErrorResponder;
}

/** A middleware with its limiter and counters. */
export interface RateLimitMiddleware extends FetchMiddleware {
  readonly limiter: RateLimiter;
  metrics(): RateLimiterMetrics;
}

/** Whether a response is an idempotent replay (it must not count against the quota). */
export function isReplay(
  headers: { get(name: string): string | null } | Record<string, string>,
): boolean {
  const value =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null }).get('idempotent-replayed')
      : (headers as Record<string, string>)['idempotent-replayed'];
  return value === 'true';
}

/**
 * Rate limiting as Fetch middleware: GCRA over every policy of the route in one store round
 * trip, 429 with `Retry-After` when refused, `RateLimit-Policy` and `RateLimit` on every
 * response. Put it before {@link idempotency}: replays get their units back.
 *
 * @example
 * ```ts
 * const limit = rateLimit({
 *   store: new RedisRateLimitStore({ client: redis }),
 *   key: 'api-key',
 *   policies: [{ name: 'per-second', limit: 10, windowMs: 1000 }, { name: 'per-hour', limit: 5000, windowMs: 3_600_000 }],
 *   onStoreFailure: 'fallback',
 * });
 * const handler = composeMiddleware(limit)(app);
 * ```
 * @throws {TypeError} when a policy counts by `ip` and no `clientAddress` is given.
 */
export function rateLimit(options: FetchRateLimitOptions): RateLimitMiddleware {
  const rules = new RateLimitRules<Request>(options, {
    ip: options.clientAddress,
    header: (request, name) => request.headers.get(name) ?? undefined,
  });
  const respond = options.respond ?? problemResponse;
  const middleware: FetchMiddleware = async (request, next) => {
    const outcome = await rules.check(request);
    if (outcome.kind === 'refused') return respond(outcome.error, request);
    const response = await next(request);
    let headers = outcome.headers;
    if (rules.refundsReplays && isReplay(response.headers)) {
      const refunded = await outcome.refund();
      if (refunded) headers = { ...headers, ...refunded };
    }
    return withHeaders(response, headers);
  };
  return Object.assign(middleware, {
    limiter: rules.limiter,
    metrics: () => rules.limiter.metrics(),
  });
}

/** Options of the server hook {@link rateLimitHook}. */
export interface HookRateLimitOptions extends RateLimitOptions<HookRequest> {
  /**
   * Which error a refusal throws: the server catalog's `rateLimited` kind (default `server`,
   * so the team's own code and wire format answer), or this package's `rate_limited` with the
   * IETF quota-exceeded problem type and `violated-policies` (`traffic`).
   */
  readonly errors?: 'server' | 'traffic';
}

/** A server hook with its limiter and counters. */
export interface RateLimitHook extends ServerHook {
  readonly limiter: RateLimiter;
  metrics(): RateLimiterMetrics;
}

const OUTCOME = Symbol('faultline.rateLimit');

/**
 * Rate limiting as a faultline server hook, for every adapter (node:http, Express, Fastify,
 * Hono, Fetch): list it in `hooks` before {@link idempotencyHook}.
 *
 * @example
 * ```ts
 * const app = createFetchHandler({ hooks: [rateLimitHook({ policies: { limit: 100, windowMs: 60_000 } })], routes });
 * ```
 */
export function rateLimitHook(options: HookRateLimitOptions): RateLimitHook {
  const serverError: RateLimitErrorFactory<HookRequest> = ({ retryAfter, headers }, request) =>
    request.error('rateLimited', retryAfter === undefined ? { headers } : { retryAfter, headers });
  const rules = new RateLimitRules<HookRequest>(options, {
    ip: (request) => request.ip,
    header: (request, name) => request.header(name),
    error: options.errors === 'traffic' ? undefined : serverError,
  });
  return {
    name: 'faultline.rateLimit',
    limiter: rules.limiter,
    metrics: () => rules.limiter.metrics(),
    async onRequest(request) {
      const outcome = await rules.check(request);
      if (outcome.kind === 'refused') throw outcome.error;
      for (const [name, value] of Object.entries(outcome.headers)) request.setHeader(name, value);
      request.state.set(OUTCOME, outcome);
    },
    async onResponse(request, response) {
      const outcome = request.state.get(OUTCOME) as RateLimitOutcome | undefined;
      if (outcome?.kind !== 'allowed' || !rules.refundsReplays || !isReplay(response.headers)) {
        return;
      }
      await outcome.refund();
    },
  };
}
