import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Catalog, defineCatalog, RESERVED_DETAIL_NAMES } from '../catalog.js';
import { ApiError, type FieldError } from '../error.js';
import { type JsonSchema, t } from '../schema.js';
import type { Entry } from '../types.js';
import { type DecodeResult, decode, encode, type FormatId, formats } from './index.js';

const FORMAT_IDS = Object.keys(formats) as FormatId[];
/** Formats whose field errors carry a code (Sequin's `validation_errors` hold messages only). */
const CARRIES_FIELD_CODES = new Set<FormatId>(['problem', 's2', 'discord', 'jan', 'google']);
/** Formats with the retry hint in the body (fractional seconds survive); others use the header. */
const BODY_RETRY = new Set<FormatId>(['problem', 'discord', 'jan', 'google']);

/** A catalog of our own that exercises every kind of code, schema and flag. */
const own = defineCatalog({
  name: 'own',
  typeBase: 'https://errors.example.test/own#',
  entries: {
    plain: { name: 'Plain', status: 400, retry: 'no', sideEffect: 'no', message: 'Plain' },
    2003: {
      name: 'Numeric',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Moved to {actual}',
      details: { expected: t.integer(), actual: t.integer({ minimum: 0 }) },
    },
    typed: {
      name: 'Typed',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      type: 'https://docs.example.test/typed',
      message: 'Typed',
      details: {
        text: t.string({ maxLength: 30 }),
        ratio: t.number(),
        flag: t.boolean(),
        kind: t.enum(['a', 'b', 3, null]),
        tags: t.array(t.string()),
        nested: t.object({ deep: t.object({ list: t.array(t.integer()) }) }),
        map: t.record(t.union([t.string(), t.integer()])),
        maybe: t.nullable(t.number()),
        anything: t.unknown(),
        later: t.optional(t.string()),
      },
    },
    overloaded: {
      name: 'Overloaded',
      status: 503,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'Busy',
    },
    fencing: {
      name: 'Fencing',
      status: 412,
      retry: 'after-change',
      sideEffect: 'no',
      structured: true,
      message: 'Token {token}',
      details: { token: t.string() },
    },
    tail_position: {
      name: 'TailPosition',
      status: 416,
      retry: 'after-change',
      sideEffect: 'no',
      structured: true,
      message: 'Past the tail',
      details: { tail: t.object({ seq_num: t.integer(), at: t.optional(t.integer()) }) },
    },
    optional_only: {
      name: 'OptionalOnly',
      status: 409,
      retry: 'no',
      sideEffect: 'no',
      structured: true,
      message: 'Optional',
      details: { hint: t.optional(t.string()) },
    },
    202: {
      name: 'Pending',
      status: 202,
      retry: 'yes',
      sideEffect: 'no',
      pending: true,
      message: 'Not ready',
    },
  },
});

/** Numbers as JSON gives them back: `-0` becomes `0`. */
function jsonNumber(n: number): number {
  return Object.is(n, -0) ? 0 : n;
}

/** Any JSON value, normalised as a JSON round trip would (no `__proto__` keys, no `-0`). */
const anyJson: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 3 })
  .map((value) =>
    JSON.parse(JSON.stringify(value), (key, item) => (key === '__proto__' ? undefined : item)),
  );

const objectKey = fc.string({ maxLength: 8 }).filter((key) => key !== '__proto__');

/** Values that satisfy a details JSON Schema. */
function arbitraryOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => arbitraryOf(option, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 16 });
    case 'integer':
      return fc
        .integer({
          min: schema.minimum ?? Number.MIN_SAFE_INTEGER,
          max: schema.maximum ?? Number.MAX_SAFE_INTEGER,
        })
        .map(jsonNumber);
    case 'number':
      return fc
        .double({
          min: schema.minimum ?? -Number.MAX_VALUE,
          max: schema.maximum ?? Number.MAX_VALUE,
          noNaN: true,
          noDefaultInfinity: true,
        })
        .map(jsonNumber);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? arbitraryOf(schema.items, depth + 1) : anyJson, {
        maxLength: 3,
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const keys = Object.keys(properties);
      const extra = schema.additionalProperties;
      if (keys.length === 0 && typeof extra === 'object') {
        return fc.dictionary(objectKey, arbitraryOf(extra, depth + 1), { maxKeys: 3 });
      }
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const key of keys) model[key] = arbitraryOf(properties[key]!, depth + 1);
      return fc.record(model, { requiredKeys: [...(schema.required ?? [])] });
    }
    default:
      return anyJson;
  }
}

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const fieldPath = fc.array(fc.oneof(identifier, fc.nat({ max: 20 })), { maxLength: 4 });
const fieldErrorArb: fc.Arbitrary<FieldError> = fc.record(
  {
    path: fieldPath,
    message: fc.string({ maxLength: 20 }),
    code: fc.stringMatching(/^[A-Z_]{1,8}$/),
  },
  { requiredKeys: ['path', 'message'] },
);
const requestIdArb = fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/), { nil: undefined });
const retryAfterArb = fc.option(
  fc.oneof(
    fc.nat({ max: 86_400 }),
    fc.nat({ max: 4000 }).map((n) => n / 8),
  ),
  { nil: undefined },
);

interface Case {
  entry: Entry;
  details: Record<string, unknown>;
  fieldErrors: FieldError[];
  requestId: string | undefined;
  retryAfter: number | undefined;
}

function casesOf(catalog: Catalog<any>): fc.Arbitrary<Case> {
  return fc.constantFrom(...catalog.entries).chain((entry: Entry) =>
    fc.record({
      entry: fc.constant(entry),
      details: entry.details
        ? (arbitraryOf(entry.details) as fc.Arbitrary<Record<string, unknown>>)
        : fc.constant({}),
      fieldErrors: fc.array(fieldErrorArb, { maxLength: 4 }),
      requestId: requestIdArb,
      retryAfter: retryAfterArb,
    }),
  );
}

function errorOf(catalog: Catalog<any>, c: Case): ApiError {
  const options: Record<string, unknown> = { fieldErrors: c.fieldErrors };
  if (c.requestId !== undefined) options.requestId = c.requestId;
  if (c.retryAfter !== undefined) options.retryAfter = c.retryAfter;
  return (catalog.create as (...args: unknown[]) => ApiError)(c.entry.code, c.details, options);
}

function fieldKey(item: FieldError, withCode: boolean): string {
  return JSON.stringify([item.path, item.message, withCode ? (item.code ?? null) : null]);
}

/** Field errors as a sorted list: Sequin and Discord group errors by field. */
function fieldSet(items: readonly FieldError[] | undefined, withCode: boolean): string[] {
  return (items ?? []).map((item) => fieldKey(item, withCode)).sort();
}

function expectRoundTrip(
  original: ApiError,
  result: DecodeResult,
  format: FormatId,
  catalog: Catalog<any> | undefined,
): void {
  if (result.kind !== 'error') {
    throw new Error(`${format}: undecodable ${JSON.stringify(result)}`);
  }
  const back = result.error;
  expect(back.code).toStrictEqual(original.code);
  expect(back.status).toBe(original.status);
  expect(back.message).toBe(original.message);
  expect(back.details).toEqual(original.details);
  const withCode = CARRIES_FIELD_CODES.has(format);
  // An S2 structured body is the details object alone: it has no room for field errors.
  const structured =
    format === 's2' &&
    original.entry?.structured === true &&
    Object.keys(original.details as object).length > 0;
  expect(fieldSet(back.fieldErrors, withCode)).toEqual(
    structured ? [] : fieldSet(original.fieldErrors, withCode),
  );
  expect(back.requestId).toBe(original.requestId);
  const hint = original.retryAfter;
  expect(back.retryAfter).toBe(
    hint === undefined || BODY_RETRY.has(format) ? hint : Math.ceil(hint),
  );
  if (catalog !== undefined) {
    expect(back.entry).toBe(original.entry);
    expect([back.retry, back.sideEffect]).toEqual([original.retry, original.sideEffect]);
    expect(catalog.is(back, original.code)).toBe(true);
  }
}

/**
 * The format auto-detection picks for a body of `format`: the same, except where the flat
 * formats overlap — S2 and Discord both send `{code, message}` and are told apart by the type
 * of the code (and by the shape of `errors` when there are field errors).
 */
function expectedDetection(format: FormatId, error: ApiError, body: string): FormatId {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  if (format === 's2' && typeof parsed.code === 'number' && parsed.errors === undefined) {
    return 'discord';
  }
  if (format === 'discord' && typeof error.code === 'string' && parsed.errors === undefined) {
    return 's2';
  }
  return format;
}

function roundTrips(catalog: Catalog<any>, numRuns: number): void {
  fc.assert(
    fc.property(casesOf(catalog), (c) => {
      const original = errorOf(catalog, c);
      for (const format of FORMAT_IDS) {
        const encoded = encode(original, format, { catalog });
        const told = decode(encoded.status, encoded.headers, encoded.body, { catalog, format });
        expect(told.kind === 'error' && told.format).toBe(format);
        expectRoundTrip(original, told, format, catalog);
        const detected = decode(encoded.status, encoded.headers, encoded.body, { catalog });
        expectRoundTrip(original, detected, format, catalog);
        expect(detected.kind === 'error' && detected.format).toBe(
          expectedDetection(format, original, encoded.body),
        );
      }
    }),
    { numRuns },
  );
}

describe('decode(encode(e)) keeps code, status, details and field errors', () => {
  it('over a catalog of our own', () => {
    roundTrips(own, 400);
  });

  it('over every preset', async () => {
    const { presets } = (await import('../../presets/index.js')) as {
      presets: Record<string, Catalog<any>>;
    };
    const names = Object.keys(presets);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) roundTrips(presets[name]!, 150);
  });

  it('without a catalog, for errors that carry their own details', () => {
    const reserved = (key: string) => RESERVED_DETAIL_NAMES.has(key) || key === '_errors';
    const detailKey = identifier.filter((key) => !reserved(key));
    const codeArb = fc.oneof(
      fc.stringMatching(/^[a-z][a-z_]{0,10}$/),
      fc.integer({ min: 1000, max: 99_999 }),
    );
    fc.assert(
      fc.property(
        codeArb,
        fc.constantFrom(400, 404, 409, 429, 500, 503),
        fc.dictionary(detailKey, anyJson, { maxKeys: 4 }),
        fc.array(fieldErrorArb, { maxLength: 3 }),
        (code, status, details, fieldErrors) => {
          const original = new ApiError({
            code,
            status,
            message: 'Something failed',
            details,
            fieldErrors,
          });
          for (const format of FORMAT_IDS) {
            const encoded = encode(original, format);
            const back = decode(encoded.status, encoded.headers, encoded.body, { format });
            expectRoundTrip(original, back, format, undefined);
            // No catalog: retry semantics come from the status alone.
            expect(back.kind === 'error' && back.error.entry).toBeUndefined();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
