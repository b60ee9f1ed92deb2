import { ApiError } from '../core/error.js';
import type { Entry, Retry, SideEffect } from '../core/types.js';

/** Prefix of the problem type URIs of the client's own codes. */
export const CLIENT_TYPE_BASE = 'https://faultline.dev/client#';

/**
 * The client's own codes, for failures no server answered: `[status, retry, side effect,
 * message]`; the name is the code in PascalCase. The status is the one a gateway would send
 * for the same failure. `clientCatalog` (`faultline/client/catalog`) documents these codes
 * with their meaning and fix; a test keeps the two in step.
 */
const DEFINITIONS = {
  connect_error: [503, 'yes', 'no', 'Could not connect'],
  network_error: [502, 'yes', 'maybe', 'The connection failed'],
  timeout: [504, 'yes', 'maybe', 'The attempt timed out'],
  deadline_exceeded: [504, 'yes', 'maybe', 'The deadline passed'],
  circuit_open: [503, 'yes', 'no', 'The circuit is open'],
  throttled: [429, 'yes', 'no', 'Held back by a rate limit'],
  aborted: [499, 'no', 'maybe', 'Aborted by the caller'],
  invalid_response: [502, 'no', 'maybe', 'The response is not JSON'],
} as const satisfies Record<string, readonly [number, Retry, SideEffect, string]>;

/** A code the client gives failures that no server answered. */
export type ClientCode = keyof typeof DEFINITIONS;

/** The runtime entries of the client's codes, shaped as a catalog builds them. */
export const CLIENT_ENTRIES = {} as Record<ClientCode, Entry<ClientCode>>;

for (const code of Object.keys(DEFINITIONS) as ClientCode[]) {
  const [status, retry, sideEffect, message] = DEFINITIONS[code];
  const name = code.replace(/(?:^|_)(.)/g, (_, c: string) => c.toUpperCase());
  CLIENT_ENTRIES[code] = Object.freeze({
    code,
    name,
    status,
    retry,
    sideEffect,
    message,
    title: name,
    details: undefined,
    meaning: undefined,
    fix: undefined,
    type: CLIENT_TYPE_BASE + code,
    ownType: false,
    anchor: code,
    groups: [],
    groupMeanings: {},
    successEquivalent: false,
    notSuccess: undefined,
    pending: false,
    structured: false,
    retryAfter: undefined,
    since: undefined,
    deprecated: undefined,
  });
}

/**
 * An error of one of the client's codes; its side effect is `no` when nothing was sent.
 *
 * @example
 * ```ts
 * clientError('timeout', true).entry?.retry; // 'yes'
 * ```
 */
export function clientError(code: ClientCode, sent: boolean, cause?: unknown): ApiError {
  const entry = CLIENT_ENTRIES[code];
  return new ApiError({
    code,
    status: entry.status,
    message: entry.message,
    entry,
    sideEffect: sent ? entry.sideEffect : 'no',
    cause,
  });
}
