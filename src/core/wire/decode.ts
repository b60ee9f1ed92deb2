import { Catalog, formatMessage } from '../catalog.js';
import type { ApiError, ApiErrorInit } from '../error.js';
import { type HeadersLike, isHttpStatus, reasonPhrase } from '../http.js';
import type { Code, Entry } from '../types.js';
import { DETECTION_ORDER, formats, resolveFormat } from './formats.js';
import { matchStructured } from './s2.js';
import {
  BudgetExceeded,
  cleanParsed,
  copyJson,
  isRecord,
  millisecondsOf,
  parseRetryAfter,
  restOf,
  statusSemantics,
  withoutStack,
} from './shared.js';
import type {
  DecodeOptions,
  DecodeResult,
  FormatId,
  UndecodableReason,
  WireFields,
  WireFormat,
} from './types.js';

const DEFAULT_MAX_BYTES = 1024 * 1024;
const PREVIEW = 200;
const MAX_REQUEST_ID = 1024;
/** A detection score that settles the format (see {@link WireFormat.detect}). */
const SETTLED = 100;

/** What the headers of a response say, read in one pass. */
interface HeaderInfo {
  contentType: string | undefined;
  requestId: string | undefined;
  /** `retry-after-ms`, in seconds. */
  retryAfterMs: number | undefined;
  retryAfter: number | undefined;
}

const NO_HEADERS: HeaderInfo = Object.freeze({
  contentType: undefined,
  requestId: undefined,
  retryAfterMs: undefined,
  retryAfter: undefined,
});

let textDecoder: TextDecoder | undefined;

function headerText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  return typeof first === 'number' ? String(first) : undefined;
}

/** The headers decode reads, by slot. */
const CONTENT_TYPE = 0;
const RETRY_AFTER = 1;
const RETRY_AFTER_MS = 2;
const X_REQUEST_ID = 3;
const REQUEST_ID = 4;
const CORRELATION_ID = 5;

function slotOfLower(name: string): number {
  switch (name) {
    case 'content-type':
      return CONTENT_TYPE;
    case 'retry-after':
      return RETRY_AFTER;
    case 'retry-after-ms':
      return RETRY_AFTER_MS;
    case 'x-request-id':
      return X_REQUEST_ID;
    case 'request-id':
      return REQUEST_ID;
    case 'x-correlation-id':
      return CORRELATION_ID;
    default:
      return -1;
  }
}

/**
 * The slot of a header name, or -1. Names usually arrive in lower case (Node, Fetch), which
 * match without allocating; others are lower-cased only when their length could match.
 */
function slotOf(name: string): number {
  const slot = slotOfLower(name);
  if (slot !== -1) return slot;
  const length = name.length;
  if (length !== 10 && length !== 11 && length !== 12 && length !== 14 && length !== 16) return -1;
  const lower = name.toLowerCase();
  return lower === name ? -1 : slotOfLower(lower);
}

/** Reads the headers decode cares about, or `undefined` when `headers` is not a header bag. */
function readHeaders(headers: unknown, now: (() => number) | undefined): HeaderInfo | undefined {
  if (headers === undefined || headers === null) return NO_HEADERS;
  if (typeof headers !== 'object') return undefined;
  const found: (string | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  const bag = headers as { get?: unknown };
  if (typeof bag.get === 'function') {
    const get = (headers as { get(name: string): unknown }).get.bind(headers);
    found[CONTENT_TYPE] = headerText(get('content-type'));
    found[RETRY_AFTER] = headerText(get('retry-after'));
    found[RETRY_AFTER_MS] = headerText(get('retry-after-ms'));
    found[X_REQUEST_ID] = headerText(get('x-request-id'));
    found[REQUEST_ID] = headerText(get('request-id'));
    found[CORRELATION_ID] = headerText(get('x-correlation-id'));
  } else if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string') continue;
      const slot = slotOf(pair[0]);
      if (slot !== -1 && found[slot] === undefined) found[slot] = headerText(pair[1]);
    }
  } else {
    // Object.keys lists own enumerable names only, without a lookup per name.
    const record = headers as Record<string, unknown>;
    const names = Object.keys(record);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const slot = slotOf(name);
      if (slot !== -1 && found[slot] === undefined) found[slot] = headerText(record[name]);
    }
  }
  const id = found[X_REQUEST_ID] ?? found[REQUEST_ID] ?? found[CORRELATION_ID];
  const retryAfterMs = found[RETRY_AFTER_MS];
  const retryAfter = found[RETRY_AFTER];
  return {
    contentType: found[CONTENT_TYPE],
    requestId: id !== undefined && id !== '' && id.length <= MAX_REQUEST_ID ? id : undefined,
    retryAfterMs: retryAfterMs === undefined ? undefined : millisecondsOf(retryAfterMs),
    retryAfter:
      retryAfter === undefined ? undefined : parseRetryAfter(retryAfter, now ? now() : undefined),
  };
}

function undecodable(
  status: number,
  reason: UndecodableReason,
  message: string,
  head: HeaderInfo,
  text: string | undefined,
): DecodeResult {
  return {
    kind: 'undecodable',
    status,
    reason,
    message,
    contentType: head.contentType,
    requestId: head.requestId,
    retryAfter: head.retryAfterMs ?? head.retryAfter,
    text: text === undefined ? undefined : text.slice(0, PREVIEW),
  };
}

function isCatalogLike(value: unknown): value is Catalog<any> {
  if (value instanceof Catalog) return true;
  // A catalog built by another copy of the package passes as long as it has the same face.
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Catalog).get === 'function' &&
    typeof (value as Catalog).getByType === 'function' &&
    Array.isArray((value as Catalog).entries)
  );
}

function isBinary(value: object): value is ArrayBuffer | ArrayBufferView {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    Object.prototype.toString.call(value) === '[object ArrayBuffer]'
  );
}

function bytesToText(value: ArrayBuffer | ArrayBufferView, limit?: number): string {
  textDecoder ??= new TextDecoder('utf-8', { fatal: false });
  if (limit === undefined) return textDecoder.decode(value);
  const bytes = ArrayBuffer.isView(value)
    ? new Uint8Array(value.buffer, value.byteOffset, Math.min(value.byteLength, limit))
    : new Uint8Array(value, 0, Math.min(value.byteLength, limit));
  return textDecoder.decode(bytes);
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** The format with the highest detection score (earlier in {@link DETECTION_ORDER} on ties). */
function detectFormat(
  body: Record<string, unknown>,
  status: number,
  contentType: string | undefined,
): WireFormat | undefined {
  let best: WireFormat | undefined;
  let bestScore = 0;
  for (const format of DETECTION_ORDER) {
    const score = format.detect(body, status, contentType);
    if (score > bestScore) {
      if (score >= SETTLED) return format;
      best = format;
      bestScore = score;
    }
  }
  return best;
}

function merge(
  low: Record<string, unknown> | undefined,
  high: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (low === undefined) return high;
  if (high === undefined) return low;
  return { ...low, ...high };
}

/**
 * Splits members a format left unmapped into details and extensions: with no entry they are
 * all details; with an entry, those its details schema declares (or all, when the schema is
 * open) are details and the rest extensions.
 */
function splitRest(
  rest: Record<string, unknown>,
  entry: Entry | undefined,
): [Record<string, unknown> | undefined, Record<string, unknown> | undefined] {
  if (entry === undefined) return [rest, undefined];
  const schema = entry.details;
  if (schema === undefined) return [undefined, rest];
  if (schema.additionalProperties !== false) return [rest, undefined];
  const properties = schema.properties ?? {};
  let details: Record<string, unknown> | undefined;
  let extensions: Record<string, unknown> | undefined;
  for (const key of Object.keys(rest)) {
    if (Object.hasOwn(properties, key)) {
      if (details === undefined) details = {};
      details[key] = rest[key];
    } else {
      if (extensions === undefined) extensions = {};
      extensions[key] = rest[key];
    }
  }
  return [details, extensions];
}

function toError(
  fields: WireFields,
  status: number,
  entry: Entry | undefined,
  code: Code,
  head: HeaderInfo,
  captureStack: boolean,
): ApiError {
  let details = fields.details;
  let extensions = fields.extensions;
  const rest =
    fields.restOf !== undefined && fields.restKnown !== undefined
      ? merge(restOf(fields.restOf, fields.restKnown), fields.rest)
      : fields.rest;
  if (rest !== undefined) {
    const [restDetails, restExtensions] = splitRest(rest, entry);
    details = merge(restDetails, details);
    extensions = merge(restExtensions, extensions);
  }
  const semantics = entry ?? statusSemantics(status);
  const init: ApiErrorInit = {
    code,
    status,
    message:
      fields.message ??
      (entry === undefined ? undefined : formatMessage(entry.message, details)) ??
      fields.title ??
      reasonPhrase(status),
    retry: semantics.retry,
    sideEffect: semantics.sideEffect,
    details: details ?? {},
  };
  if (entry !== undefined) init.entry = entry;
  if (fields.type !== undefined) init.type = fields.type;
  if (fields.title !== undefined) init.title = fields.title;
  if (fields.instance !== undefined) init.instance = fields.instance;
  const requestId = fields.requestId ?? head.requestId;
  if (requestId !== undefined) init.requestId = requestId;
  // Milliseconds are the most precise hint, then the body's (possibly fractional) seconds.
  const retryAfter = head.retryAfterMs ?? fields.retryAfter ?? head.retryAfter;
  if (retryAfter !== undefined) init.retryAfter = retryAfter;
  if (fields.fieldErrors !== undefined && fields.fieldErrors.length > 0) {
    init.fieldErrors = fields.fieldErrors;
  }
  if (extensions !== undefined) init.extensions = extensions;
  return withoutStack(captureStack, init);
}

/**
 * A decoded error whose `ApiError` is built on first use: an `Error` costs about as much as
 * parsing the body, and a caller that only needs the code and entry (a retry decision on an
 * intermediate attempt, a gateway re-encoding) never pays for it. A class, not an object
 * literal with a getter, so that V8 keeps one fast shape for every result.
 */
class Decoded {
  readonly kind = 'error' as const;
  #error: ApiError | undefined;
  readonly #fields: WireFields;
  readonly #head: HeaderInfo;
  readonly #captureStack: boolean;

  constructor(
    readonly format: FormatId,
    readonly code: Code,
    readonly status: number,
    readonly entry: Entry | undefined,
    fields: WireFields,
    head: HeaderInfo,
    captureStack: boolean,
  ) {
    this.#fields = fields;
    this.#head = head;
    this.#captureStack = captureStack;
  }

  get error(): ApiError {
    this.#error ??= toError(
      this.#fields,
      this.status,
      this.entry,
      this.code,
      this.#head,
      this.#captureStack,
    );
    return this.#error;
  }
}

function decodeUnchecked(
  status: unknown,
  headers: unknown,
  body: unknown,
  options: unknown,
): DecodeResult {
  if (!isHttpStatus(status)) {
    return undecodable(
      0,
      'invalid-input',
      'The status is not an HTTP status (an integer 100–599).',
      NO_HEADERS,
      undefined,
    );
  }
  if (options !== undefined && options !== null && typeof options !== 'object') {
    return undecodable(
      status,
      'invalid-input',
      'The decode options are not an object.',
      NO_HEADERS,
      undefined,
    );
  }
  const opts = (options ?? {}) as DecodeOptions;
  const { catalog, format: formatOption, maxBytes: maxBytesOption, now, captureStack } = opts;
  if (catalog !== undefined && !isCatalogLike(catalog)) {
    return undecodable(
      status,
      'invalid-input',
      'options.catalog is not a Catalog.',
      NO_HEADERS,
      undefined,
    );
  }
  const maxBytes =
    typeof maxBytesOption === 'number' && maxBytesOption >= 0 ? maxBytesOption : DEFAULT_MAX_BYTES;
  const head = readHeaders(headers, typeof now === 'function' ? now : undefined);
  if (head === undefined) {
    return undecodable(
      status,
      'invalid-input',
      'The headers are not a Headers object, a record or a list of pairs.',
      NO_HEADERS,
      undefined,
    );
  }
  let format: WireFormat | undefined;
  if (formatOption !== undefined) {
    format = resolveFormat(formatOption);
    if (format === undefined) {
      return undecodable(
        status,
        'invalid-input',
        `options.format is not a known wire format (${Object.keys(formats).join(', ')}).`,
        head,
        undefined,
      );
    }
  }

  let value: Record<string, unknown>;
  let text: string | undefined;
  if (body === undefined || body === null) {
    return undecodable(status, 'empty', 'The response has no body.', head, undefined);
  }
  if (typeof body === 'string') {
    text = body;
  } else if (typeof body === 'object') {
    if (isBinary(body)) {
      if (body.byteLength > maxBytes) {
        return undecodable(
          status,
          'too-large',
          `The response body is larger than ${maxBytes} bytes.`,
          head,
          bytesToText(body, PREVIEW),
        );
      }
      text = bytesToText(body);
    } else if (Array.isArray(body)) {
      return undecodable(
        status,
        'unrecognized',
        'The response body is a JSON array, not an error object.',
        head,
        undefined,
      );
    } else {
      try {
        value = copyJson(body, 0, { left: Math.max(1024, Math.floor(maxBytes / 4)) }) as Record<
          string,
          unknown
        >;
      } catch (error) {
        if (error instanceof BudgetExceeded) {
          return undecodable(
            status,
            'too-large',
            'The response body holds too many values.',
            head,
            undefined,
          );
        }
        throw error;
      }
    }
  } else {
    return undecodable(
      status,
      'invalid-input',
      'The body is not text, bytes, a parsed JSON value or nothing.',
      head,
      undefined,
    );
  }

  if (text !== undefined) {
    if (text.length === 0)
      return undecodable(status, 'empty', 'The response has no body.', head, undefined);
    if (text.length > maxBytes) {
      return undecodable(
        status,
        'too-large',
        `The response body is larger than ${maxBytes} bytes.`,
        head,
        text,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      if (isBlank(text))
        return undecodable(status, 'empty', 'The response has no body.', head, undefined);
      const kind = head.contentType === undefined ? '' : ` (${head.contentType.slice(0, 100)})`;
      return undecodable(status, 'not-json', `The response body is not JSON${kind}.`, head, text);
    }
    if (!isRecord(parsed)) {
      return undecodable(
        status,
        'unrecognized',
        'The response body is JSON but not an error object.',
        head,
        text,
      );
    }
    cleanParsed(parsed);
    value = parsed;
  }

  if (format === undefined) {
    format = detectFormat(value!, status, head.contentType);
    // A structured body of the caller's own catalog has no marker but its member names.
    if (format === undefined && catalog !== undefined && matchStructured(value!, catalog, status)) {
      format = formats.s2;
    }
    if (format === undefined) {
      return undecodable(
        status,
        'unrecognized',
        'The response body is JSON but not an error in any known format.',
        head,
        text,
      );
    }
  }
  const fields = format.decode(value!, status, catalog);
  let entry = fields.entry;
  if (entry === undefined && catalog !== undefined) entry = catalog.get(fields.code ?? status);
  const code = entry?.code ?? fields.code ?? status;
  return new Decoded(format.id, code, status, entry, fields, head, captureStack === true);
}

/**
 * Decodes an HTTP error response into an {@link ApiError}, whatever the format, or says why
 * it cannot. Never throws.
 *
 * The body may be text, bytes, an `ArrayBuffer`, an already-parsed value or nothing. The
 * format is detected (the highest {@link WireFormat.detect} score; `application/problem+json`
 * settles it) unless `options.format` names it. The code is looked up in `options.catalog`
 * (no code: the status is looked up; still nothing: the code is the status); retry and side
 * effect come from the entry, else from {@link statusSemantics}. Details are copied clean:
 * no `__proto__` keys, depth bounded.
 *
 * @example
 * ```ts
 * const result = decode(res.status, res.headers, await res.text(), { catalog });
 * if (result.kind === 'error' && catalog.is(result.error, 'rate_limited')) wait(result.error.retryAfter);
 * ```
 */
export function decode(
  status: number,
  headers: HeadersLike | undefined,
  body: string | Uint8Array | ArrayBuffer | Record<string, unknown> | unknown[] | null | undefined,
  options?: DecodeOptions,
): DecodeResult {
  try {
    return decodeUnchecked(status, headers, body, options);
  } catch {
    // Hostile input (throwing getters, revoked proxies, a throwing clock) ends here.
    return undecodable(
      isHttpStatus(status) ? status : 0,
      'invalid-input',
      'The response could not be read.',
      NO_HEADERS,
      undefined,
    );
  }
}
