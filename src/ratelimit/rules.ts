import type { ApiError } from '../core/error.js';
import { sha256Base64Url } from '../idempotency/fingerprint.js';
import { trafficCatalog } from './catalog.js';
import { normalizePolicy } from './gcra.js';
import {
  type LegacyReset,
  legacyRateLimitHeaders,
  rateLimitHeader,
  rateLimitPolicyHeader,
  retryAfterSeconds,
} from './headers.js';
import { RateLimiter, type RateLimiterOptions } from './limiter.js';
import type { RateLimitCheck, RateLimitDecision, RateLimitPolicy } from './types.js';

/**
 * Whom a policy counts: the client address, the API key (`Authorization` or `X-API-Key`,
 * hashed before it reaches the store), or a function of the request. A function returning
 * `undefined` exempts the request from that policy.
 */
export type RateLimitKey<R> =
  | 'ip'
  | 'api-key'
  | ((request: R) => string | undefined | Promise<string | undefined>);

/** A policy of a route, optionally with its own key. */
export interface RateLimitRule<R> extends RateLimitPolicy {
  /** Whom this policy counts (default: the options' `key`). */
  readonly key?: RateLimitKey<R>;
}

/** Options of rate limiting, whatever the server. */
export interface RateLimitOptions<R> extends RateLimiterOptions {
  /** One policy, or several (per second and per hour); all must admit a request. */
  readonly policies: RateLimitRule<R> | readonly RateLimitRule<R>[];
  /** Whom the policies count by default (default `ip`). */
  readonly key?: RateLimitKey<R>;
  /** Units a request spends (default 1), or a function of the request. */
  readonly cost?: number | ((request: R) => number | Promise<number>);
  /**
   * Kept apart from other rate limiters with the same policies (default `default`): two
   * routes with their own quotas need two namespaces.
   */
  readonly namespace?: string;
  /** Also send `X-RateLimit-Limit`, `-Remaining`, `-Reset` (default `false`). */
  readonly legacyHeaders?: boolean | LegacyReset;
  /** Give the units back when the response is an idempotent replay (default `true`). */
  readonly refundReplays?: boolean;
  /** A limiter to share between routes (its store, failure mode and metrics). */
  readonly limiter?: RateLimiter;
}

/** What to do with one request. */
export type RateLimitOutcome =
  /** Run it; add `headers` to its response; `refund` gives the units back for a replay. */
  | {
      readonly kind: 'allowed';
      readonly headers: Record<string, string>;
      readonly refund: () => Promise<Record<string, string> | undefined>;
    }
  /** Refuse it with `error` (429 with its headers, or 503 when failing closed). */
  | { readonly kind: 'refused'; readonly error: ApiError };

/** How a refusal is worded: the server's own `rateLimited` error, or the traffic catalog's. */
export type RateLimitErrorFactory<R = unknown> = (
  init: {
    retryAfter: number | undefined;
    headers: Record<string, string>;
    violatedPolicies: string[];
  },
  request: R,
) => ApiError;

/** The traffic catalog's `rate_limited`, with the IETF problem type and `violated-policies`. */
export const trafficRateLimitError: RateLimitErrorFactory = ({
  retryAfter,
  headers,
  violatedPolicies,
}) =>
  trafficCatalog.create(
    'rate_limited',
    { 'violated-policies': violatedPolicies },
    retryAfter === undefined ? { headers } : { retryAfter, headers },
  );

/**
 * Rate limiting of one route or server, independent of the HTTP framework: which checks a
 * request makes, the decision, the answer and its headers.
 */
export class RateLimitRules<R> {
  readonly limiter: RateLimiter;
  readonly #rules: readonly RateLimitRule<R>[];
  readonly #defaultKey: RateLimitKey<R>;
  readonly #cost: RateLimitOptions<R>['cost'];
  readonly #namespace: string;
  readonly #legacy: LegacyReset | undefined;
  readonly #refundReplays: boolean;
  readonly #policyHeader: string;
  readonly #ipOf: (request: R) => string | undefined;
  readonly #header: (request: R, name: string) => string | undefined;
  readonly #error: RateLimitErrorFactory<R>;
  readonly #logger: RateLimitOptions<R>['logger'];
  #warnedNoAddress = false;

  constructor(
    options: RateLimitOptions<R>,
    access: {
      ip: ((request: R) => string | undefined) | undefined;
      header: (request: R, name: string) => string | undefined;
      error?: RateLimitErrorFactory<R> | undefined;
    },
  ) {
    const rules = Array.isArray(options.policies)
      ? (options.policies as readonly RateLimitRule<R>[])
      : [options.policies as RateLimitRule<R>];
    if (rules.length === 0) throw new RangeError('Rate limiting needs at least one policy');
    const names = new Set<string>();
    for (const rule of rules) {
      const name = normalizePolicy(rule).name;
      if (names.has(name)) throw new RangeError(`Two rate-limit policies are named "${name}"`);
      names.add(name);
    }
    this.#rules = rules;
    this.#defaultKey = options.key ?? 'ip';
    if (access.ip === undefined && rules.some((rule) => (rule.key ?? this.#defaultKey) === 'ip')) {
      throw new TypeError(
        'Rate limiting by IP needs the client address: pass clientAddress (the Fetch API has none)',
      );
    }
    this.#cost = options.cost;
    this.#namespace = options.namespace ?? 'default';
    const legacy = options.legacyHeaders ?? false;
    this.#legacy = legacy === true ? 'epoch-seconds' : legacy === false ? undefined : legacy;
    this.#refundReplays = options.refundReplays ?? true;
    this.#policyHeader = rateLimitPolicyHeader(rules);
    this.#ipOf = access.ip ?? (() => undefined);
    this.#header = access.header;
    this.#error = access.error ?? trafficRateLimitError;
    this.#logger = options.logger;
    this.limiter = options.limiter ?? new RateLimiter(options);
  }

  /** Whether replays get their units back. */
  get refundsReplays(): boolean {
    return this.#refundReplays;
  }

  /** Decides one request. Rejects only for bad configuration (a cost that is not an integer). */
  async check(request: R): Promise<RateLimitOutcome> {
    const policies: RateLimitPolicy[] = [];
    const checks: RateLimitCheck[] = [];
    for (const rule of this.#rules) {
      const key = await this.#keyOf(rule.key ?? this.#defaultKey, request);
      if (key === undefined) continue;
      policies.push(rule);
      checks.push({ key: `${this.#namespace}:${key}`, policy: rule });
    }
    const headers: Record<string, string> = { 'ratelimit-policy': this.#policyHeader };
    if (checks.length === 0) return { kind: 'allowed', headers, refund: async () => undefined };
    const cost = typeof this.#cost === 'function' ? await this.#cost(request) : (this.#cost ?? 1);
    const verdict = await this.limiter.consume(checks, cost);
    if (verdict.kind === 'open') return { kind: 'allowed', headers, refund: async () => undefined };
    if (verdict.kind === 'closed') {
      return {
        kind: 'refused',
        error: trafficCatalog.create('store_unavailable', {}, { headers }),
      };
    }
    Object.assign(headers, this.#stateHeaders(policies, verdict.decision));
    if (!verdict.decision.allowed) {
      const violated = policies
        .filter((_, i) => !verdict.decision.results[i]!.allowed)
        .map((policy) => normalizePolicy(policy).name);
      const retryAfter = retryAfterSeconds(verdict.decision.results);
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      return {
        kind: 'refused',
        error: this.#error({ retryAfter, headers, violatedPolicies: violated }, request),
      };
    }
    const source = verdict.source;
    return {
      kind: 'allowed',
      headers,
      refund: async () => {
        const after = await this.limiter.refund(checks, cost, source);
        return after && this.#stateHeaders(policies, after);
      },
    };
  }

  #stateHeaders(
    policies: readonly RateLimitPolicy[],
    decision: RateLimitDecision,
  ): Record<string, string> {
    const headers: Record<string, string> = {
      ratelimit: rateLimitHeader(policies, decision.results),
    };
    if (this.#legacy) {
      Object.assign(headers, legacyRateLimitHeaders(decision.results, Date.now(), this.#legacy));
    }
    return headers;
  }

  async #keyOf(key: RateLimitKey<R>, request: R): Promise<string | undefined> {
    if (key === 'ip') {
      const ip = this.#ipOf(request);
      if (ip !== undefined && ip !== '') return `ip:${ip}`;
      if (!this.#warnedNoAddress) {
        // Said once: a server that never reports addresses would otherwise fill the log.
        this.#warnedNoAddress = true;
        this.#logger?.warn(
          { feature: 'rate-limit' },
          'faultline: a request has no client address, so policies keyed by ip do not apply to it',
        );
      }
      return undefined;
    }
    if (key === 'api-key') {
      const authorization = this.#header(request, 'authorization');
      const raw =
        authorization?.replace(/^Bearer\s+/i, '').trim() ||
        this.#header(request, 'x-api-key')?.trim();
      // Hashed: the store never holds a credential.
      return raw ? `key:${await sha256Base64Url(raw)}` : undefined;
    }
    const value = await key(request);
    return value === undefined ? undefined : `fn:${value}`;
  }
}
