import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCatalog } from '../catalog.js';
import { ApiError } from '../error.js';
import { t } from '../schema.js';
import {
  type DecodeResult,
  decode,
  type EncodedError,
  encode,
  type FormatId,
  formats,
  type WireFormat,
} from './index.js';

// Small catalogs built from the seeds' facts, so these tests do not depend on the presets.
const s2Catalog = defineCatalog({
  name: 's2',
  typeBase: 'https://errors.example.test/s2#',
  entries: {
    stream_not_found: {
      name: 'StreamNotFound',
      status: 404,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'The stream does not exist',
    },
    rate_limited: {
      name: 'RateLimited',
      status: 429,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Slow down',
    },
    fencing_token_mismatch: {
      name: 'FencingTokenMismatch',
      status: 412,
      retry: 'after-change',
      sideEffect: 'no',
      structured: true,
      message: 'Fencing token mismatch; current: {fencing_token_mismatch}',
      details: { fencing_token_mismatch: t.string() },
    },
    seq_num_mismatch: {
      name: 'SeqNumMismatch',
      status: 412,
      retry: 'after-change',
      sideEffect: 'no',
      structured: true,
      message: 'Sequence number mismatch; next: {seq_num_mismatch}',
      details: { seq_num_mismatch: t.integer() },
    },
    range_not_satisfiable: {
      name: 'RangeNotSatisfiable',
      status: 416,
      retry: 'after-change',
      sideEffect: 'no',
      structured: true,
      message: 'The read starts past the tail',
      details: { tail: t.object({ seq_num: t.integer(), timestamp: t.integer() }) },
    },
  },
});

const sequinCatalog = defineCatalog({
  name: 'sequin',
  entries: {
    404: { name: 'NotFound', status: 404, retry: 'no', sideEffect: 'no', message: 'Not found' },
    422: {
      name: 'UnprocessableEntity',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      message: 'Validation failed',
    },
    429: { name: 'TooManyRequests', status: 429, retry: 'yes', sideEffect: 'no', message: 'Slow' },
  },
});

const discordCatalog = defineCatalog({
  name: 'discord',
  entries: {
    50014: {
      name: 'InvalidAuthenticationToken',
      status: 401,
      retry: 'no',
      sideEffect: 'no',
      message: 'Invalid authentication token provided',
    },
    50035: {
      name: 'InvalidFormBody',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'Invalid form body',
    },
  },
});

const janCatalog = defineCatalog({
  name: 'jan',
  entries: {
    INVALID_REQUEST: {
      name: 'InvalidRequest',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'Request body is invalid',
      details: { field: t.string(), issue: t.string() },
    },
    INSUFFICIENT_PERMISSION: {
      name: 'InsufficientPermission',
      status: 403,
      retry: 'no',
      sideEffect: 'no',
      message: 'Forbidden',
    },
    RATE_LIMIT_EXCEEDED: {
      name: 'RateLimitExceeded',
      status: 429,
      retry: 'yes',
      sideEffect: 'no',
      message: 'Rate limit exceeded',
      details: { limit: t.integer(), remaining: t.integer(), reset_at: t.string() },
    },
    INTERNAL_ERROR: {
      name: 'InternalError',
      status: 500,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'An unexpected error occurred',
    },
    VALIDATION_FAILED: {
      name: 'ValidationFailed',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      message: 'Validation failed',
    },
  },
});

/** The decoded error, failing the test with the reason when there is none. */
function decoded(result: DecodeResult): { error: ApiError; format: FormatId } {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

const json = (value: unknown): string => JSON.stringify(value);

describe('s2', () => {
  it('decodes the standard body with and without a catalog', () => {
    const body = json({ code: 'stream_not_found', message: 'stream orders does not exist' });
    const bare = decoded(decode(404, undefined, body));
    expect(bare.format).toBe('s2');
    expect(bare.error.code).toBe('stream_not_found');
    expect(bare.error.message).toBe('stream orders does not exist');
    expect(bare.error.entry).toBeUndefined();
    // Without a catalog, the status decides: 404 is not retried and had no side effect.
    expect([bare.error.retry, bare.error.sideEffect]).toEqual(['no', 'no']);

    const known = decoded(decode(404, undefined, body, { catalog: s2Catalog }));
    expect(known.error.entry?.name).toBe('StreamNotFound');
    expect(known.error.retry).toBe('after-change');
    expect(s2Catalog.is(known.error, 'stream_not_found')).toBe(true);
  });

  it('decodes both 412 bodies and the 416 tail body without a catalog', () => {
    const fencing = decoded(decode(412, undefined, '{"fencing_token_mismatch": "token-7"}'));
    expect(fencing).toMatchObject({ format: 's2' });
    expect(fencing.error.code).toBe('fencing_token_mismatch');
    expect(fencing.error.details).toEqual({ fencing_token_mismatch: 'token-7' });

    const seq = decoded(decode(412, undefined, '{"seq_num_mismatch": 42}'));
    expect(seq.error.code).toBe('seq_num_mismatch');
    expect(seq.error.details).toEqual({ seq_num_mismatch: 42 });

    const tail = decoded(
      decode(416, undefined, '{"tail": {"seq_num": 42, "timestamp": 1767996832000}}'),
    );
    expect(tail.error.code).toBe('range_not_satisfiable');
    expect(tail.error.details).toEqual({ tail: { seq_num: 42, timestamp: 1767996832000 } });
    expect(tail.error.status).toBe(416);
  });

  it('finds structured entries by their member names with a catalog', () => {
    const seq = decoded(decode(412, undefined, '{"seq_num_mismatch": 42}', { catalog: s2Catalog }));
    expect(seq.error.entry?.name).toBe('SeqNumMismatch');
    expect(seq.error.message).toBe('Sequence number mismatch; next: 42');
    expect(s2Catalog.is(seq.error, 'seq_num_mismatch')).toBe(true);

    const tail = decoded(
      decode(416, undefined, '{"tail": {"seq_num": 42, "timestamp": 1767996832000}}', {
        catalog: s2Catalog,
      }),
    );
    expect(tail.error.code).toBe('range_not_satisfiable');
    expect(s2Catalog.is(tail.error, 'range_not_satisfiable')).toBe(true);
  });

  it('recognises a structured body of a custom catalog by its members alone', () => {
    const custom = defineCatalog({
      name: 'locks',
      entries: {
        lock_held: {
          name: 'LockHeld',
          status: 423,
          retry: 'yes',
          sideEffect: 'no',
          structured: true,
          message: 'Held by {holder}',
          details: { holder: t.string() },
        },
      },
    });
    expect(decode(423, undefined, '{"holder": "node-2"}').kind).toBe('undecodable');
    const result = decoded(decode(423, undefined, '{"holder": "node-2"}', { catalog: custom }));
    expect(result.format).toBe('s2');
    expect(result.error.code).toBe('lock_held');
    expect(result.error.message).toBe('Held by node-2');
  });

  it('encodes a structured entry as its details alone, and a standard one flat', () => {
    const structured = encode(s2Catalog.create('seq_num_mismatch', { seq_num_mismatch: 42 }), 's2');
    expect(structured).toEqual({
      status: 412,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"seq_num_mismatch":42}',
    } satisfies EncodedError);

    const flat = encode(
      s2Catalog.create('rate_limited', undefined, { requestId: 'req-1', retryAfter: 1.2 }),
      's2',
    );
    expect(flat).toEqual({
      status: 429,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'retry-after': '2',
        'x-request-id': 'req-1',
      },
      body: '{"code":"rate_limited","message":"Slow down"}',
    });
  });
});

describe('sequin', () => {
  const body422 = json({
    summary: 'Error summary',
    validation_errors: { field_name: ['Reason for validation failure'] },
  });

  it('decodes the 422 body with validation errors, with and without a catalog', () => {
    const bare = decoded(decode(422, undefined, body422));
    expect(bare.format).toBe('sequin');
    expect(bare.error.code).toBe(422);
    expect(bare.error.message).toBe('Error summary');
    expect(bare.error.fieldErrors).toEqual([
      { path: ['field_name'], message: 'Reason for validation failure' },
    ]);

    const known = decoded(decode(422, undefined, body422, { catalog: sequinCatalog }));
    expect(known.error.entry?.name).toBe('UnprocessableEntity');
    expect(sequinCatalog.is(known.error, 422)).toBe(true);
  });

  it('joins nested field paths with dots and reads them back', () => {
    const error = sequinCatalog.create(422, undefined, {
      fieldErrors: [
        { path: ['items', 0, 'name'], message: 'is required' },
        { path: ['items', 0, 'name'], message: 'is too short' },
        { path: ['email'], message: 'is invalid' },
      ],
    });
    const encoded = encode(error, 'sequin');
    expect(encoded.body).toBe(
      '{"summary":"Validation failed","validation_errors":{"items.0.name":["is required","is too short"],"email":["is invalid"]}}',
    );
    const back = decoded(decode(encoded.status, encoded.headers, encoded.body));
    expect(back.error.fieldErrors).toEqual(error.fieldErrors);
  });

  it('adds a code member only when the code is not the status', () => {
    const pure = encode(sequinCatalog.create(404), 'sequin');
    expect(pure.body).toBe('{"summary":"Not found"}');
    const coded = encode(
      new ApiError({ code: 'table_missing', status: 404, message: 'No table' }),
      'sequin',
    );
    expect(coded.body).toBe('{"summary":"No table","code":"table_missing"}');
  });
});

describe('discord', () => {
  const seed = '{"message": "Invalid authentication token","code": 50014}';

  it('decodes the seed body with and without a catalog', () => {
    const bare = decoded(decode(401, undefined, seed));
    expect(bare.format).toBe('discord');
    expect(bare.error.code).toBe(50014);
    expect(bare.error.message).toBe('Invalid authentication token');
    expect(bare.error.entry).toBeUndefined();

    const known = decoded(decode(401, undefined, seed, { catalog: discordCatalog }));
    expect(known.error.entry?.name).toBe('InvalidAuthenticationToken');
    expect(discordCatalog.is(known.error, 50014)).toBe(true);
  });

  it('reads the nested errors object, indexes as numbers', () => {
    const body = json({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        embeds: {
          0: {
            title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Too long' }] },
          },
        },
        _errors: [{ code: 'EMPTY', message: 'Body is empty' }],
      },
    });
    const result = decoded(decode(400, undefined, body, { catalog: discordCatalog }));
    expect(result.error.fieldErrors).toEqual([
      { path: ['embeds', 0, 'title'], message: 'Too long', code: 'BASE_TYPE_MAX_LENGTH' },
      { path: [], message: 'Body is empty', code: 'EMPTY' },
    ]);
  });

  it('encodes field errors as the nested tree and retry_after in seconds', () => {
    const error = new ApiError({
      code: 50035,
      status: 400,
      message: 'Invalid Form Body',
      retryAfter: 0.25,
      fieldErrors: [{ path: ['embeds', 0, 'title'], message: 'Too long', code: 'MAX' }],
    });
    expect(encode(error, 'discord')).toEqual({
      status: 400,
      headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' },
      body: '{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"title":{"_errors":[{"code":"MAX","message":"Too long"}]}}}},"retry_after":0.25}',
    });
  });

  it('reads a fractional body retry_after and keeps global as a detail', () => {
    const body = json({
      code: 0,
      message: 'You are being rate limited.',
      retry_after: 0.8,
      global: true,
    });
    const result = decoded(decode(429, { 'Retry-After': '1' }, body));
    expect(result.error.retryAfter).toBe(0.8);
    expect(result.error.details).toEqual({ global: true });
    expect(result.error.retry).toBe('yes');
  });
});

describe('jan', () => {
  it('decodes the 400 body with its details object', () => {
    const body = json({
      error: 'Bad Request',
      code: 'INVALID_REQUEST',
      message: 'Request body is invalid',
      details: { field: 'conversation_title', issue: 'Cannot be empty' },
    });
    for (const catalog of [undefined, janCatalog]) {
      const result = decoded(decode(400, undefined, body, catalog ? { catalog } : {}));
      expect(result.format).toBe('jan');
      expect(result.error.code).toBe('INVALID_REQUEST');
      expect(result.error.details).toEqual({
        field: 'conversation_title',
        issue: 'Cannot be empty',
      });
      expect(result.error.entry?.name).toBe(catalog ? 'InvalidRequest' : undefined);
    }
  });

  it('decodes the 429 body: top-level extras become details, retry hints are read', () => {
    const body = json({
      error: 'Too Many Requests',
      code: 'RATE_LIMIT_EXCEEDED',
      message: 'You have exceeded the rate limit',
      limit: 100,
      remaining: 0,
      reset_at: '2025-12-23T12:05:00Z',
      retry_after: 60,
    });
    const headers = {
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '1703331900',
      'Retry-After': '60',
    };
    const bare = decoded(decode(429, headers, body));
    expect(bare.error.details).toEqual({
      limit: 100,
      remaining: 0,
      reset_at: '2025-12-23T12:05:00Z',
    });
    expect(bare.error.retryAfter).toBe(60);
    expect([bare.error.retry, bare.error.sideEffect]).toEqual(['yes', 'no']);

    const known = decoded(decode(429, headers, body, { catalog: janCatalog }));
    expect(janCatalog.is(known.error, 'RATE_LIMIT_EXCEEDED')).toBe(true);
    expect(known.error.details).toEqual({
      limit: 100,
      remaining: 0,
      reset_at: '2025-12-23T12:05:00Z',
    });
  });

  it('decodes the 500 body with its request id', () => {
    const body = json({
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'An unexpected error occurred',
      request_id: 'req_abc123',
      timestamp: '2025-12-23T12:00:00Z',
    });
    const result = decoded(
      decode(500, { 'x-request-id': 'from-header' }, body, { catalog: janCatalog }),
    );
    expect(result.error.requestId).toBe('req_abc123');
    expect([result.error.retry, result.error.sideEffect]).toEqual(['yes', 'maybe']);
  });

  it('decodes the 422 body with field errors', () => {
    const body = json({
      error: 'Unprocessable Entity',
      code: 'VALIDATION_FAILED',
      message: 'Validation failed',
      errors: [
        { field: 'email', message: 'Invalid email format', code: 'INVALID_FORMAT' },
        { field: 'age', message: 'Must be between 18 and 120', code: 'OUT_OF_RANGE' },
      ],
    });
    const result = decoded(decode(422, undefined, body, { catalog: janCatalog }));
    expect(result.error.fieldErrors).toEqual([
      { path: ['email'], message: 'Invalid email format', code: 'INVALID_FORMAT' },
      { path: ['age'], message: 'Must be between 18 and 120', code: 'OUT_OF_RANGE' },
    ]);
  });

  it('keeps members an entry does not declare as extensions', () => {
    const body = json({
      error: 'Forbidden',
      code: 'INSUFFICIENT_PERMISSION',
      message: 'You do not have permission to access this resource',
      required_role: 'admin',
    });
    const bare = decoded(decode(403, undefined, body));
    expect(bare.error.details).toEqual({ required_role: 'admin' });
    const known = decoded(decode(403, undefined, body, { catalog: janCatalog }));
    expect(known.error.details).toEqual({});
    expect(known.error.extensions).toEqual({ required_role: 'admin' });
  });

  it('encodes the envelope with a timestamp from the clock', () => {
    const error = janCatalog.create('VALIDATION_FAILED', undefined, {
      requestId: 'req_9',
      fieldErrors: [{ path: ['email'], message: 'Invalid email format', code: 'INVALID_FORMAT' }],
    });
    const encoded = encode(error, 'jan', { now: () => new Date(Date.UTC(2025, 11, 23, 12)) });
    expect(encoded).toEqual({
      status: 422,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_9' },
      body: '{"error":"Unprocessable Content","code":"VALIDATION_FAILED","message":"Validation failed","errors":[{"field":"email","message":"Invalid email format","code":"INVALID_FORMAT"}],"request_id":"req_9","timestamp":"2025-12-23T12:00:00.000Z"}',
    });
  });
});

describe('google', () => {
  const body = json({
    error: {
      code: 429,
      message: 'Quota of read requests exceeded',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'storage.example.test',
          metadata: { quota_metric: 'reads', limit: '100' },
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.5s' },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [] },
      ],
    },
  });

  it('decodes ErrorInfo, RetryInfo and metadata without a catalog', () => {
    const result = decoded(decode(429, undefined, body));
    expect(result.format).toBe('google');
    expect(result.error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(result.error.message).toBe('Quota of read requests exceeded');
    expect(result.error.retryAfter).toBe(2.5);
    expect(result.error.details).toEqual({ quota_metric: 'reads', limit: '100' });
    expect(result.error.extensions).toEqual({
      details: [{ '@type': 'type.googleapis.com/google.rpc.Help', links: [] }],
    });
  });

  it('decodes with a catalog: the reason is looked up', () => {
    const result = decoded(decode(429, undefined, body, { catalog: janCatalog }));
    expect(result.error.entry?.name).toBe('RateLimitExceeded');
    // The entry declares limit but not quota_metric; metadata values stay strings.
    expect(result.error.details).toEqual({ limit: '100' });
    expect(result.error.extensions).toMatchObject({ quota_metric: 'reads' });
  });

  it('encodes every detail kind', () => {
    const error = new ApiError({
      code: 2003,
      status: 409,
      message: 'Version moved',
      requestId: 'req-4',
      retryAfter: 1.5,
      details: { expected: 3, actual: { version: 5 } },
      fieldErrors: [{ path: ['events', 1, 'type'], message: 'is zero', code: 'ZERO' }],
    });
    const encoded = encode(error, 'google', { catalog: janCatalog });
    expect(JSON.parse(encoded.body)).toEqual({
      error: {
        code: 409,
        message: 'Version moved',
        status: 'ABORTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: '2003',
            domain: 'jan',
            metadata: { expected: '3' },
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' },
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'events[1].type', description: 'is zero', reason: 'ZERO' }],
          },
          { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: 'req-4' },
          {
            '@type': 'type.googleapis.com/google.protobuf.Struct',
            value: { expected: 3, actual: { version: 5 } },
          },
        ],
      },
    });
    const back = decoded(decode(encoded.status, encoded.headers, encoded.body));
    expect(back.error.code).toBe(2003);
    expect(back.error.details).toEqual(error.details);
    expect(back.error.fieldErrors).toEqual(error.fieldErrors);
    expect(back.error.retryAfter).toBe(1.5);
  });
});

describe('problem', () => {
  it('encodes the RFC 9457 members, the extensions and field pointers', () => {
    const catalog = defineCatalog({
      name: 'orders',
      typeBase: 'https://api.example.test/errors#',
      entries: {
        out_of_stock: {
          name: 'OutOfStock',
          title: 'Out of stock',
          status: 409,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'Only {available} left',
          details: { available: t.integer() },
        },
      },
    });
    const error = catalog.create(
      'out_of_stock',
      { available: 2 },
      {
        requestId: 'req-1',
        instance: '/orders/7',
        fieldErrors: [{ path: ['lines', 0, 'a/b~c'], message: 'too many' }],
      },
    );
    expect(encode(error)).toEqual({
      status: 409,
      headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req-1' },
      body: '{"type":"https://api.example.test/errors#out_of_stock","title":"Out of stock","status":409,"detail":"Only 2 left","instance":"/orders/7","code":"out_of_stock","request_id":"req-1","errors":[{"pointer":"#/lines/0/a~1b~0c","detail":"too many"}],"available":2}',
    });
    const back = decoded(decode(409, encode(error).headers, encode(error).body, { catalog }));
    expect(back.format).toBe('problem');
    expect(catalog.is(back.error, 'out_of_stock')).toBe(true);
    expect(back.error.fieldErrors).toEqual(error.fieldErrors);
    expect(back.error.instance).toBe('/orders/7');
  });

  it('uses about:blank and the status phrase without a type', () => {
    const error = new ApiError({ code: 'teapot', status: 418, message: 'No coffee' });
    expect(formats.problem.body(error)).toEqual({
      type: 'about:blank',
      title: "I'm a teapot",
      status: 418,
      detail: 'No coffee',
      code: 'teapot',
    });
  });

  it('finds the code from the type URI when the body has no code member', () => {
    const catalog = defineCatalog({
      name: 'orders',
      typeBase: 'https://api.example.test/errors#',
      entries: {
        gone: { name: 'Gone', status: 410, retry: 'no', sideEffect: 'no', message: 'Gone' },
      },
    });
    const body = json({ type: 'https://api.example.test/errors#gone', title: 'Gone', status: 410 });
    const result = decoded(
      decode(410, { 'content-type': 'application/problem+json' }, body, { catalog }),
    );
    expect(result.error.code).toBe('gone');
    expect(result.error.message).toBe('Gone');
    // Without a catalog nothing names the code: it is the status.
    expect(decoded(decode(410, undefined, body)).error.code).toBe(410);
  });

  it('trusts the problem+json content type over the body shape', () => {
    const result = decode(503, { 'Content-Type': 'application/problem+json' }, '{}');
    expect(decoded(result)).toMatchObject({ format: 'problem' });
    expect(decoded(result).error.message).toBe('Service Unavailable');
  });
});

describe('details spread at the top level', () => {
  it('never pass for a member of the format', () => {
    // Hand-built errors may break the catalog's reserved-name rule; the wire must not follow.
    const error = new ApiError({
      code: 404,
      status: 404,
      message: 'Gone',
      details: { code: 'fake', errors: 'fake', summary: 'fake', status: 1, kept: true },
    });
    expect(JSON.parse(encode(error, 'sequin').body)).toEqual({
      summary: 'Gone',
      errors: 'fake',
      status: 1,
      kept: true,
    });
    expect(JSON.parse(encode(error, 's2').body)).toEqual({
      code: 404,
      message: 'Gone',
      summary: 'fake',
      status: 1,
      kept: true,
    });
    expect(JSON.parse(encode(error, 'problem').body)).toMatchObject({
      status: 404,
      code: 404,
      summary: 'fake',
      kept: true,
    });
  });
});

describe('headers and the error', () => {
  it('merges the error headers but keeps the content type and drops unsafe values', () => {
    const error = new ApiError({
      code: 'x',
      status: 429,
      message: 'm',
      retryAfter: 3,
      headers: {
        'Content-Type': 'text/html',
        'RateLimit-Policy': '"default";q=100;w=60',
        'X-Bad': 'a\r\nSet-Cookie: x=1',
        'Bad Name': 'v',
      },
    });
    expect(encode(error, 's2').headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '3',
      'ratelimit-policy': '"default";q=100;w=60',
    });
  });

  it('reads request ids and retry hints from any header shape', () => {
    const body = '{"code":"x","message":"m"}';
    const shapes = [
      new Headers({ 'request-id': 'r1', 'retry-after-ms': '1500' }),
      { 'Request-Id': 'r1', 'Retry-After-Ms': '1500' },
      [
        ['request-id', 'r1'],
        ['retry-after-ms', '1500'],
      ] as [string, string][],
    ];
    for (const headers of shapes) {
      const result = decoded(decode(503, headers, body));
      expect(result.error.requestId).toBe('r1');
      expect(result.error.retryAfter).toBe(1.5);
    }
    const correlated = decoded(decode(503, { 'X-Correlation-Id': 'c9' }, body));
    expect(correlated.error.requestId).toBe('c9');
  });

  it('reads an HTTP-date Retry-After against the given clock', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    const result = decoded(
      decode(
        503,
        { 'retry-after': 'Wed, 01 Jan 2025 00:01:30 GMT' },
        '{"code":"x","message":"m"}',
        {
          now: () => now,
        },
      ),
    );
    expect(result.error.retryAfter).toBe(90);
  });

  it('ignores absurd retry hints', () => {
    for (const value of ['-1', 'NaN', 'soon', '99999999999', '1e3']) {
      const result = decoded(decode(503, { 'retry-after': value }, '{"code":"x","message":"m"}'));
      expect(result.error.retryAfter).toBeUndefined();
    }
    const body = json({ code: 'x', message: 'm', retry_after: -5 });
    expect(decoded(decode(429, undefined, body)).error.retryAfter).toBeUndefined();
  });
});

describe('undecodable responses', () => {
  it('says why, with the headers it could read', () => {
    const headers = { 'content-type': 'text/html', 'x-request-id': 'r7', 'retry-after': '5' };
    const html = decode(502, headers, '<html><body>Bad gateway</body></html>');
    expect(html).toEqual({
      kind: 'undecodable',
      status: 502,
      reason: 'not-json',
      message: 'The response body is not JSON (text/html).',
      contentType: 'text/html',
      requestId: 'r7',
      retryAfter: 5,
      text: '<html><body>Bad gateway</body></html>',
    });
    expect(
      decode(502, headers, '').kind === 'undecodable' && decode(502, headers, ''),
    ).toMatchObject({
      reason: 'empty',
    });
    expect(decode(502, headers, '  \n')).toMatchObject({ reason: 'empty' });
    expect(decode(502, headers, null)).toMatchObject({ reason: 'empty' });
    expect(decode(200, headers, '{"data": []}')).toMatchObject({ reason: 'unrecognized' });
    expect(decode(200, headers, '[1, 2]')).toMatchObject({ reason: 'unrecognized' });
    expect(decode(200, headers, [1, 2])).toMatchObject({ reason: 'unrecognized' });
    expect(decode(200, headers, 'x'.repeat(300), { maxBytes: 100 })).toMatchObject({
      reason: 'too-large',
      text: 'x'.repeat(200),
    });
    expect(decode(200, headers, new Uint8Array(101), { maxBytes: 100 })).toMatchObject({
      reason: 'too-large',
    });
    expect(decode(99, headers, '{}')).toMatchObject({ reason: 'invalid-input', status: 0 });
    expect(decode(500, 'nope' as never, '{}')).toMatchObject({ reason: 'invalid-input' });
    expect(decode(500, undefined, 42 as never)).toMatchObject({ reason: 'invalid-input' });
    expect(decode(500, undefined, '{}', { format: 'xml' as never })).toMatchObject({
      reason: 'invalid-input',
    });
  });

  it('decodes bytes, ArrayBuffers and parsed objects like text', () => {
    const text = '\uFEFF{"code":"x","message":"héllo"}';
    const bytes = new TextEncoder().encode(text);
    for (const body of [text, bytes, bytes.buffer, { code: 'x', message: 'héllo' }]) {
      const result = decoded(decode(500, undefined, body as never));
      expect(result.error.message).toBe('héllo');
    }
  });
});

describe('completeness', () => {
  const ids = ['problem', 's2', 'sequin', 'discord', 'jan', 'google'] as const;

  it('lists every format id exactly once, each with encoder, decoder and detector', () => {
    expectTypeOf<(typeof ids)[number]>().toEqualTypeOf<FormatId>();
    expect(Object.keys(formats).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const format: WireFormat = formats[id];
      expect(format.id).toBe(id);
      expect(typeof format.body).toBe('function');
      expect(typeof format.encode).toBe('function');
      expect(typeof format.detect).toBe('function');
      expect(typeof format.decode).toBe('function');
      expect(format.contentType).toBe(
        id === 'problem' ? 'application/problem+json' : 'application/json; charset=utf-8',
      );
    }
  });

  it('detects the format of each encoder natural error', () => {
    // Each format with a code of the kind it naturally carries (Discord's are numbers).
    const errors: Record<FormatId, ApiError> = {
      problem: new ApiError({ code: 'conflict', status: 409, message: 'm' }),
      s2: new ApiError({ code: 'stream_not_found', status: 404, message: 'm' }),
      sequin: new ApiError({ code: 422, status: 422, message: 'm' }),
      discord: new ApiError({ code: 50014, status: 401, message: 'm' }),
      jan: new ApiError({ code: 'TIMEOUT', status: 504, message: 'm' }),
      google: new ApiError({ code: 'NOT_FOUND', status: 404, message: 'm' }),
    };
    for (const id of ids) {
      const encoded = encode(errors[id], id);
      const result = decoded(decode(encoded.status, encoded.headers, encoded.body));
      expect(result.format).toBe(id);
      expect(result.error.code).toBe(errors[id].code);
      // Without the content type, the body alone still says which format it is.
      expect(decoded(decode(encoded.status, undefined, encoded.body)).format).toBe(id);
    }
  });

  it('rejects an unknown format when encoding', () => {
    expect(() =>
      encode(new ApiError({ code: 1, status: 500, message: 'm' }), 'xml' as never),
    ).toThrow(TypeError);
  });
});
