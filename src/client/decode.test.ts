import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../core/catalog.js';
import { ApiError } from '../core/error.js';
import {
  statusSemantics as coreSemantics,
  decode,
  encode,
  type FormatId,
  reasonPhrase,
} from '../core/index.js';
import type { JsonSchema } from '../core/schema.js';
import { presets } from '../presets/index.js';
import { decodeError, statusSemantics } from './decode.js';

const FORMATS: FormatId[] = ['problem', 's2', 'sequin', 'discord', 'jan', 'google'];

/** A value that satisfies `schema`, for building details of any entry. */
function sample(schema: JsonSchema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf[0]);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 3;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [sample(schema.items)];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sample(value)]),
      );
    default:
      return schema.format === 'date-time' ? '2030-01-01T00:00:00Z' : 'x';
  }
}

/** What matters of a decoded error, to compare two decoders. */
function facts(error: ApiError) {
  return {
    code: error.code,
    status: error.status,
    entry: error.entry?.code,
    retry: error.retry,
    sideEffect: error.sideEffect,
    message: error.message,
    details: error.details,
    fieldErrors: error.fieldErrors,
    requestId: error.requestId,
    retryAfter: error.retryAfter,
  };
}

const cases: { name: string; catalog: Catalog<any>; format: FormatId }[] = [];
for (const [name, catalog] of Object.entries(presets)) {
  for (const format of FORMATS) cases.push({ name, catalog, format });
}

describe('the client decoder agrees with the core', () => {
  it.each(cases)('on every $name entry encoded as $format', ({ catalog, format }) => {
    for (const entry of catalog.entries) {
      if (entry.status < 400) continue;
      const error = (catalog as Catalog).create(entry.code, sample(entry.details) as never, {
        requestId: 'req-1',
        retryAfter: 2,
        fieldErrors: [
          { path: ['items', 0, 'name'], message: 'is required', code: 'REQUIRED' },
          { path: ['email'], message: 'is not an email' },
        ],
      });
      const wire = encode(error, format, { catalog });
      const headers = new Headers(wire.headers);
      const core = decode(wire.status, headers, wire.body, { catalog });
      expect(core.kind).toBe('error');
      if (core.kind !== 'error') continue;
      const mine = decodeError(wire.status, headers, wire.body, catalog);
      expect(facts(mine), `${entry.code} as ${format}`).toEqual(facts(core.error));
      expect(mine.entry).toBe(
        entry.successEquivalent || entry.pending ? mine.entry : core.error.entry,
      );
    }
  });

  it('without a catalog, on the same bodies', () => {
    for (const catalog of Object.values(presets)) {
      for (const entry of catalog.entries.filter((e) => e.status >= 400)) {
        for (const format of FORMATS) {
          const error = (catalog as Catalog).create(entry.code, sample(entry.details) as never);
          const wire = encode(error, format, { catalog });
          const core = decode(wire.status, new Headers(wire.headers), wire.body);
          if (core.kind !== 'error') continue;
          const mine = decodeError(wire.status, new Headers(wire.headers), wire.body);
          // A body with no message of its own: the core writes the reason phrase, the client
          // `HTTP <status>` (the phrase table is not worth its bytes in the client).
          const expected = facts(core.error);
          if (
            expected.message === reasonPhrase(wire.status) &&
            mine.message === `HTTP ${wire.status}`
          ) {
            expected.message = mine.message;
          }
          expect(facts(mine), `${entry.code} as ${format}`).toEqual(expected);
        }
      }
    }
  });

  it('on the status semantics of every status', () => {
    for (let status = 100; status <= 599; status++) {
      expect(statusSemantics(status), String(status)).toEqual(coreSemantics(status));
    }
  });

  it('on arbitrary JSON objects, in code, status and retry semantics', () => {
    const member = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
    );
    const key = fc.constantFrom(
      'code',
      'message',
      'detail',
      'title',
      'type',
      'summary',
      'error',
      'errors',
      'request_id',
      'retry_after',
      'details',
      'extra',
    );
    fc.assert(
      fc.property(
        fc.dictionary(key, member),
        fc.integer({ min: 400, max: 599 }),
        (body, status) => {
          const text = JSON.stringify(body);
          const mine = decodeError(status, new Headers(), text, presets.s2);
          expect(mine).toBeInstanceOf(ApiError);
          expect(mine.status).toBe(status);
          const core = decode(status, new Headers(), text, { catalog: presets.s2 });
          if (core.kind === 'error' && typeof body.code === 'string') {
            expect(mine.code).toBe(core.error.code);
            expect(mine.retry).toBe(core.error.retry);
          }
        },
      ),
    );
  });
});

describe('the client decoder on hostile or odd bodies', () => {
  it.each([
    ['empty', ''],
    ['HTML', '<!doctype html><title>502 Bad Gateway</title>'],
    ['an array', '[{"code":"x"}]'],
    ['a string', '"oops"'],
    ['deep nesting', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
    ['broken JSON', '{"code": "unavailable", '],
  ])('gives the status as code for %s', (_name, text) => {
    const error = decodeError(503, new Headers(), text);
    expect(error).toMatchObject({ code: 503, status: 503, retry: 'yes', sideEffect: 'maybe' });
  });

  it('drops __proto__ keys at every depth', () => {
    const text =
      '{"code":"x","message":"m","__proto__":{"polluted":1},"extra":{"__proto__":{"polluted":2}},"details":{"a":{"__proto__":{"p":3}}}}';
    const error = decodeError(400, new Headers(), text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(error.details)).toBe(Object.prototype);
    expect(JSON.stringify(error.details)).not.toContain('__proto__');
    expect(error.details).toEqual({ extra: {}, a: {} });
  });

  it('bounds field errors and the walk of a deep errors tree', () => {
    const many = { code: 50035, message: 'Invalid', errors: [] as unknown[] };
    for (let i = 0; i < 5000; i++) many.errors.push({ field: `f${i}`, message: 'bad' });
    expect(decodeError(400, new Headers(), JSON.stringify(many)).fieldErrors).toHaveLength(1000);
    let tree: Record<string, unknown> = { _errors: [{ code: 'X', message: 'deep' }] };
    for (let i = 0; i < 500; i++) tree = { [`k${i}`]: tree };
    const error = decodeError(
      400,
      new Headers(),
      JSON.stringify({ code: 1, message: 'm', errors: tree }),
    );
    expect(error.fieldErrors).toBeUndefined();
  });

  it('reads the request id and retry-after-ms from the headers', () => {
    const error = decodeError(
      429,
      new Headers({ 'x-request-id': 'abc', 'retry-after-ms': '1500' }),
      '{"code":"rate_limited","message":"slow down","retry_after":9}',
      presets.s2,
    );
    expect(error).toMatchObject({ requestId: 'abc', retryAfter: 1.5, code: 'rate_limited' });
  });

  it("reads Google's RetryInfo delay in both of its forms", () => {
    const body = (retryDelay: unknown) =>
      JSON.stringify({
        error: {
          code: 503,
          message: 'busy',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }],
        },
      });
    expect(decodeError(503, new Headers(), body('1.5s')).retryAfter).toBe(1.5);
    expect(decodeError(503, new Headers(), body({ seconds: '5', nanos: 5e8 })).retryAfter).toBe(
      5.5,
    );
  });

  it('reads S2 structured bodies without a catalog', () => {
    expect(decodeError(412, new Headers(), '{"seq_num_mismatch":42}')).toMatchObject({
      code: 'seq_num_mismatch',
      details: { seq_num_mismatch: 42 },
    });
    expect(decodeError(416, new Headers(), '{"tail":{"seq_num":1,"timestamp":2}}').code).toBe(
      'range_not_satisfiable',
    );
  });
});
