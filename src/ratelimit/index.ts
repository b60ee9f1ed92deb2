export type { TrafficCatalog } from './catalog.js';
export { QUOTA_EXCEEDED_TYPE, trafficCatalog, trafficDefinition } from './catalog.js';
export type { RateLimitPolicySummary, RateLimitSummary } from './describe.js';
export { describeRateLimit } from './describe.js';
export type { ErrorResponder, FetchMiddleware } from './fetch.js';
export { composeMiddleware, problemResponse, withHeaders } from './fetch.js';
export type { NormalizedPolicy } from './gcra.js';
export { defaultPolicyName, gcraRefund, gcraStep, normalizePolicy } from './gcra.js';
export type { GuardCounters, GuardEvent, GuardedFeature, GuardLogger } from './guard.js';
export { StoreUnavailableError } from './guard.js';
export type { LegacyReset } from './headers.js';
export {
  advertisedQuota,
  legacyRateLimitHeaders,
  mostRestrictive,
  rateLimitHeader,
  rateLimitPolicyHeader,
  retryAfterSeconds,
} from './headers.js';
export type {
  LimiterVerdict,
  RateLimiterMetrics,
  RateLimiterOptions,
  StoreFailureMode,
} from './limiter.js';
export { DEFAULT_PROBE_INTERVAL_MS, DEFAULT_STORE_TIMEOUT_MS, RateLimiter } from './limiter.js';
export type { MemoryRateLimitStoreOptions } from './memory.js';
export { DEFAULT_MEMORY_MAX_KEYS, MemoryRateLimitStore } from './memory.js';
export type {
  FetchRateLimitOptions,
  HookRateLimitOptions,
  RateLimitHook,
  RateLimitMiddleware,
} from './middleware.js';
export { isReplay, rateLimit, rateLimitHook } from './middleware.js';
export type {
  RateLimitErrorFactory,
  RateLimitKey,
  RateLimitOptions,
  RateLimitOutcome,
  RateLimitRule,
} from './rules.js';
export { RateLimitRules, trafficRateLimitError } from './rules.js';
export type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitPolicy,
  RateLimitResult,
  RateLimitStore,
} from './types.js';
