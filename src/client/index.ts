export type {
  Client,
  ClientOptions,
  DetailsFor,
  Equivalent,
  Hooks,
  JsonOptions,
  KnownCode,
  RequestOptions,
  RetryOptions,
  Sent,
} from './client.js';
export { createClient } from './client.js';
export type { ClientCode } from './codes.js';
export { CLIENT_ENTRIES, clientError } from './codes.js';
export { decodeError } from './decode.js';
export type { Attempt, Reason, RequestErrorInit } from './errors.js';
export { RequestError } from './errors.js';
export type { Hint } from './hints.js';
export { readHint, readQuota } from './hints.js';
export type {
  BreakerOptions,
  BreakerState,
  BudgetOptions,
  CircuitBreaker,
  Gate,
  Quota,
  RetryBudget,
} from './policy.js';
export { circuitBreaker, gate, retryBudget } from './policy.js';
