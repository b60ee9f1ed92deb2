import type { Catalog } from '../catalog.js';
import type { ApiError, FieldError } from '../error.js';
import { reasonPhrase } from '../http.js';
import {
  codeOf,
  defineFormat,
  emptyFields,
  entryOf,
  fieldError,
  isRecord,
  MAX_FIELD_ERRORS,
  misfit,
  parseDotted,
  parsePointer,
  pointerOf,
  requestIdOf,
  retryAfterOf,
  secondsOf,
  spreadDetails,
} from './shared.js';
import type { EncodeOptions, WireFields, WireFormat } from './types.js';

const KNOWN = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'request_id',
  'retry_after',
  'errors',
]);

function body(error: ApiError, options?: EncodeOptions): Record<string, unknown> {
  const status = error.status;
  const type = error.type ?? entryOf(error, options)?.type ?? 'about:blank';
  // RFC 9457: with about:blank the title should be the status phrase.
  const title =
    type === 'about:blank' ? reasonPhrase(status) : (error.title ?? reasonPhrase(status));
  const out: Record<string, unknown> = { type, title, status, detail: error.message };
  if (error.instance !== undefined) out.instance = error.instance;
  out.code = error.code;
  const requestId = requestIdOf(error, options);
  if (requestId !== undefined) out.request_id = requestId;
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) out.retry_after = retryAfter;
  const fieldErrors = error.fieldErrors;
  if (fieldErrors !== undefined && fieldErrors.length > 0) {
    out.errors = fieldErrors.map((item) =>
      item.code === undefined
        ? { pointer: pointerOf(item.path), detail: item.message }
        : { pointer: pointerOf(item.path), detail: item.message, code: item.code },
    );
  }
  spreadDetails(out, error, KNOWN);
  return out;
}

const PROBLEM_TYPE = 'application/problem+json';

/** Whether a content type is problem+json, ignoring ASCII case, without allocating. */
function isProblemType(contentType: string): boolean {
  // Cheap rejections first: most responses are `application/json`.
  if (contentType.length < PROBLEM_TYPE.length || (contentType.charCodeAt(12) | 0x20) !== 112) {
    return false;
  }
  for (let i = 0; i < PROBLEM_TYPE.length; i++) {
    if ((contentType.charCodeAt(i) | 0x20) !== (PROBLEM_TYPE.charCodeAt(i) | 0x20)) return false;
  }
  const next = contentType.charCodeAt(PROBLEM_TYPE.length);
  // The type ends there, or parameters follow (`; charset=utf-8`).
  return Number.isNaN(next) || next === 59 || next === 32 || next === 9;
}

function detect(
  body: Record<string, unknown>,
  _status: number,
  contentType: string | undefined,
): number {
  if (contentType !== undefined && isProblemType(contentType)) return 100;
  let members = 0;
  if (typeof body.type === 'string') members++;
  if (typeof body.title === 'string') members++;
  if (typeof body.detail === 'string') members++;
  if (typeof body.status === 'number') members++;
  if (typeof body.instance === 'string') members++;
  return members >= 2 ? 55 + members : 0;
}

function readErrors(value: unknown[]): FieldError[] {
  const out: FieldError[] = [];
  for (const item of value) {
    if (out.length >= MAX_FIELD_ERRORS) break;
    if (!isRecord(item)) continue;
    const where = item.pointer ?? item.field;
    const path =
      typeof where !== 'string'
        ? []
        : typeof item.pointer === 'string'
          ? parsePointer(where)
          : parseDotted(where);
    const error = fieldError(path, item.detail ?? item.message, item.code);
    if (error !== undefined) out.push(error);
  }
  return out;
}

function decode(
  body: Record<string, unknown>,
  _status: number,
  catalog?: Catalog<any>,
): WireFields {
  const fields = emptyFields();
  const { type, title, detail, instance, code, request_id, retry_after, errors } = body;
  if (typeof type === 'string') {
    fields.type = type;
    if (catalog !== undefined && type !== 'about:blank' && codeOf(code) === undefined) {
      const entry = catalog.getByType(type);
      if (entry !== undefined) fields.entry = entry;
    }
  } else misfit(fields, 'type', type);
  if (typeof title === 'string') fields.title = title;
  else misfit(fields, 'title', title);
  if (typeof detail === 'string') fields.message = detail;
  else misfit(fields, 'detail', detail);
  if (typeof instance === 'string') fields.instance = instance;
  else misfit(fields, 'instance', instance);
  const wireCode = codeOf(code);
  if (wireCode !== undefined) fields.code = wireCode;
  else misfit(fields, 'code', code);
  if (typeof request_id === 'string') fields.requestId = request_id;
  else misfit(fields, 'request_id', request_id);
  const retryAfter = secondsOf(retry_after);
  if (retryAfter !== undefined) fields.retryAfter = retryAfter;
  else misfit(fields, 'retry_after', retry_after);
  if (Array.isArray(errors)) fields.fieldErrors = readErrors(errors);
  else misfit(fields, 'errors', errors);
  // `status` repeats the HTTP status; the response's own status is the one that counts.
  fields.restOf = body;
  fields.restKnown = KNOWN;
  return fields;
}

/**
 * RFC 9457 problem details (`application/problem+json`), the default format: `type`, `title`,
 * `status`, `detail` (the message), `instance`, plus the extension members `code`,
 * `request_id`, `retry_after`, `errors` (`[{pointer, detail, code?}]` with RFC 6901 pointers
 * in URI-fragment form) and every detail as a top-level member.
 *
 * @example
 * ```ts
 * problem.body(err); // { type, title, status: 404, detail: 'No such order', code: 'not_found' }
 * ```
 */
export const problem: WireFormat = defineFormat({
  id: 'problem',
  contentType: 'application/problem+json',
  body,
  detect,
  decode,
});
