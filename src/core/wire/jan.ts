import type { ApiError, FieldError } from '../error.js';
import { reasonPhrase } from '../http.js';
import {
  codeOf,
  defineFormat,
  detailsOf,
  dottedPath,
  emptyFields,
  fieldError,
  hasKeys,
  isRecord,
  JSON_CONTENT_TYPE,
  MAX_FIELD_ERRORS,
  misfit,
  parseDotted,
  readCode,
  readSharedMembers,
  requestIdOf,
  retryAfterOf,
} from './shared.js';
import type { EncodeOptions, WireFields, WireFormat } from './types.js';

const KNOWN = new Set([
  'error',
  'code',
  'message',
  'details',
  'errors',
  'request_id',
  'timestamp',
  'retry_after',
]);

function body(error: ApiError, options?: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    error: reasonPhrase(error.status),
    code: error.code,
    message: error.message,
  };
  const details = detailsOf(error);
  if (details !== undefined && hasKeys(details)) out.details = details;
  const fieldErrors = error.fieldErrors;
  if (fieldErrors !== undefined && fieldErrors.length > 0) {
    out.errors = fieldErrors.map((item) =>
      item.code === undefined
        ? { field: dottedPath(item.path), message: item.message }
        : { field: dottedPath(item.path), message: item.message, code: item.code },
    );
  }
  const requestId = requestIdOf(error, options);
  if (requestId !== undefined) out.request_id = requestId;
  out.timestamp = (options?.now?.() ?? new Date()).toISOString();
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) out.retry_after = retryAfter;
  return out;
}

function detect(body: Record<string, unknown>): number {
  if (typeof body.error !== 'string') return 0;
  return codeOf(body.code) !== undefined || typeof body.message === 'string' ? 80 : 10;
}

function readErrors(value: unknown[]): FieldError[] {
  const out: FieldError[] = [];
  for (const item of value) {
    if (out.length >= MAX_FIELD_ERRORS) break;
    if (!isRecord(item)) continue;
    const path = typeof item.field === 'string' ? parseDotted(item.field) : [];
    const error = fieldError(path, item.message, item.code);
    if (error !== undefined) out.push(error);
  }
  return out;
}

function decode(body: Record<string, unknown>): WireFields {
  const fields = emptyFields();
  const { error, code, message, details, errors } = body;
  // `error` is the status phrase: a title, and the message when the body has no other.
  if (typeof error === 'string') fields.title = error;
  else misfit(fields, 'error', error);
  readCode(fields, code);
  if (typeof message === 'string') fields.message = message;
  else misfit(fields, 'message', message);
  if (isRecord(details)) fields.details = details;
  else misfit(fields, 'details', details);
  if (Array.isArray(errors)) fields.fieldErrors = readErrors(errors);
  else misfit(fields, 'errors', errors);
  // Jan puts some details at the top level (a 429's `limit`, `remaining`, `reset_at`).
  return readSharedMembers(fields, body, KNOWN);
}

/**
 * Jan Server's envelope: `{error: <status phrase>, code, message, details?, errors?:
 * [{field, message, code?}], request_id?, timestamp, retry_after?}`. Decoding also takes
 * extra top-level members (Jan's 429 sends `limit`, `remaining`, `reset_at`) as details; the
 * `timestamp` is the server's clock and is not kept.
 *
 * @example
 * ```ts
 * jan.body(err); // { error: 'Not Found', code: 'RESOURCE_NOT_FOUND', message: '…', timestamp: '…' }
 * ```
 */
export const jan: WireFormat = defineFormat({
  id: 'jan',
  contentType: JSON_CONTENT_TYPE,
  body,
  detect,
  decode,
});
