import type { Catalog } from '../catalog.js';
import { ApiError, type ApiErrorInit, type FieldError } from '../error.js';
import type { Code, Entry, Retry, SideEffect } from '../types.js';
import type { EncodedError, EncodeOptions, FormatId, WireFields, WireFormat } from './types.js';

/**
 * How deep a body may nest before deeper values become `null`. Google's envelope is the
 * deepest (details sit five levels down), so details keep at least 32 levels in every format.
 */
export const MAX_DEPTH = 40;
/** Field errors read from one body at most. */
export const MAX_FIELD_ERRORS = 1000;
/** The longest delay any hint may ask for: one year, in seconds. */
export const MAX_RETRY_AFTER = 31_536_000;

/** The content type of every format but problem. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Whether `value` is a non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `record` has at least one own enumerable key. */
export function hasKeys(record: unknown): boolean {
  if (!isRecord(record)) return false;
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

/** A code as a body may carry it: a non-empty string or a finite number. */
export function codeOf(value: unknown): Code | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

/** Whether `text` is a canonical array index (`0`, `17`, not `01`). */
export function isIndex(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 15) return false;
  if (length > 1 && text.charCodeAt(0) === 48) return false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A path segment read from text: digits are array indexes. */
export function segment(text: string): string | number {
  return isIndex(text) ? Number(text) : text;
}

// ---- cleaning hostile values --------------------------------------------------------------

/**
 * Cleans a value `JSON.parse` just produced, in place: drops `__proto__` keys (JSON.parse
 * makes them own properties, which a later spread or assignment would turn into a prototype
 * change) and replaces anything nested deeper than {@link MAX_DEPTH} with `null`, so that no
 * later walk can overflow the stack.
 */
export function cleanParsed(value: object): void {
  // JSON.parse makes plain objects, so for…in lists only their own names unless someone has
  // added an enumerable member to Object.prototype; only then is each name checked.
  clean(value, 0, inheritsEnumerable());
}

function inheritsEnumerable(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

function clean(value: object, depth: number, checkOwn: boolean): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) {
        if (depth + 1 >= MAX_DEPTH) value[i] = null;
        else clean(item, depth + 1, checkOwn);
      }
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (checkOwn && !Object.hasOwn(record, key)) continue;
    if (key === '__proto__') {
      // Listed, so own: inherited names were either skipped above or cannot occur.
      delete record[key];
      continue;
    }
    const item = record[key];
    if (typeof item === 'object' && item !== null) {
      if (depth + 1 >= MAX_DEPTH) record[key] = null;
      else clean(item, depth + 1, checkOwn);
    }
  }
}

/** Thrown by {@link copyJson} when a value holds more nodes than its budget. */
export class BudgetExceeded extends Error {}

/**
 * Copies a value the caller handed in (it may be a Proxy, hold getters, cycles, BigInts or
 * functions) into plain JSON data: `__proto__` keys dropped, non-finite numbers `null`,
 * non-JSON values left out, depth bounded, at most `budget.left` nodes.
 *
 * @throws {BudgetExceeded} when the value has more nodes than the budget.
 */
export function copyJson(value: unknown, depth: number, budget: { left: number }): unknown {
  if (--budget.left < 0) throw new BudgetExceeded();
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    const length = value.length;
    for (let i = 0; i < length; i++) {
      const item = copyJson(value[i], depth + 1, budget);
      out.push(item === undefined ? null : item);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === '__proto__') continue;
    const item = copyJson(record[key], depth + 1, budget);
    if (item !== undefined) out[key] = item;
  }
  return out;
}

// ---- HTTP semantics ----------------------------------------------------------------------------

const RETRY_YES_MAYBE = Object.freeze({ retry: 'yes' as Retry, sideEffect: 'maybe' as SideEffect });
const RETRY_YES_NO = Object.freeze({ retry: 'yes' as Retry, sideEffect: 'no' as SideEffect });
const RETRY_NO_MAYBE = Object.freeze({ retry: 'no' as Retry, sideEffect: 'maybe' as SideEffect });
const RETRY_NO_NO = Object.freeze({ retry: 'no' as Retry, sideEffect: 'no' as SideEffect });

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 507, 521, 522, 523, 524]);

/**
 * Retry and side-effect semantics of an HTTP status, for codes no catalog knows.
 *
 * Retried: 408, 429, 500, 502, 503, 504 and the seeds' 507, 521–524 (never 501). Side effect
 * `no` for 4xx (including 429), `maybe` for 408, 499 (the client hung up mid-request) and
 * every 5xx; anything else `maybe`.
 *
 * @example
 * ```ts
 * statusSemantics(503); // { retry: 'yes', sideEffect: 'maybe' }
 * ```
 */
export function statusSemantics(status: number): { retry: Retry; sideEffect: SideEffect } {
  const maybe = !(status >= 400 && status < 500) || status === 408 || status === 499;
  if (RETRYABLE.has(status)) return maybe ? RETRY_YES_MAYBE : RETRY_YES_NO;
  return maybe ? RETRY_NO_MAYBE : RETRY_NO_NO;
}

/** Seconds from a number or a numeric string, when it is a sane delay (0 to one year). */
export function secondsOf(value: unknown): number | undefined {
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && value.length <= 32 && DELTA.test(value.trim())) {
    seconds = Number(value);
  } else return undefined;
  return seconds >= 0 && seconds <= MAX_RETRY_AFTER ? seconds : undefined;
}

/** Seconds from a `retry-after-ms` value (milliseconds), when it is a sane delay. */
export function millisecondsOf(value: string): number | undefined {
  const text = value.trim();
  if (text.length > 32 || !DELTA.test(text)) return undefined;
  const seconds = Number(text) / 1000;
  return seconds <= MAX_RETRY_AFTER ? seconds : undefined;
}

const DELTA = /^\d+(?:\.\d+)?$/;
const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Parses a `Retry-After` value: delta-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or
 * asctime) turned into seconds from `now`. Dates in the past give 0.
 *
 * @param now - epoch milliseconds (default `Date.now()`).
 * @returns seconds, or `undefined` when absent, malformed, negative or more than a year away.
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27)); // 60
 * ```
 */
export function parseRetryAfter(value: string | undefined, now?: number): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const text = value.trim();
  if (DELTA.test(text)) return secondsOf(Number(text));
  let date: number;
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text)) date = Date.parse(text);
  // asctime carries no zone; HTTP dates are always GMT, which Date.parse needs to be told.
  else if (ASCTIME_DATE.test(text)) date = Date.parse(`${text} GMT`);
  else return undefined;
  if (Number.isNaN(date)) return undefined;
  const from = typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
  const seconds = Math.ceil((date - from) / 1000);
  return seconds <= 0 ? 0 : seconds <= MAX_RETRY_AFTER ? seconds : undefined;
}

// ---- field paths -------------------------------------------------------------------------------

/** `a.b.0.c`: the dotted paths of Sequin and Jan. */
export function dottedPath(path: readonly (string | number)[]): string {
  return path.length === 1 ? String(path[0]) : path.join('.');
}

/** Reads a dotted path; digit-only segments become array indexes. */
export function parseDotted(text: string): (string | number)[] {
  if (text === '') return [];
  return text.split('.').map(segment);
}

/** `a.b[0].c`: Google's field paths. */
export function bracketPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Reads a Google field path; `[n]` segments are array indexes. */
export function parseBracket(text: string): (string | number)[] {
  const path: (string | number)[] = [];
  let current = '';
  let pending = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '.') {
      if (pending) path.push(current);
      current = '';
      pending = true;
      continue;
    }
    if (char === '[') {
      const end = text.indexOf(']', i);
      const inside = end === -1 ? '' : text.slice(i + 1, end);
      if (isIndex(inside)) {
        if (pending || current !== '') path.push(current);
        path.push(Number(inside));
        current = '';
        pending = false;
        i = end;
        continue;
      }
    }
    current += char;
    pending = true;
  }
  if (pending || current !== '') path.push(current);
  return path;
}

/** `text` with lone surrogates replaced by U+FFFD (`encodeURIComponent` throws on them). */
function wellFormed(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    // Array.from splits by code point, so a lone surrogate is the only 1-unit surrogate left.
    return Array.from(text, (char) => {
      const code = char.charCodeAt(0);
      return char.length === 1 && code >= 0xd800 && code <= 0xdfff ? '\uFFFD' : char;
    }).join('');
  }
  return text;
}

/** Escapes characters a URI fragment may not hold; lone surrogates become U+FFFD. */
function fragmentEscape(token: string): string {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const plain = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
    if (!plain && c !== 45 && c !== 46) {
      return encodeURIComponent(wellFormed(token));
    }
  }
  return token;
}

/** The RFC 6901 pointer of a path, in URI-fragment form (`#/items/0/name`) as RFC 9457 uses it. */
export function pointerOf(path: readonly (string | number)[]): string {
  let out = '#';
  for (const part of path) {
    const token = typeof part === 'number' ? String(part) : part;
    out += `/${fragmentEscape(token.replace(/~/g, '~0').replace(/\//g, '~1'))}`;
  }
  return out;
}

/** Reads an RFC 6901 pointer, plain (`/a/0`) or in fragment form (`#/a/0`). */
export function parsePointer(pointer: string): (string | number)[] {
  let text = pointer;
  if (text.startsWith('#')) {
    try {
      text = decodeURIComponent(text.slice(1));
    } catch {
      text = text.slice(1);
    }
  }
  if (text === '') return [];
  if (!text.startsWith('/')) return parseDotted(text);
  return text
    .slice(1)
    .split('/')
    .map((token) => segment(token.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/** A field error read from loose members, or `undefined` when it has no message. */
export function fieldError(
  path: (string | number)[],
  message: unknown,
  code: unknown,
): FieldError | undefined {
  if (typeof message !== 'string') return undefined;
  if (typeof code === 'string') return { path, message, code };
  if (typeof code === 'number' && Number.isFinite(code))
    return { path, message, code: String(code) };
  return { path, message };
}

// ---- encoding ------------------------------------------------------------------------------------

/** The request id to send: the error's own, else the one from the options. */
export function requestIdOf(
  error: ApiError,
  options: EncodeOptions | undefined,
): string | undefined {
  return error.requestId ?? options?.requestId;
}

/** The error's retry hint, when it is a usable number of seconds. */
export function retryAfterOf(error: ApiError): number | undefined {
  const seconds = error.retryAfter;
  return typeof seconds === 'number' && seconds >= 0 && seconds <= Number.MAX_SAFE_INTEGER
    ? seconds
    : undefined;
}

/** The entry of an error: its own, else the one the options' catalog knows. */
export function entryOf(error: ApiError, options: EncodeOptions | undefined): Entry | undefined {
  return error.entry ?? options?.catalog?.get(error.code);
}

/** The error's details when they are an object. */
export function detailsOf(error: ApiError): Record<string, unknown> | undefined {
  const details: unknown = error.details;
  return isRecord(details) ? details : undefined;
}

/**
 * Adds the details as top-level members of `body`, except names the format reads itself
 * (`members`): a detail must never pass for a format member on the way back. `__proto__` is
 * never assigned.
 */
export function spreadDetails(
  body: Record<string, unknown>,
  error: ApiError,
  members: ReadonlySet<string>,
): void {
  const details = detailsOf(error);
  if (details === undefined) return;
  for (const key in details) {
    if (members.has(key) || key === '__proto__' || !Object.hasOwn(details, key)) continue;
    body[key] = details[key];
  }
}

/** No member names: for bodies that are the details alone. */
export const NO_MEMBERS: ReadonlySet<string> = new Set();

function isToken(name: string): boolean {
  if (name.length === 0 || name.length > 256) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      "!#$%&'*+-.^_`|~".includes(name[i]!);
    if (!ok) return false;
  }
  return true;
}

/** Whether `value` can be sent as a header value: no control characters, Latin-1 only. */
export function isHeaderValue(value: string): boolean {
  if (value.length > 8192) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}

/** The headers every format sends: content type, `Retry-After`, `X-Request-Id`, the error's own. */
export function headersOf(
  error: ApiError,
  contentType: string,
  options: EncodeOptions | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType };
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(retryAfter));
  const requestId = requestIdOf(error, options);
  if (requestId !== undefined && isHeaderValue(requestId)) headers['x-request-id'] = requestId;
  const extra = error.headers;
  if (extra !== undefined) {
    for (const name of Object.keys(extra)) {
      const value = extra[name];
      const lower = name.toLowerCase();
      // The body is JSON whatever the thrower says, so its content type stays ours.
      if (lower === 'content-type' || typeof value !== 'string') continue;
      if (isToken(name) && isHeaderValue(value)) headers[lower] = value;
    }
  }
  return headers;
}

/** The parts of a format that {@link defineFormat} completes with `encode`. */
export interface FormatParts {
  id: FormatId;
  contentType: string;
  body(error: ApiError, options?: EncodeOptions): Record<string, unknown>;
  detect(body: Record<string, unknown>, status: number, contentType: string | undefined): number;
  decode(body: Record<string, unknown>, status: number, catalog?: Catalog<any>): WireFields;
}

/** Status of an error as sent: its own when it is an HTTP status, else 500. */
function statusOf(error: ApiError): number {
  const status = error.status;
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
}

/** Completes a format with the `encode` every format shares. */
export function defineFormat(parts: FormatParts): WireFormat {
  const format: WireFormat = {
    ...parts,
    encode(error: ApiError, options?: EncodeOptions): EncodedError {
      let body: string;
      try {
        body = JSON.stringify(parts.body(error, options));
      } catch {
        // Details that JSON cannot hold (cycles, BigInt): send them as far as they go.
        const details = copyJson(error.details, 1, { left: 100_000 });
        body = JSON.stringify(parts.body(error.with({ details: details as never }), options));
      }
      return {
        status: statusOf(error),
        headers: headersOf(error, parts.contentType, options),
        body,
      };
    },
  };
  return Object.freeze(format);
}

/**
 * A {@link WireFields} with every member present and `undefined`: the decoders of all formats
 * then fill objects of one shape, which keeps the reads after them monomorphic.
 */
export function emptyFields(): WireFields {
  return {
    code: undefined,
    entry: undefined,
    message: undefined,
    details: undefined,
    rest: undefined,
    restOf: undefined,
    restKnown: undefined,
    extensions: undefined,
    type: undefined,
    title: undefined,
    instance: undefined,
    requestId: undefined,
    retryAfter: undefined,
    fieldErrors: undefined,
  };
}

/** Sets a member a format knows but whose value has the wrong type aside, as an extension. */
export function misfit(fields: WireFields, key: string, value: unknown): void {
  if (value === undefined) return;
  if (fields.extensions === undefined) fields.extensions = {};
  fields.extensions[key] = value;
}

/** Reads a wire `code` member, or records it as a misfit when it is not a code. */
export function readCode(fields: WireFields, code: unknown): void {
  const wireCode = codeOf(code);
  if (wireCode !== undefined) fields.code = wireCode;
  else misfit(fields, 'code', code);
}

/**
 * Reads the members the flat formats share — `request_id`, `retry_after` (seconds) — and keeps
 * every member not in `known` for details (read lazily, see {@link WireFields.restOf});
 * returns `fields`.
 */
export function readSharedMembers(
  fields: WireFields,
  body: Record<string, unknown>,
  known: ReadonlySet<string>,
): WireFields {
  const { request_id, retry_after } = body;
  if (typeof request_id === 'string') fields.requestId = request_id;
  else misfit(fields, 'request_id', request_id);
  const retryAfter = secondsOf(retry_after);
  if (retryAfter !== undefined) fields.retryAfter = retryAfter;
  else misfit(fields, 'retry_after', retry_after);
  fields.restOf = body;
  fields.restKnown = known;
  return fields;
}

/** The members of `body` not in `known`, or `undefined` when there are none. */
export function restOf(
  body: Record<string, unknown>,
  known: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  let rest: Record<string, unknown> | undefined;
  for (const key in body) {
    if (known.has(key) || !Object.hasOwn(body, key) || key === '__proto__') continue;
    if (rest === undefined) rest = {};
    rest[key] = body[key];
  }
  return rest;
}

/**
 * Builds a decoded {@link ApiError} without capturing a stack trace, unless asked to: the
 * error describes a remote failure, and a stack costs several times the rest of a decode.
 */
export function withoutStack(capture: boolean, init: ApiErrorInit): ApiError {
  if (capture || !STACK_LIMIT_WRITABLE) return new ApiError(init);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ApiError(init);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// Engines without the V8 knob, or with frozen intrinsics, simply capture the stack.
const STACK_LIMIT_WRITABLE = (() => {
  const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  return descriptor?.writable === true && typeof descriptor.value === 'number';
})();
