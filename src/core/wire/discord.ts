import type { ApiError, FieldError } from '../error.js';
import {
  defineFormat,
  emptyFields,
  isRecord,
  JSON_CONTENT_TYPE,
  MAX_FIELD_ERRORS,
  misfit,
  parseDotted,
  readCode,
  readSharedMembers,
  retryAfterOf,
  segment,
  spreadDetails,
} from './shared.js';
import type { EncodeOptions, WireFields, WireFormat } from './types.js';

const KNOWN = new Set(['code', 'message', 'errors', 'retry_after', 'request_id']);

/** The errors tree: field → … → `{_errors: [{code, message}]}`. */
function errorTree(fieldErrors: readonly FieldError[]): Record<string, unknown> {
  // Null-prototype nodes, so that a field named `__proto__` is a field and not a prototype.
  const root: Record<string, any> = Object.create(null);
  for (const item of fieldErrors) {
    let node = root;
    for (const part of item.path) {
      const key = String(part);
      // `_errors` holds a node's own errors; a field of that name cannot nest below it, so
      // its errors attach to the parent.
      if (key === '_errors') break;
      let child = node[key];
      if (child === undefined) {
        child = Object.create(null);
        node[key] = child;
      }
      node = child;
    }
    const leaf =
      item.code === undefined
        ? { message: item.message }
        : { code: item.code, message: item.message };
    if (node._errors === undefined) node._errors = [leaf];
    else node._errors.push(leaf);
  }
  return root;
}

function body(error: ApiError, _options?: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { code: error.code, message: error.message };
  const fieldErrors = error.fieldErrors;
  if (fieldErrors !== undefined && fieldErrors.length > 0) out.errors = errorTree(fieldErrors);
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) out.retry_after = retryAfter;
  spreadDetails(out, error, KNOWN);
  return out;
}

function detect(body: Record<string, unknown>): number {
  const { code, message } = body;
  if (typeof code !== 'number' && typeof code !== 'string') return 0;
  if (isRecord(body.errors)) return 60;
  const hasMessage = typeof message === 'string';
  if (typeof code === 'number') return hasMessage ? 50 : 20;
  return hasMessage ? 30 : 0;
}

function walk(node: Record<string, unknown>, path: (string | number)[], out: FieldError[]): void {
  for (const key of Object.keys(node)) {
    if (out.length >= MAX_FIELD_ERRORS) return;
    const value = node[key];
    if (key === '_errors' && Array.isArray(value)) {
      for (const item of value) {
        if (out.length >= MAX_FIELD_ERRORS) return;
        if (!isRecord(item) || typeof item.message !== 'string') continue;
        const code = item.code;
        out.push(
          typeof code === 'string' || typeof code === 'number'
            ? { path, message: item.message, code: String(code) }
            : { path, message: item.message },
        );
      }
    } else if (isRecord(value)) {
      walk(value, [...path, segment(key)], out);
    }
  }
}

function readErrors(value: Record<string, unknown>): FieldError[] {
  const out: FieldError[] = [];
  walk(value, [], out);
  return out;
}

/** Field errors from an S2-style list, which some Discord-like APIs send instead of a tree. */
function readList(value: unknown[]): FieldError[] {
  const out: FieldError[] = [];
  for (const item of value) {
    if (out.length >= MAX_FIELD_ERRORS) break;
    if (!isRecord(item) || typeof item.message !== 'string') continue;
    const path = Array.isArray(item.path)
      ? item.path.filter((part) => typeof part === 'string' || typeof part === 'number')
      : typeof item.field === 'string'
        ? parseDotted(item.field)
        : [];
    out.push(
      typeof item.code === 'string'
        ? { path, message: item.message, code: item.code }
        : { path, message: item.message },
    );
  }
  return out;
}

function decode(body: Record<string, unknown>): WireFields {
  const fields = emptyFields();
  const { code, message, errors } = body;
  readCode(fields, code);
  if (typeof message === 'string') fields.message = message;
  else misfit(fields, 'message', message);
  if (isRecord(errors)) fields.fieldErrors = readErrors(errors);
  else if (Array.isArray(errors)) fields.fieldErrors = readList(errors);
  else misfit(fields, 'errors', errors);
  // `global` (a rate limit for the whole application) is an ordinary detail member.
  return readSharedMembers(fields, body, KNOWN);
}

/**
 * Discord's body: `{code, message, errors?, retry_after?, ...details}` with numeric codes such
 * as 50014, field errors as a nested `errors` object whose leaves are
 * `{_errors: [{code, message}]}` (array indexes as keys), and `retry_after` in seconds, which
 * may be fractional. A field named `_errors` cannot be told apart from a node's own list, so
 * its errors attach to the parent field.
 *
 * @example
 * ```ts
 * discord.body(err); // { code: 50014, message: 'Invalid authentication token' }
 * ```
 */
export const discord: WireFormat = defineFormat({
  id: 'discord',
  contentType: JSON_CONTENT_TYPE,
  body,
  detect,
  decode,
});
