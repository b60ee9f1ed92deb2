export type {
  IoRedisLike,
  NodeRedisLike,
  RedisArgument,
  RedisClientLike,
  RedisCommander,
  RedisScriptOptions,
} from './client.js';
export { isNoScriptError, RedisScript, RedisVersionError, toRedisCommander } from './client.js';
export type { RedisIdempotencyStoreOptions } from './idempotency.js';
export {
  CLAIM_LUA,
  COMPLETE_LUA,
  decodeResponse,
  encodeResponse,
  RELEASE_LUA,
  RedisIdempotencyStore,
} from './idempotency.js';
export type { RedisRateLimitStoreOptions } from './ratelimit.js';
export { GCRA_LUA, RedisRateLimitStore } from './ratelimit.js';
