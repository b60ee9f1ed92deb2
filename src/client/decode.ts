/**
 * The client's compact decoder of error bodies. The core's `decode` is built for any input and
 * every diagnostic (over 8 KB gzipped); the client only ever hands it a `Headers` object and
 * a bounded string, so it reads the six wire formats in one pass over their members.
 * `decode.test.ts` checks it against the core's encoders and decoder for every preset entry.
 * One difference: a body with no message gets `HTTP <status>`, not the core's reason phrase.
 */
import { type Catalog, formatMessage } from '../core/catalog.js';
import { ApiError, type ApiErrorInit, type FieldError } from '../core/error.js';
import type { Entry, Retry, SideEffect } from '../core/types.js';
import { decimal } from './hints.js';

type Rec = Record<string, any>;

/** Top-level members some format maps; the others are details. */
const KNOWN =
  /^(type|title|status|detail|instance|code|message|summary|errors|validation_errors|request_id|retry_after|error|details|timestamp)$/;
const INDEX = /^(0|[1-9]\d{0,14})$/;

/** Retry and side effect of an HTTP status no catalog entry describes (the core's rule). */
export function statusSemantics(status: number): { retry: Retry; sideEffect: SideEffect } {
  return {
    // 408, 429, 500, 502, 503, 504, 507 and 521 to 524.
    retry: /^(408|429|50[02347]|52[1-4])$/.test(String(status)) ? 'yes' : 'no',
    sideEffect: status < 400 || status > 499 || status === 408 || status === 499 ? 'maybe' : 'no',
  };
}

const isRec = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A non-empty string, else `undefined`. */
const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined;

/** A path segment or code: an array index or a code of digits becomes a number. */
const index = (segment: string): string | number =>
  INDEX.test(segment) ? Number(segment) : segment;

/** Seconds from a number or a numeric string (`"1.5"`, Google's `"1.5s"`), 0 to one year. */
const seconds = (value: unknown): number | undefined => {
  const n = /^\d+(\.\d+)?s?$/.test(value as string) ? Number.parseFloat(value as string) : value;
  return (n as number) >= 0 && (n as number) <= 31_536_000 ? (n as number) : undefined;
};

/**
 * Seconds from a `Retry-After` value: delta-seconds, or an HTTP-date from `now` (a past date
 * is 0). `undefined` when malformed or more than a year away (the core's rule).
 */
export function retryAfterOf(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  return seconds(
    /[a-z]/i.test(value) ? Math.max(0, Math.ceil((Date.parse(value) - now) / 1000)) : value.trim(),
  );
}

/** A field path from a JSON pointer (`#/a/0`), a dotted (`a.0`) or bracketed (`a[0].b`) path. */
function pathOf(where: unknown): (string | number)[] {
  if (Array.isArray(where)) return where.filter((p) => /^[sn]/.test(typeof p));
  let path = typeof where === 'string' ? where.replace(/^#/, '') : '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // Not percent-encoded after all: keep the text as it is.
  }
  return path[0] === '/'
    ? path
        .slice(1)
        .split('/')
        .map((p) => index(p.replace(/~1/g, '/').replace(/~0/g, '~')))
    : path
        .split(/\.|\[(\d+)\]\.?/)
        .filter(Boolean)
        .map(index);
}

/**
 * Decodes an error response body in any of the core's wire formats (problem+json, S2,
 * Sequin, Discord, Jan, Google) into an {@link ApiError}; never throws. A body that is not a
 * JSON object (HTML, empty, an array) gives an error whose code is the status.
 */
export function decodeError(
  status: number,
  headers: Headers,
  text: string,
  catalog?: Catalog<any>,
): ApiError {
  // Members as the body has them, type-checked when the error is built.
  const got: Rec = { code: status };
  const fieldErrors: FieldError[] = [];
  const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
  const push = (path: unknown, message: unknown, code: unknown) => {
    if (typeof message === 'string' && fieldErrors.length < 1000) {
      fieldErrors.push(
        code == null
          ? { path: pathOf(path), message }
          : { path: pathOf(path), message, code: String(code) },
      );
    }
  };
  // Discord's nested `errors` object: leaves are `{_errors: [{code, message}]}`.
  const walk = (node: Rec, path: (string | number)[]) => {
    for (const [key, value] of Object.entries(node)) {
      if (key === '_errors') {
        for (const item of list(value)) push(path, item?.message, item?.code);
      } else if (isRec(value) && path.length < 32) walk(value, [...path, ...pathOf(key)]);
    }
  };
  let entry: Entry | undefined;
  let details: Rec | undefined;
  let rest: Rec | undefined;
  let retryAfter: number | undefined;
  try {
    // The reviver drops `__proto__` keys at every depth, so no later copy can meet one.
    const json: unknown = JSON.parse(text.replace(/^\uFEFF/, ''), (key, value) =>
      key === '__proto__' ? undefined : value,
    );
    if (!isRec(json)) throw json;
    const { code, type, errors, error } = json;
    const keys = Object.keys(json);
    if (
      isRec(error) &&
      (typeof error.code === 'number' ||
        typeof error.status === 'string' ||
        typeof error.message === 'string')
    ) {
      // Google's `google.rpc.Status` envelope: the code is the ErrorInfo reason.
      got.message = error.message;
      for (const item of list(error.details).slice(0, 64)) {
        const kind = String(item?.['@type']).replace(/.*\./, '');
        const reason = item?.reason;
        if (kind === 'ErrorInfo' && nonEmpty(reason)) {
          got.code = catalog?.get(reason) ? reason : index(reason);
          if (isRec(item.metadata)) rest = item.metadata;
        }
        if (kind === 'RetryInfo') {
          const d = item.retryDelay;
          // A protobuf Duration: `"1.5s"`, or `{seconds, nanos}` whose int64 may be a string.
          retryAfter = seconds(isRec(d) ? Number(d.seconds ?? 0) + Number(d.nanos ?? 0) / 1e9 : d);
        }
        if (kind === 'BadRequest') {
          for (const v of list(item.fieldViolations)) push(v?.field, v?.description, v?.reason);
        }
        if (kind === 'RequestInfo') got.requestId = item.requestId;
        if (kind === 'Struct' && isRec(item.value)) details = item.value;
      }
    } else {
      if (code === undefined && json.message === undefined && keys.length) {
        // S2's structured bodies carry their details alone; the member names the code.
        entry = catalog?.entries.find(
          (e) => e.structured && keys.every((k) => Object.hasOwn(e.details?.properties ?? {}, k)),
        );
        if (
          entry ||
          (keys.length === 1 && /^(fencing_token_mismatch|seq_num_mismatch|tail)$/.test(keys[0]!))
        ) {
          got.code = keys[0] === 'tail' ? 'range_not_satisfiable' : keys[0];
          details = json;
        }
      }
      if (!details) {
        if (nonEmpty(code) || Number.isFinite(code)) got.code = code;
        if (typeof type === 'string') {
          got.type = type;
          if (code === undefined && type !== 'about:blank') entry = catalog?.getByType(type);
        }
        // Jan's `error` is the status phrase: a title.
        got.title = json.title ?? error;
        got.message = [json.detail, json.message, json.summary].find((m) => typeof m === 'string');
        got.instance = json.instance;
        got.requestId = json.request_id;
        retryAfter = seconds(json.retry_after);
        if (isRec(errors)) walk(errors, []);
        for (const item of list(errors)) {
          push(
            item?.pointer ?? item?.path ?? item?.field,
            item?.detail ?? item?.message,
            item?.code,
          );
        }
        for (const [field, reasons] of Object.entries(Object(json.validation_errors))) {
          for (const reason of [reasons].flat()) push(field, reason, undefined);
        }
        if (isRec(json.details)) details = json.details;
        rest = Object.fromEntries(keys.filter((k) => !KNOWN.test(k)).map((k) => [k, json[k]]));
      }
    }
    entry ??= catalog?.get(got.code);
    // Members the format does not map are details, except those a closed details schema lacks.
    const schema = entry?.details;
    if (rest && (!entry || schema)) {
      details = {
        ...Object.fromEntries(
          Object.entries(rest).filter(
            ([key]) =>
              schema?.additionalProperties !== false || Object.hasOwn(schema.properties ?? {}, key),
          ),
        ),
        ...details,
      };
    }
  } catch {
    // Not a JSON object (an HTML error page, an empty body): the status is all there is.
  }
  const semantics = entry ?? statusSemantics(status);
  const ms = decimal(headers.get('retry-after-ms'));
  // Absent fields stay `undefined`, which the error treats as not given.
  return new ApiError({
    code: entry?.code ?? got.code,
    status,
    message:
      nonEmpty(got.message) ||
      (entry && formatMessage(entry.message, details)) ||
      nonEmpty(got.title) ||
      `HTTP ${status}`,
    retry: semantics.retry,
    sideEffect: semantics.sideEffect,
    details: details ?? {},
    entry,
    type: nonEmpty(got.type),
    title: nonEmpty(got.title),
    instance: nonEmpty(got.instance),
    requestId: nonEmpty(got.requestId ?? headers.get('x-request-id') ?? headers.get('request-id')),
    // The most precise hint first: milliseconds, the body's (fractional) seconds, the header.
    retryAfter:
      ms === undefined
        ? (retryAfter ?? retryAfterOf(headers.get('retry-after'), Date.now()))
        : ms / 1000,
    fieldErrors: fieldErrors.length ? fieldErrors : undefined,
  } as ApiErrorInit);
}
