import type { Catalog } from '../catalog.js';
import type { ApiError, FieldError } from '../error.js';
import type { Entry } from '../types.js';
import {
  codeOf,
  defineFormat,
  emptyFields,
  entryOf,
  fieldError,
  hasKeys,
  isRecord,
  JSON_CONTENT_TYPE,
  MAX_FIELD_ERRORS,
  misfit,
  NO_MEMBERS,
  parseDotted,
  readCode,
  readSharedMembers,
  spreadDetails,
} from './shared.js';
import type { EncodeOptions, WireFields, WireFormat } from './types.js';

const KNOWN = new Set(['code', 'message', 'errors', 'request_id', 'retry_after']);

/**
 * The codes given to S2's structured bodies when no catalog says otherwise: the member name
 * for the two 412 bodies, and `range_not_satisfiable` for the 416 `tail` body (S2 titles it
 * "Read Range Not Satisfiable"; `tail` is a position, not a reason).
 */
export const S2_STRUCTURED_CODES = Object.freeze({
  fencing_token_mismatch: 'fencing_token_mismatch',
  seq_num_mismatch: 'seq_num_mismatch',
  tail: 'range_not_satisfiable',
});

function body(error: ApiError, options?: EncodeOptions): Record<string, unknown> {
  if (entryOf(error, options)?.structured === true && hasKeys(error.details)) {
    const out: Record<string, unknown> = {};
    spreadDetails(out, error, NO_MEMBERS);
    return out;
  }
  const out: Record<string, unknown> = { code: error.code, message: error.message };
  const fieldErrors = error.fieldErrors;
  if (fieldErrors !== undefined && fieldErrors.length > 0) {
    out.errors = fieldErrors.map((item) =>
      item.code === undefined
        ? { path: item.path, message: item.message }
        : { path: item.path, message: item.message, code: item.code },
    );
  }
  spreadDetails(out, error, KNOWN);
  return out;
}

/** The S2 shape a structured body has, when it is one of the three the S2 docs list. */
function knownStructured(body: Record<string, unknown>): string | undefined {
  if (typeof body.fencing_token_mismatch === 'string')
    return S2_STRUCTURED_CODES.fencing_token_mismatch;
  if (typeof body.seq_num_mismatch === 'number') return S2_STRUCTURED_CODES.seq_num_mismatch;
  if (isRecord(body.tail)) return S2_STRUCTURED_CODES.tail;
  return undefined;
}

function detect(body: Record<string, unknown>): number {
  const { code, message } = body;
  const hasMessage = typeof message === 'string';
  if (Array.isArray(body.errors) && codeOf(code) !== undefined && hasMessage) return 60;
  if (typeof code === 'string') return hasMessage ? 50 : 20;
  if (typeof code === 'number') return hasMessage ? 30 : 0;
  if (hasMessage) return 10;
  if (code === undefined && message === undefined && knownStructured(body) !== undefined) return 40;
  return 0;
}

interface StructuredShape {
  entry: Entry;
  properties: ReadonlySet<string>;
  required: readonly string[];
}

const structuredIndex = new WeakMap<object, readonly StructuredShape[]>();

function shapesOf(catalog: Catalog<any>): readonly StructuredShape[] {
  let shapes = structuredIndex.get(catalog);
  if (shapes === undefined) {
    shapes = catalog.entries
      .filter((entry) => entry.structured && entry.details?.properties !== undefined)
      .map((entry) => ({
        entry,
        properties: new Set(Object.keys(entry.details!.properties!)),
        required: entry.details!.required ?? [],
      }));
    structuredIndex.set(catalog, shapes);
  }
  return shapes;
}

/**
 * The structured entry of `catalog` whose details are the members of `body`: every member a
 * declared property and every required property present. An entry with the response's
 * status wins over one without.
 */
export function matchStructured(
  body: Record<string, unknown>,
  catalog: Catalog<any>,
  status: number,
): Entry | undefined {
  const shapes = shapesOf(catalog);
  if (shapes.length === 0) return undefined;
  const keys = Object.keys(body);
  if (keys.length === 0) return undefined;
  let found: Entry | undefined;
  for (const shape of shapes) {
    if (!keys.every((key) => shape.properties.has(key))) continue;
    if (!shape.required.every((key) => Object.hasOwn(body, key))) continue;
    if (shape.entry.status === status) return shape.entry;
    found ??= shape.entry;
  }
  return found;
}

function readErrors(value: unknown[]): FieldError[] {
  const out: FieldError[] = [];
  for (const item of value) {
    if (out.length >= MAX_FIELD_ERRORS) break;
    if (!isRecord(item)) continue;
    const { path, field } = item;
    let where: (string | number)[] = [];
    if (Array.isArray(path)) {
      if (!path.every((part) => typeof part === 'string' || typeof part === 'number')) continue;
      where = path as (string | number)[];
    } else if (typeof field === 'string') where = parseDotted(field);
    const error = fieldError(where, item.message, item.code);
    if (error !== undefined) out.push(error);
  }
  return out;
}

function decode(body: Record<string, unknown>, status: number, catalog?: Catalog<any>): WireFields {
  const { code, message, errors } = body;
  if (code === undefined && message === undefined) {
    const entry = catalog === undefined ? undefined : matchStructured(body, catalog, status);
    if (entry !== undefined) return { entry, details: body };
    const known = knownStructured(body);
    if (known !== undefined) return { code: known, details: body };
  }
  const fields = emptyFields();
  readCode(fields, code);
  if (typeof message === 'string') fields.message = message;
  else misfit(fields, 'message', message);
  if (Array.isArray(errors)) fields.fieldErrors = readErrors(errors);
  else misfit(fields, 'errors', errors);
  return readSharedMembers(fields, body, KNOWN);
}

/**
 * S2's flat body: `{code, message, ...details}`, field errors as an `errors` extension
 * (`[{path, message, code?}]`). An entry marked `structured` sends its details object alone
 * (S2's 412 `{"seq_num_mismatch": 42}` and 416 `{"tail": {...}}`); request id and retry hint
 * travel in headers only.
 *
 * @example
 * ```ts
 * s2.body(err); // { code: 'stream_not_found', message: 'No such stream' }
 * ```
 */
export const s2: WireFormat = defineFormat({
  id: 's2',
  contentType: JSON_CONTENT_TYPE,
  body,
  detect,
  decode,
});
