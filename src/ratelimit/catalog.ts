import { type Catalog, defineCatalog } from '../core/catalog.js';
import { t } from '../core/schema.js';

/** Problem type of a request refused by a quota policy (draft-ietf-httpapi-ratelimit-headers). */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/**
 * The errors that rate limiting and idempotency keys answer with. The draft on the
 * `Idempotency-Key` header defines the statuses (400, 409, 422) but registers no problem types
 * for them, so these entries carry faultline's own type URIs next to the IETF quota type.
 *
 * Teams may merge it into their catalog (`extendCatalog`) to list these errors in their docs.
 */
export const trafficDefinition = {
  name: 'faultline-traffic',
  title: 'Rate limits and idempotency keys',
  description:
    'Refusals by the rate limiter and the idempotency-key guard, and the answer when their store cannot be reached.',
  typeBase: 'https://faultline.dev/errors#',
  entries: {
    rate_limited: {
      name: 'RateLimited',
      title: 'Quota exceeded',
      status: 429,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Too many requests: a quota of this client is used up',
      type: QUOTA_EXCEEDED_TYPE,
      details: { 'violated-policies': t.array(t.string()) },
      meaning:
        'The caller spent its quota under at least one policy; the request was refused before it ran.',
      fix: 'Wait for `Retry-After` (also `retry_after` in the body), then send the same request again. The `RateLimit` header tells how much quota is left.',
    },
    store_unavailable: {
      name: 'StoreUnavailable',
      title: 'Guard store unavailable',
      status: 503,
      retry: 'yes',
      sideEffect: 'no',
      message: 'The request could not be checked and was not processed',
      retryAfter: 1,
      meaning:
        'The store behind rate limiting or idempotency keys did not answer in time, and the server is set to refuse rather than guess. Nothing ran.',
      fix: 'Retry after `Retry-After`, with the same idempotency key.',
    },
    idempotency_key_missing: {
      name: 'IdempotencyKeyMissing',
      title: 'Idempotency-Key is missing',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'This operation requires an Idempotency-Key header',
      meaning: 'The endpoint only accepts requests that carry an idempotency key.',
      fix: 'Send a unique `Idempotency-Key` (a UUID) with the request, and the same key on every retry of it.',
    },
    idempotency_key_invalid: {
      name: 'IdempotencyKeyInvalid',
      title: 'Idempotency-Key is malformed',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'The Idempotency-Key header must hold 1 to 255 visible ASCII characters',
      meaning: 'The idempotency key is empty, too long, or holds characters that are not allowed.',
      fix: 'Use a UUID, sent bare or as a quoted string.',
    },
    idempotency_key_in_flight: {
      name: 'IdempotencyKeyInFlight',
      title: 'A request with this Idempotency-Key is in progress',
      status: 409,
      retry: 'yes',
      sideEffect: 'no',
      message: 'A request with the same Idempotency-Key is still being processed',
      retryAfter: 1,
      meaning:
        'An earlier request with this key has not finished. This one was not processed; the first may still take effect.',
      fix: 'Retry later with the same key and payload: once the first request finishes, its response is replayed.',
    },
    idempotency_key_mismatch: {
      name: 'IdempotencyKeyMismatch',
      title: 'Idempotency-Key reused with another payload',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      message: 'This Idempotency-Key was used for a different request',
      meaning:
        'The key was already used with another body (or other fingerprinted headers) on this method and path.',
      fix: 'Use a new key for a new request; reuse a key only to retry the very same request.',
    },
  },
} as const;

/**
 * The catalog of {@link trafficDefinition}.
 *
 * @example
 * ```ts
 * throw trafficCatalog.create('idempotency_key_missing');
 * ```
 */
export const trafficCatalog: Catalog<typeof trafficDefinition> = defineCatalog(trafficDefinition);

/** The type of {@link trafficCatalog}. */
export type TrafficCatalog = typeof trafficCatalog;
