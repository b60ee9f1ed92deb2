import type { ApiError, FieldError } from '../error.js';
import {
  defineFormat,
  dottedPath,
  emptyFields,
  isRecord,
  JSON_CONTENT_TYPE,
  MAX_FIELD_ERRORS,
  misfit,
  parseDotted,
  readCode,
  readSharedMembers,
  spreadDetails,
} from './shared.js';
import type { EncodeOptions, WireFields, WireFormat } from './types.js';

const KNOWN = new Set(['summary', 'code', 'validation_errors', 'request_id', 'retry_after']);

function body(error: ApiError, _options?: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { summary: error.message };
  const { code, status } = error;
  // Sequin's codes are its HTTP statuses; a body stays pure unless the code says more.
  if (code !== status && code !== String(status)) out.code = code;
  const fieldErrors = error.fieldErrors;
  if (fieldErrors !== undefined && fieldErrors.length > 0) {
    // A null-prototype map, so that a field named `__proto__` stays a field.
    const byField: Record<string, string[]> = Object.create(null);
    for (const item of fieldErrors) {
      const field = dottedPath(item.path);
      const reasons = byField[field];
      if (reasons === undefined) byField[field] = [item.message];
      else reasons.push(item.message);
    }
    out.validation_errors = byField;
  }
  spreadDetails(out, error, KNOWN);
  return out;
}

function detect(body: Record<string, unknown>): number {
  return typeof body.summary === 'string' ? 70 : 0;
}

function readValidationErrors(value: Record<string, unknown>): FieldError[] {
  const out: FieldError[] = [];
  for (const field of Object.keys(value)) {
    const reasons = value[field];
    const list = Array.isArray(reasons) ? reasons : [reasons];
    const path = parseDotted(field);
    for (const reason of list) {
      if (out.length >= MAX_FIELD_ERRORS) return out;
      if (typeof reason === 'string') out.push({ path, message: reason });
    }
  }
  return out;
}

function decode(body: Record<string, unknown>): WireFields {
  const fields = emptyFields();
  const { summary, code, validation_errors } = body;
  if (typeof summary === 'string') fields.message = summary;
  else misfit(fields, 'summary', summary);
  readCode(fields, code);
  if (isRecord(validation_errors)) fields.fieldErrors = readValidationErrors(validation_errors);
  else misfit(fields, 'validation_errors', validation_errors);
  return readSharedMembers(fields, body, KNOWN);
}

/**
 * Sequin's body: `{summary, validation_errors?: {field: [reasons]}, ...details}`, with nested
 * field paths joined by `.`. A `code` member appears only when the code is not the HTTP
 * status (Sequin's own codes are its statuses, so its bodies stay as Sequin sends them).
 *
 * @example
 * ```ts
 * sequin.body(err); // { summary: 'Validation failed', validation_errors: { name: ['is required'] } }
 * ```
 */
export const sequin: WireFormat = defineFormat({
  id: 'sequin',
  contentType: JSON_CONTENT_TYPE,
  body,
  detect,
  decode,
});
