import type { Catalog, CreateOptions } from '../core/catalog.js';
import type { ApiError } from '../core/error.js';
import type { Entry } from '../core/types.js';
import { encode, type FormatId } from '../core/wire/index.js';
import { sampleValue } from './sample.js';

/** The wire formats example bodies can be shown in. */
export type WireFormatId = FormatId;

/** An example HTTP response for one code: status, headers and the body as JSON text. */
export interface ExampleResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body, pretty-printed; empty when the format sends none. */
  readonly body: string;
}

/** The request id every example carries, so readers can see where it goes. */
export const EXAMPLE_REQUEST_ID = 'req_01HZX3Q8M5W2';

/** The error an example shows: sample details, a request id, and field errors on a 422. */
export function exampleError(catalog: Catalog<any>, entry: Entry): ApiError {
  const options: CreateOptions = { requestId: EXAMPLE_REQUEST_ID };
  const retryAfter = entry.retryAfter ?? (entry.status === 429 || entry.pending ? 30 : undefined);
  if (retryAfter !== undefined) options.retryAfter = retryAfter;
  if (entry.status === 422) {
    options.fieldErrors = [
      { path: ['email'], message: 'must be an email address', code: 'INVALID_FORMAT' },
    ];
  }
  const details = entry.details ? sampleValue(entry.details) : undefined;
  return (catalog as Catalog).create(entry.code as never, details as never, options);
}

/** A fixed clock, so the reference reads the same on every run. */
const EXAMPLE_TIME = new Date('2025-01-01T12:00:00.000Z');

/** The example response of `entry` in wire format `format`, its body pretty-printed. */
export function exampleResponse(
  catalog: Catalog<any>,
  entry: Entry,
  format: WireFormatId,
): ExampleResponse {
  const encoded = encode(exampleError(catalog, entry), format, {
    catalog,
    now: () => EXAMPLE_TIME,
  });
  return {
    status: encoded.status,
    headers: encoded.headers,
    body: encoded.body === '' ? '' : JSON.stringify(JSON.parse(encoded.body), null, 2),
  };
}
