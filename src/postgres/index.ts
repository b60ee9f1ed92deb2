export type { PostgresIdempotencyStoreOptions } from './idempotency.js';
export { idempotencySchemaSql, PostgresIdempotencyStore } from './idempotency.js';
export type { PostgresRateLimitStoreOptions } from './ratelimit.js';
export { PostgresRateLimitStore, rateLimitSchemaSql } from './ratelimit.js';
export type { PgPoolClientLike, PgPoolLike, PgQueryable } from './sql.js';
