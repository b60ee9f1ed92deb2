import type { ApiError } from '../core/error.js';
import { trafficCatalog } from '../ratelimit/catalog.js';
import { type FingerprintBody, requestFingerprint, scopeKeyOf } from './fingerprint.js';
import type { BeginResult, IdempotencyGuard, IdempotencyGuardOptions } from './guard.js';
import { parseIdempotencyKey } from './key.js';
import { IDEMPOTENCY_KEY_HEADER, type StoredResponse } from './types.js';

/** Options of idempotency keys, whatever the server. */
export interface IdempotencyOptions<R> extends IdempotencyGuardOptions {
  /** Refuse requests without a key with 400 (default `false`: they run unguarded). */
  readonly required?: boolean;
  /** The methods guarded (default `POST` and `PATCH`, the non-idempotent ones). */
  readonly methods?: readonly string[];
  /** The request header holding the key (default `Idempotency-Key`). */
  readonly header?: string;
  /**
   * Whose key it is: keys of different tenants never meet. Default: the `Authorization` or
   * `X-API-Key` header (hashed with the rest of the scope), else one shared tenant.
   */
  readonly tenant?: (request: R) => string | undefined | Promise<string | undefined>;
  /** Request headers that are part of the fingerprint along with the body (default none). */
  readonly fingerprintHeaders?: readonly string[];
  /** A guard to share between routes (its store, lease, retention and metrics). */
  readonly guard?: IdempotencyGuard;
}

/** How a server exposes one request to the idempotency logic. */
export interface RequestView {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  header(name: string): string | undefined;
  body(): Promise<FingerprintBody | undefined>;
}

/** What to do with one request before the store is asked. */
export type Prepared =
  | { readonly kind: 'pass' }
  | { readonly kind: 'refuse'; readonly error: ApiError }
  | { readonly kind: 'keyed'; readonly scopeKey: string; readonly fingerprint: string };

/** The idempotency settings of a route, resolved. */
export class IdempotencyRoute<R> {
  readonly #required: boolean;
  readonly #methods: ReadonlySet<string>;
  readonly #header: string;
  readonly #tenant: IdempotencyOptions<R>['tenant'];
  readonly #fingerprintHeaders: readonly string[];

  constructor(options: IdempotencyOptions<R>) {
    this.#required = options.required ?? false;
    this.#methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()));
    this.#header = options.header ?? IDEMPOTENCY_KEY_HEADER;
    this.#tenant = options.tenant;
    this.#fingerprintHeaders = options.fingerprintHeaders ?? [];
  }

  /** Reads the key, scopes it and fingerprints the request. */
  async prepare(request: R, view: RequestView): Promise<Prepared> {
    const method = view.method.toUpperCase();
    if (!this.#methods.has(method)) return { kind: 'pass' };
    const parsed = parseIdempotencyKey(view.header(this.#header));
    if (parsed.kind === 'missing') {
      return this.#required
        ? { kind: 'refuse', error: trafficCatalog.create('idempotency_key_missing') }
        : { kind: 'pass' };
    }
    if (parsed.kind === 'invalid') {
      return { kind: 'refuse', error: trafficCatalog.create('idempotency_key_invalid') };
    }
    const tenant =
      (this.#tenant ? await this.#tenant(request) : undefined) ??
      view.header('authorization') ??
      view.header('x-api-key') ??
      '';
    const [scopeKey, fingerprint] = await Promise.all([
      scopeKeyOf(tenant, method, view.path, parsed.key),
      view.body().then((body) =>
        requestFingerprint({
          method,
          path: view.path,
          query: view.query,
          headers: this.#fingerprintHeaders.map((name) => view.header(name)),
          body,
        }),
      ),
    ]);
    return { kind: 'keyed', scopeKey, fingerprint };
  }
}

/** The error a refused claim answers with; `undefined` when the request may run or replay. */
export function claimError(begun: BeginResult): ApiError | undefined {
  switch (begun.kind) {
    case 'unavailable':
      return trafficCatalog.create('store_unavailable');
    case 'in-flight':
      return trafficCatalog.create('idempotency_key_in_flight');
    case 'mismatch':
      return trafficCatalog.create('idempotency_key_mismatch');
    default:
      return undefined;
  }
}

/**
 * Response headers that describe one exchange rather than the result, so they are not stored
 * for replay: hop-by-hop fields, the date and length, the request id, and the quota fields
 * (the rate limiter sets fresh ones on the replay).
 */
const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'date',
  'content-length',
  'x-request-id',
  'ratelimit',
  'ratelimit-policy',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'idempotent-replayed',
]);

/** The headers of a response worth replaying, names in lower case. */
export function storableHeaders(
  headers: Iterable<readonly [string, string]>,
): (readonly [string, string])[] {
  const out: (readonly [string, string])[] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!NOT_STORED.has(lower)) out.push([lower, value]);
  }
  return out;
}

/** The headers of a replay: the stored ones plus `Idempotent-Replayed: true`. */
export function replayHeaders(response: StoredResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    // Several values of one field (only set-cookie in practice) are joined as HTTP allows.
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  headers['idempotent-replayed'] = 'true';
  return headers;
}
