import { type Catalog, defineCatalog } from '../core/catalog.js';
import type { Code } from '../core/types.js';

/**
 * The generic errors every HTTP API answers, whatever its own catalog: the codes the five seed
 * APIs share, plus the ones a server framework produces on its own (405, 413, 415, timeouts).
 *
 * Teams extend or override it with {@link extendCatalog}; the server falls back to it for any
 * kind of failure the team's catalog does not name.
 *
 * @example
 * ```ts
 * const api = extendCatalog(baseDefinition, { name: 'orders', entries: { … } });
 * ```
 */
export const baseDefinition = {
  name: 'faultline-base',
  title: 'Generic HTTP errors',
  description:
    'The failures any HTTP API can answer: malformed or unauthorised requests, missing resources, limits and server faults.',
  typeBase: 'https://faultline.dev/errors#',
  entries: {
    bad_request: {
      name: 'BadRequest',
      title: 'Bad request',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request is not valid',
      meaning: 'The request could not be understood: a header, the path or the query is wrong.',
      fix: 'Correct the request before sending it again.',
    },
    bad_json: {
      name: 'BadJson',
      title: 'Malformed JSON',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request body is not valid JSON',
      meaning: 'The body was declared as JSON but could not be parsed (syntax or encoding).',
      fix: 'Send a body that is well-formed UTF-8 JSON.',
    },
    unauthenticated: {
      name: 'Unauthenticated',
      title: 'Unauthenticated',
      status: 401,
      retry: 'no',
      sideEffect: 'no',
      message: 'Authentication is required',
      meaning: 'The credentials are missing, expired or not recognised.',
      fix: 'Send valid credentials.',
    },
    forbidden: {
      name: 'Forbidden',
      title: 'Forbidden',
      status: 403,
      retry: 'no',
      sideEffect: 'no',
      message: 'The caller may not do this',
      meaning: 'The caller is known but lacks the permission this request needs.',
      fix: 'Use an identity that holds the permission, or ask for it to be granted.',
    },
    not_found: {
      name: 'NotFound',
      title: 'Not found',
      status: 404,
      retry: 'no',
      sideEffect: 'no',
      message: 'Nothing was found at this address',
      meaning: 'No route or resource exists under the requested path.',
      fix: 'Check the path and the identifiers in it.',
    },
    method_not_allowed: {
      name: 'MethodNotAllowed',
      title: 'Method not allowed',
      status: 405,
      retry: 'no',
      sideEffect: 'no',
      message: 'This method is not allowed here',
      meaning: 'The path exists but does not answer this HTTP method; `Allow` lists those it does.',
      fix: 'Use one of the methods in the `Allow` header.',
    },
    conflict: {
      name: 'Conflict',
      title: 'Conflict',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'The request conflicts with the current state',
      meaning: 'The target changed or is in a state that does not allow this request.',
      fix: 'Read the current state, then decide whether to send the request again.',
    },
    payload_too_large: {
      name: 'PayloadTooLarge',
      title: 'Payload too large',
      status: 413,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request body is too large',
      meaning: 'The body is longer than this endpoint accepts.',
      fix: 'Send a smaller body, or split the request.',
    },
    unsupported_media_type: {
      name: 'UnsupportedMediaType',
      title: 'Unsupported media type',
      status: 415,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request body has an unsupported media type',
      meaning: 'The `Content-Type` (or its charset or encoding) is not one this endpoint reads.',
      fix: 'Send the body as `application/json`.',
    },
    validation_failed: {
      name: 'ValidationFailed',
      title: 'Validation failed',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      message: 'The request failed validation',
      meaning: 'The request is well-formed but some fields hold values that are not accepted.',
      fix: 'Correct every field listed in the error and send the request again.',
    },
    rate_limited: {
      name: 'RateLimited',
      title: 'Rate limited',
      status: 429,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Too many requests',
      meaning: 'The caller sent more requests than its limit allows; this one was not processed.',
      fix: 'Wait for the time given in `Retry-After`, then retry.',
    },
    internal: {
      name: 'Internal',
      title: 'Internal error',
      status: 500,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'An unexpected error occurred',
      meaning: 'The server failed in a way it did not foresee; the request may have taken effect.',
      fix: 'Retry with backoff, idempotently; quote the request id when reporting it.',
    },
    unavailable: {
      name: 'Unavailable',
      title: 'Service unavailable',
      status: 503,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The service is unavailable',
      meaning: 'The server is overloaded or down for maintenance.',
      fix: 'Retry after the time given in `Retry-After`, or with backoff.',
    },
    timeout: {
      name: 'Timeout',
      title: 'Timed out',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'The request took too long',
      meaning:
        'The handler did not finish within its time limit; its work may still have taken effect.',
      fix: 'Retry with backoff, idempotently.',
    },
  },
} as const;

/** The built-in catalog of generic HTTP errors; see {@link baseDefinition}. */
export const baseCatalog: Catalog<typeof baseDefinition> = defineCatalog(baseDefinition);

/**
 * The kinds of failure a server produces by itself, independent of any handler. Each maps to
 * a code: the team's choice (`codes` option), else the base catalog's code.
 */
export type ErrorKind =
  | 'badRequest'
  | 'badJson'
  | 'unauthenticated'
  | 'forbidden'
  | 'notFound'
  | 'methodNotAllowed'
  | 'conflict'
  | 'payloadTooLarge'
  | 'unsupportedMediaType'
  | 'validation'
  | 'rateLimited'
  | 'internal'
  | 'unavailable'
  | 'timeout';

/** The base catalog code of each {@link ErrorKind}. */
export const BASE_CODES: Readonly<Record<ErrorKind, keyof typeof baseDefinition.entries>> = {
  badRequest: 'bad_request',
  badJson: 'bad_json',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  conflict: 'conflict',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  validation: 'validation_failed',
  rateLimited: 'rate_limited',
  internal: 'internal',
  unavailable: 'unavailable',
  timeout: 'timeout',
};

/** Which team code answers each kind of failure; kinds left out use the base catalog's. */
export type KindCodes = Partial<Readonly<Record<ErrorKind, Code>>>;

/** The kind a bare HTTP status from a framework error stands for. */
export function kindOfStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
      return 'badRequest';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 405:
      return 'methodNotAllowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payloadTooLarge';
    case 415:
      return 'unsupportedMediaType';
    case 422:
      return 'validation';
    case 429:
      return 'rateLimited';
    case 503:
      return 'unavailable';
    case 408:
    case 504:
      return 'timeout';
    default:
      return status >= 500 ? 'internal' : 'badRequest';
  }
}
