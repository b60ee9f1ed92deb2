import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { defineCatalog } from '../catalog.js';
import { ApiError, type FieldError } from '../error.js';
import { t } from '../schema.js';
import { type DecodeResult, decode, encode, type FormatId, formats } from './index.js';

/** Every input decoded here; the suite must reach 100 000 in one run. */
let inputs = 0;
const REQUIRED_INPUTS = 100_000;

const FORMAT_IDS = Object.keys(formats) as FormatId[];
const REASONS = new Set(['empty', 'too-large', 'not-json', 'unrecognized', 'invalid-input']);
const RETRY = new Set(['yes', 'no', 'after-change']);
const SIDE_EFFECT = new Set(['no', 'maybe', 'yes']);
const ONE_YEAR = 31_536_000;

const catalog = defineCatalog({
  name: 'fuzz',
  typeBase: 'https://errors.example.test/fuzz#',
  entries: {
    known: { name: 'Known', status: 400, retry: 'no', sideEffect: 'no', message: 'Known' },
    7: {
      name: 'Seven',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Seven {n}',
      details: { n: t.integer() },
    },
    held: {
      name: 'Held',
      status: 423,
      retry: 'yes',
      sideEffect: 'no',
      structured: true,
      message: 'Held by {holder}',
      details: { holder: t.string() },
    },
  },
});

const objectNames = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayNames = Object.getOwnPropertyNames(Array.prototype).sort();
const functionNames = Object.getOwnPropertyNames(Function.prototype).sort();

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectNames);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayNames);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(functionNames);
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

function fail(message: string, result: unknown): never {
  throw new Error(`${message}: ${String(JSON.stringify(result))?.slice(0, 500)}`);
}

/** Details and extensions are plain JSON data: no `__proto__` key, plain prototypes, bounded depth. */
function expectPlainJson(value: unknown, depth: number, result: unknown): void {
  if (depth > 48) fail('nested deeper than the bound', result);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('a non-finite number', result);
    return;
  }
  if (typeof value !== 'object') fail(`a ${typeof value} value`, result);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) fail('an odd array prototype', result);
    for (const item of value) expectPlainJson(item, depth + 1, result);
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) fail('an odd object prototype', result);
  for (const key of Object.keys(value as object)) {
    if (key === '__proto__') fail('a __proto__ key', result);
    expectPlainJson((value as Record<string, unknown>)[key], depth + 1, result);
  }
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function saneDelay(value: unknown): boolean {
  return (
    value === undefined ||
    (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= ONE_YEAR)
  );
}

function expectFieldErrors(items: readonly FieldError[] | undefined, result: unknown): void {
  if (items === undefined) return;
  if (!Array.isArray(items) || items.length === 0 || items.length > 1000) {
    fail('bad field error list', result);
  }
  for (const item of items) {
    if (typeof item.message !== 'string' || !optionalString(item.code)) {
      fail('bad field error', result);
    }
    const path: readonly unknown[] = item.path;
    if (!path.every((part) => typeof part === 'string' || typeof part === 'number')) {
      fail('bad field path', result);
    }
  }
}

/** The result is one of the two documented kinds, with the documented fields and types. */
function expectValidResult(result: DecodeResult): void {
  if (result.kind === 'error') {
    const { error, format } = result;
    if (!(error instanceof ApiError) || !ApiError.is(error)) fail('not an ApiError', result);
    if (!FORMAT_IDS.includes(format)) fail('unknown format', result);
    const code: unknown = error.code;
    if (typeof code !== 'string' && !(typeof code === 'number' && Number.isFinite(code))) {
      fail('bad code', result);
    }
    if (!Number.isInteger(error.status) || error.status < 100 || error.status > 599) {
      fail('bad status', result);
    }
    if (typeof error.message !== 'string') fail('bad message', result);
    if (!RETRY.has(error.retry) || !SIDE_EFFECT.has(error.sideEffect))
      fail('bad semantics', result);
    if (
      typeof error.details !== 'object' ||
      error.details === null ||
      Array.isArray(error.details)
    ) {
      fail('details not an object', result);
    }
    expectPlainJson(error.details, 0, result);
    if (error.extensions !== undefined) expectPlainJson(error.extensions, 0, result);
    if (!saneDelay(error.retryAfter)) fail('bad retryAfter', result);
    for (const value of [error.requestId, error.type, error.title, error.instance]) {
      if (!optionalString(value)) fail('bad string member', result);
    }
    expectFieldErrors(error.fieldErrors, result);
    return;
  }
  if (result.kind !== 'undecodable') fail('unknown kind', result);
  if (!REASONS.has(result.reason)) fail('unknown reason', result);
  if (typeof result.status !== 'number' || typeof result.message !== 'string') {
    fail('bad undecodable', result);
  }
  if (!optionalString(result.contentType) || !optionalString(result.requestId)) {
    fail('bad header members', result);
  }
  if (!saneDelay(result.retryAfter)) fail('bad retryAfter', result);
  if (result.text !== undefined && (typeof result.text !== 'string' || result.text.length > 200)) {
    fail('bad text', result);
  }
}

/** Decodes one input, checks the result, and re-encodes a decoded error in some format. */
function check(status: unknown, headers: unknown, body: unknown, options?: unknown): DecodeResult {
  inputs++;
  const result = decode(status as number, headers as never, body as never, options as never);
  expectValidResult(result);
  if (result.kind === 'error') {
    const encoded = encode(result.error, FORMAT_IDS[inputs % FORMAT_IDS.length]!);
    JSON.parse(encoded.body);
  }
  return result;
}

const statusArb = fc.oneof(
  fc.constantFrom(200, 202, 400, 401, 404, 409, 412, 416, 422, 429, 500, 502, 503),
  fc.integer({ min: 100, max: 599 }),
);

const headersArb = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'content-type',
        'Content-Type',
        'retry-after',
        'Retry-After',
        'retry-after-ms',
        'x-request-id',
        'Request-Id',
        'x-correlation-id',
      ),
      fc.string({ maxLength: 16 }),
    ),
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('application/problem+json', '120', '1.5', 'Wed, 21 Oct 2015 07:28:00 GMT'),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
      fc.integer(),
    ),
    { maxKeys: 4 },
  ),
);

/** Names formats read, so random objects reach the decoders and not only detection. */
const memberName = fc.constantFrom(
  'code',
  'message',
  'errors',
  'summary',
  'validation_errors',
  'error',
  'details',
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'request_id',
  'retry_after',
  'timestamp',
  'global',
  'tail',
  'seq_num_mismatch',
  'fencing_token_mismatch',
  'holder',
  'n',
  '_errors',
  'pointer',
  'field',
  'path',
  '@type',
  'reason',
  'metadata',
  'retryDelay',
  'fieldViolations',
  'requestId',
  'value',
  '__proto__',
  'constructor',
  'prototype',
);

const googleType = fc.constantFrom(
  'type.googleapis.com/google.rpc.ErrorInfo',
  'type.googleapis.com/google.rpc.RetryInfo',
  'type.googleapis.com/google.rpc.BadRequest',
  'type.googleapis.com/google.rpc.RequestInfo',
  'type.googleapis.com/google.protobuf.Struct',
  'type.googleapis.com/google.rpc.Help',
);

/** Objects shaped like error bodies, with members of every type in every place. */
const shapedArb: fc.Arbitrary<unknown> = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.jsonValue({ maxDepth: 1 }),
      fc.constantFrom('#/a/0', 'a.b[0].c', '1.5s', '', '0', '50014'),
      tie('node'),
      fc.array(tie('value'), { maxLength: 3 }),
    ),
    node: fc.oneof(
      fc.dictionary(fc.oneof(memberName, fc.string({ maxLength: 6 })), tie('value'), {
        maxKeys: 5,
      }),
      fc.record({ '@type': googleType, reason: tie('value'), value: tie('value') }),
    ),
  }))
  .node.map((node) => JSON.parse(JSON.stringify(node)) as unknown);

/** The same, inside a Google envelope or a Discord errors tree. */
const envelopeArb = fc.oneof(
  shapedArb,
  shapedArb.map((inner) => ({ error: inner })),
  fc
    .array(shapedArb, { maxLength: 4 })
    .map((details) => ({ error: { code: 400, message: 'm', details } })),
  shapedArb.map((tree) => ({ code: 50035, message: 'm', errors: tree })),
);

const optionsArb = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      catalog: fc.constant(catalog),
      format: fc.constantFrom(...FORMAT_IDS),
      maxBytes: fc.oneof(fc.nat({ max: 4096 }), fc.constant(Number.NaN), fc.constant(-1)),
      now: fc.constant(() => Date.UTC(2015, 9, 21, 7, 27)),
    },
    { requiredKeys: [] },
  ),
);

/** The body as text or as the parsed object the caller might hand in. */
function both(status: number, headers: unknown, value: unknown, options?: unknown): void {
  check(status, headers, JSON.stringify(value), options);
  check(status, headers, value, options);
}

afterEach(() => {
  expectNoPollution();
});

describe('decode never throws and never pollutes prototypes', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(
        statusArb,
        headersArb,
        fc.uint8Array({ maxLength: 256 }),
        (status, headers, bytes) => {
          check(status, headers, bytes);
          check(status, headers, bytes.buffer);
        },
      ),
      { numRuns: 6000 },
    );
  });

  it('on random strings', () => {
    fc.assert(
      fc.property(
        statusArb,
        headersArb,
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.json({ maxDepth: 3 }),
        ),
        (status, headers, text) => {
          check(status, headers, text);
        },
      ),
      { numRuns: 15_000 },
    );
  });

  it('on random JSON values, as text and as parsed values', () => {
    fc.assert(
      fc.property(
        statusArb,
        headersArb,
        fc.jsonValue({ maxDepth: 4 }),
        optionsArb,
        (s, h, value, o) => {
          both(s, h, value, o);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('on random objects of every kind handed in parsed', () => {
    const anything = fc.object({
      key: fc.oneof(fc.string({ maxLength: 6 }), memberName),
      maxDepth: 3,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(statusArb, anything, optionsArb, (status, value, options) => {
        check(status, undefined, value, options);
      }),
      { numRuns: 8000 },
    );
  });

  it('on bodies shaped like every format, with members of the wrong types', () => {
    fc.assert(
      fc.property(
        statusArb,
        headersArb,
        envelopeArb,
        optionsArb,
        (status, headers, value, options) => {
          both(status, headers, value, options);
          check(status, headers, JSON.stringify(value), { catalog });
        },
      ),
      { numRuns: 12_000 },
    );
  });

  it('on __proto__ and constructor keys anywhere', () => {
    const attack = fc.constantFrom(
      '{"__proto__": {"polluted": true}, "code": "x", "message": "m"}',
      '{"constructor": {"prototype": {"polluted": true}}, "code": "x", "message": "m"}',
      '{"code": 7, "message": "m", "n": {"__proto__": {"polluted": true}}}',
      '{"code": 1, "message": "m", "errors": {"__proto__": {"_errors": [{"message": "p"}]}}}',
      '{"summary": "s", "validation_errors": {"__proto__": ["p"], "constructor.prototype.polluted": ["p"]}}',
      '{"error": "Bad", "code": "x", "message": "m", "details": {"__proto__": {"polluted": true}}}',
      '{"error": {"code": 400, "message": "m", "details": [{"@type": "type.googleapis.com/google.protobuf.Struct", "value": {"__proto__": {"polluted": true}}}, {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "__proto__.polluted", "description": "d"}]}]}}',
      '{"type": "about:blank", "title": "t", "errors": [{"pointer": "#/__proto__/polluted", "detail": "d"}]}',
      '{"holder": "x", "__proto__": {"polluted": true}}',
    );
    fc.assert(
      fc.property(statusArb, attack, optionsArb, (status, text, options) => {
        const result = check(status, undefined, text, options);
        check(status, undefined, JSON.parse(text), options);
        if (result.kind === 'error') {
          // A decoded error re-encoded in every format, field paths named __proto__ included.
          for (const id of FORMAT_IDS) JSON.parse(encode(result.error, id).body);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('on wrong types for every argument', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), statusArb),
        fc.oneof(fc.anything(), headersArb),
        fc.oneof(fc.anything(), fc.string({ maxLength: 20 })),
        fc.oneof(fc.anything(), optionsArb),
        (status, headers, body, options) => {
          check(status, headers, body, options);
        },
      ),
      { numRuns: 8000 },
    );
  });

  it('on JSON nested up to 10 000 levels', () => {
    const deep = fc.record({
      depth: fc.integer({ min: 1, max: 10_000 }),
      open: fc.constantFrom('[', '{"a":', '{"code":"x","message":"m","d":'),
    });
    fc.assert(
      fc.property(deep, ({ depth, open }) => {
        const close = open === '[' ? ']' : '}';
        const text = `{"code":"x","message":"m","deep":${open.repeat(depth)}1${close.repeat(depth)}}`;
        const result = check(500, undefined, text);
        expect(result.kind).toBe('error');
        // The same nesting handed in as an object, built without recursion.
        let value: unknown = 1;
        for (let i = 0; i < depth; i++) value = open === '[' ? [value] : { a: value };
        check(500, undefined, { code: 'x', message: 'm', deep: value });
      }),
      { numRuns: 150 },
    );
  });

  it('on huge strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000, max: 3_000_000 }), fc.boolean(), (length, asBytes) => {
        const text = `{"code":"x","message":"${'m'.repeat(length)}"}`;
        const body = asBytes ? new TextEncoder().encode(text) : text;
        const result = check(500, undefined, body);
        expect(result.kind === 'undecodable' ? result.reason : 'error').toBe(
          text.length > 1024 * 1024 ? 'too-large' : 'error',
        );
      }),
      { numRuns: 24 },
    );
  });

  it('on hostile objects: throwing getters, proxies, cycles, detached buffers', () => {
    const throwing = () => {
      throw new Error('boom');
    };
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const cyclic: Record<string, unknown> = { code: 'x', message: 'm' };
    cyclic.self = cyclic;
    const wide: Record<string, unknown> = { code: 'x', message: 'm' };
    wide.left = wide;
    wide.right = wide;
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    const detached = new ArrayBuffer(8);
    const detachedView = new Uint8Array(detached);
    structuredClone(detached, { transfer: [detached] });
    const trap = new Proxy(
      {},
      { get: throwing, ownKeys: throwing, getPrototypeOf: throwing, has: throwing },
    );
    const bodies: unknown[] = [
      trap,
      revocable.proxy,
      Object.defineProperty({ message: 'm' }, 'code', { get: throwing, enumerable: true }),
      cyclic,
      wide,
      { code: 'x', message: 'm', list: sparse },
      detached,
      detachedView,
      { [Symbol.toStringTag]: 'ArrayBuffer', code: 'x', message: 'm' },
      Object.defineProperty({}, Symbol.toStringTag, { get: throwing }),
      () => '{}',
      Symbol('body'),
      10n,
      new Proxy([], { get: throwing }),
    ];
    const headerBags: unknown[] = [
      undefined,
      trap,
      { get: throwing },
      { get: () => 42 },
      [['retry-after', trap]],
      { 'retry-after': trap },
      Object.defineProperty({}, 'x-request-id', { get: throwing, enumerable: true }),
    ];
    const optionBags: unknown[] = [
      undefined,
      trap,
      Object.defineProperty({}, 'catalog', { get: throwing, enumerable: true }),
      { catalog: {} },
      { catalog: { get: throwing, getByType: throwing, entries: [] } },
      { now: throwing },
      { format: { id: 'problem', decode: throwing } },
      { maxBytes: trap },
    ];
    const retryDate = { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' };
    for (const body of bodies) {
      for (const headers of [...headerBags, retryDate]) {
        for (const options of optionBags) check(429, headers, body, options);
      }
    }
    for (const headers of headerBags) {
      for (const options of optionBags) check(429, headers, '{"code":"x","message":"m"}', options);
    }
    expect(check(500, undefined, trap)).toMatchObject({
      kind: 'undecodable',
      reason: 'invalid-input',
    });
    expect(check(500, undefined, wide)).toMatchObject({ kind: 'undecodable', reason: 'too-large' });
    expect(check(500, undefined, cyclic)).toMatchObject({ kind: 'error' });
  });
});

describe('encode never throws and never pollutes prototypes', () => {
  it('on errors with hostile field paths and details', () => {
    const segmentArb = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', '_errors', 'a.b', 'a/b', '~', ''),
      fc.string({ maxLength: 6 }),
      fc.nat({ max: 5 }),
    );
    const fieldErrors = fc.array(
      fc.record({
        path: fc.array(segmentArb, { maxLength: 4 }),
        message: fc.string({ maxLength: 10 }),
      }),
      { maxLength: 4 },
    );
    const details = fc.dictionary(
      fc.oneof(segmentArb.map(String), memberName),
      fc.jsonValue({ maxDepth: 2 }),
      {
        maxKeys: 4,
      },
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
        statusArb,
        details,
        fieldErrors,
        (code, status, detailsValue, errors) => {
          const error = new ApiError({
            code,
            status,
            message: 'm',
            details: detailsValue,
            fieldErrors: errors,
          });
          for (const id of FORMAT_IDS) {
            const encoded = encode(error, id);
            JSON.parse(encoded.body);
            check(encoded.status, encoded.headers, encoded.body, { catalog });
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on details JSON cannot hold (cycles, BigInt)', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const details of [cyclic, { big: 10n, ok: 1 }]) {
      const error = new ApiError({ code: 'x', status: 500, message: 'm', details });
      for (const id of FORMAT_IDS) {
        const back = check(500, undefined, encode(error, id).body, { format: id });
        expect(back.kind === 'error' && back.error.details).toMatchObject({
          ...(details === cyclic ? { a: 1 } : { ok: 1 }),
        });
      }
    }
  });
});

describe('fuzz size', () => {
  // Runs last (tests in a file run in order): lowering numRuns below the goal fails here.
  it('decoded at least 100 000 generated inputs', () => {
    expect(inputs).toBeGreaterThanOrEqual(REQUIRED_INPUTS);
  });
});
