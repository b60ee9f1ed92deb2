import type { ApiError } from '../error.js';
import { discord } from './discord.js';
import { google } from './google.js';
import { jan } from './jan.js';
import { problem } from './problem.js';
import { s2 } from './s2.js';
import { sequin } from './sequin.js';
import type { EncodedError, EncodeOptions, FormatId, WireFormat } from './types.js';

/**
 * Every wire format, by id.
 *
 * @example
 * ```ts
 * formats.discord.body(err); // { code: 50014, message: 'Invalid authentication token' }
 * ```
 */
export const formats: Readonly<Record<FormatId, WireFormat>> = Object.freeze({
  problem,
  s2,
  sequin,
  discord,
  jan,
  google,
});

/**
 * The order detection asks the formats in; on equal scores the earlier one wins. The most
 * distinctive shapes come first, the loosest (`{code, message}`) last.
 */
export const DETECTION_ORDER: readonly WireFormat[] = [problem, google, jan, sequin, discord, s2];

/** The format for an id or a format object, or `undefined` when it is neither. */
export function resolveFormat(format: unknown): WireFormat | undefined {
  if (typeof format === 'string') {
    return Object.hasOwn(formats, format) ? formats[format as FormatId] : undefined;
  }
  if (
    typeof format === 'object' &&
    format !== null &&
    typeof (format as WireFormat).decode === 'function' &&
    typeof (format as WireFormat).id === 'string'
  ) {
    return format as WireFormat;
  }
  return undefined;
}

/**
 * Encodes an error as a response: status, headers (`content-type`, `retry-after` when the
 * error has a retry hint, `x-request-id` when a request id is known, then the error's own
 * headers) and the JSON text of the body.
 *
 * @param format - a format id or object (default `'problem'`).
 * @example
 * ```ts
 * const { status, headers, body } = encode(orders.create('out_of_stock', { available: 2 }));
 * ```
 * @throws {TypeError} when `format` is not a known format.
 */
export function encode(
  error: ApiError,
  format: FormatId | WireFormat = 'problem',
  options?: EncodeOptions,
): EncodedError {
  const wire = typeof format === 'string' ? resolveFormat(format) : format;
  if (wire === undefined || typeof wire.encode !== 'function') {
    throw new TypeError(`Unknown wire format ${JSON.stringify(String(format))}`);
  }
  return wire.encode(error, options);
}
