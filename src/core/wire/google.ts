import type { Catalog } from '../catalog.js';
import type { ApiError, FieldError } from '../error.js';
import {
  bracketPath,
  defineFormat,
  detailsOf,
  emptyFields,
  fieldError,
  hasKeys,
  isIndex,
  isRecord,
  JSON_CONTENT_TYPE,
  MAX_FIELD_ERRORS,
  misfit,
  parseBracket,
  requestIdOf,
  retryAfterOf,
  secondsOf,
} from './shared.js';
import type { EncodeOptions, WireFields, WireFormat } from './types.js';

const TYPE_PREFIX = 'type.googleapis.com/';
const ERROR_INFO = `${TYPE_PREFIX}google.rpc.ErrorInfo`;
const RETRY_INFO = `${TYPE_PREFIX}google.rpc.RetryInfo`;
const BAD_REQUEST = `${TYPE_PREFIX}google.rpc.BadRequest`;
const REQUEST_INFO = `${TYPE_PREFIX}google.rpc.RequestInfo`;
const STRUCT = `${TYPE_PREFIX}google.protobuf.Struct`;

/** Detail items read from one body at most. */
const MAX_DETAIL_ITEMS = 64;

const CANONICAL: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  416: 'OUT_OF_RANGE',
  422: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
  507: 'RESOURCE_EXHAUSTED',
};

/**
 * The canonical `google.rpc.Code` name for an HTTP status, following Google's HTTP mapping;
 * other 4xx are `FAILED_PRECONDITION`, other 5xx `INTERNAL`, anything below 400 `OK`.
 */
export function canonicalCode(status: number): string {
  return (
    CANONICAL[status] ?? (status >= 500 ? 'INTERNAL' : status >= 400 ? 'FAILED_PRECONDITION' : 'OK')
  );
}

/** A protobuf `Duration` in its JSON form: decimal seconds with an `s` suffix. */
function duration(seconds: number): string {
  if (Number.isInteger(seconds)) return `${seconds}s`;
  const fixed = seconds.toFixed(9);
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 48) end--;
  return `${fixed.slice(0, end)}s`;
}

function readDuration(value: unknown): number | undefined {
  if (typeof value === 'string' && value.endsWith('s')) return secondsOf(value.slice(0, -1));
  if (isRecord(value)) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    return secondsOf(seconds + nanos / 1e9);
  }
  return undefined;
}

function body(error: ApiError, options?: EncodeOptions): Record<string, unknown> {
  const status = error.status;
  const items: Record<string, unknown>[] = [];
  const info: Record<string, unknown> = { '@type': ERROR_INFO, reason: String(error.code) };
  const domain = options?.catalog?.name;
  if (domain !== undefined) info.domain = domain;
  const details = detailsOf(error);
  if (details !== undefined) {
    // ErrorInfo metadata is a string map; the typed details travel in the Struct below.
    let metadata: Record<string, string> | undefined;
    for (const key in details) {
      if (!Object.hasOwn(details, key) || key === '__proto__') continue;
      const value = details[key];
      const type = typeof value;
      if (type !== 'string' && type !== 'number' && type !== 'boolean') continue;
      if (metadata === undefined) metadata = {};
      metadata[key] = String(value);
    }
    if (metadata !== undefined) info.metadata = metadata;
  }
  items.push(info);
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined)
    items.push({ '@type': RETRY_INFO, retryDelay: duration(retryAfter) });
  const fieldErrors = error.fieldErrors;
  if (fieldErrors !== undefined && fieldErrors.length > 0) {
    items.push({
      '@type': BAD_REQUEST,
      fieldViolations: fieldErrors.map((item) =>
        item.code === undefined
          ? { field: bracketPath(item.path), description: item.message }
          : { field: bracketPath(item.path), description: item.message, reason: item.code },
      ),
    });
  }
  const requestId = requestIdOf(error, options);
  if (requestId !== undefined) items.push({ '@type': REQUEST_INFO, requestId });
  if (details !== undefined && hasKeys(details)) items.push({ '@type': STRUCT, value: details });
  return {
    error: { code: status, message: error.message, status: canonicalCode(status), details: items },
  };
}

function detect(body: Record<string, unknown>): number {
  const error = body.error;
  if (!isRecord(error)) return 0;
  return typeof error.code === 'number' ||
    typeof error.status === 'string' ||
    typeof error.message === 'string'
    ? 90
    : 0;
}

function readViolations(value: unknown, out: FieldError[]): void {
  if (!Array.isArray(value)) return;
  for (const item of value) {
    if (out.length >= MAX_FIELD_ERRORS) return;
    if (!isRecord(item)) continue;
    const path = typeof item.field === 'string' ? parseBracket(item.field) : [];
    const error = fieldError(path, item.description, item.reason);
    if (error !== undefined) out.push(error);
  }
}

function decode(
  body: Record<string, unknown>,
  _status: number,
  catalog?: Catalog<any>,
): WireFields {
  const fields = emptyFields();
  for (const key of Object.keys(body)) if (key !== 'error') misfit(fields, key, body[key]);
  const error = body.error;
  if (!isRecord(error)) {
    misfit(fields, 'error', error);
    return fields;
  }
  const { message, details } = error;
  if (typeof message === 'string') fields.message = message;
  else misfit(fields, 'message', message);
  // `code` and `status` restate the HTTP status; the response's own status is the one that counts.
  for (const key of Object.keys(error)) {
    if (key !== 'code' && key !== 'message' && key !== 'status' && key !== 'details') {
      misfit(fields, key, error[key]);
    }
  }
  if (!Array.isArray(details)) {
    misfit(fields, 'details', details);
    return fields;
  }
  const unknownItems: unknown[] = [];
  const fieldErrors: FieldError[] = [];
  const count = Math.min(details.length, MAX_DETAIL_ITEMS);
  for (let i = 0; i < count; i++) {
    const item: unknown = details[i];
    const type = isRecord(item) ? item['@type'] : undefined;
    if (!isRecord(item) || typeof type !== 'string') {
      unknownItems.push(item);
      continue;
    }
    if (type === ERROR_INFO) {
      const reason = item.reason;
      if (typeof reason === 'string' && reason !== '') {
        // ErrorInfo reasons are strings; without a catalog entry, digits are a numeric code.
        fields.code =
          catalog?.get(reason) === undefined && isIndex(reason) ? Number(reason) : reason;
      }
      if (isRecord(item.metadata) && hasKeys(item.metadata)) fields.rest = item.metadata;
    } else if (type === RETRY_INFO) {
      const seconds = readDuration(item.retryDelay);
      if (seconds !== undefined) fields.retryAfter = seconds;
    } else if (type === BAD_REQUEST) {
      readViolations(item.fieldViolations, fieldErrors);
    } else if (type === REQUEST_INFO) {
      if (typeof item.requestId === 'string') fields.requestId = item.requestId;
    } else if (type === STRUCT && isRecord(item.value)) {
      fields.details = item.value;
    } else {
      unknownItems.push(item);
    }
  }
  // The Struct carries the typed details; metadata strings are only a fallback without it.
  if (fields.details !== undefined) fields.rest = undefined;
  if (fieldErrors.length > 0) fields.fieldErrors = fieldErrors;
  if (unknownItems.length > 0) misfit(fields, 'details', unknownItems);
  return fields;
}

/**
 * Google's `google.rpc.Status` JSON: `{error: {code: <HTTP status>, message, status:
 * <canonical code name>, details: [...]}}` with an `ErrorInfo` (reason = the code, domain =
 * the catalog's name, string metadata), `RetryInfo`, `BadRequest` field violations,
 * `RequestInfo` and the typed details as a `google.protobuf.Struct`.
 *
 * @example
 * ```ts
 * google.body(err).error; // { code: 404, message: '…', status: 'NOT_FOUND', details: [...] }
 * ```
 */
export const google: WireFormat = defineFormat({
  id: 'google',
  contentType: JSON_CONTENT_TYPE,
  body,
  detect,
  decode,
});
