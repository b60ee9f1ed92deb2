export type { TrafficCatalog } from '../ratelimit/catalog.js';
export { trafficCatalog, trafficDefinition } from '../ratelimit/catalog.js';
export type { ErrorResponder, FetchMiddleware } from '../ratelimit/fetch.js';
export { composeMiddleware } from '../ratelimit/fetch.js';
export type { IdempotencySummary } from './describe.js';
export { describeIdempotency } from './describe.js';
export type { FingerprintBody, FingerprintInput } from './fingerprint.js';
export {
  canonicalJson,
  MAX_CANONICAL_DEPTH,
  requestFingerprint,
  scopeKeyOf,
  sha256Base64Url,
  webSha256Base64Url,
} from './fingerprint.js';
export type { BeginResult, IdempotencyGuardOptions, IdempotencyMetrics } from './guard.js';
export { IdempotencyGuard } from './guard.js';
export type { IdempotencyOptions, Prepared, RequestView } from './http.js';
export { claimError, IdempotencyRoute, replayHeaders, storableHeaders } from './http.js';
export type { ParsedIdempotencyKey } from './key.js';
export { MAX_IDEMPOTENCY_KEY_LENGTH, parseIdempotencyKey } from './key.js';
export type { MemoryIdempotencyStoreOptions } from './memory.js';
export { MemoryIdempotencyStore } from './memory.js';
export type {
  FetchIdempotencyOptions,
  HookIdempotencyOptions,
  IdempotencyHook,
  IdempotencyMiddleware,
} from './middleware.js';
export { idempotency, idempotencyHook, idempotencyTransaction } from './middleware.js';
export type {
  ClaimResult,
  IdempotencyStore,
  Lease,
  StoredResponse,
  TransactionalIdempotencyStore,
} from './types.js';
export {
  checkClaim,
  DEFAULT_LEASE_MS,
  DEFAULT_RETENTION_MS,
  IDEMPOTENCY_DEFAULTS,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  isTransactionalStore,
  newToken,
} from './types.js';
