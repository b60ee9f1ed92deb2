import { notFound as boomNotFound } from '@hapi/boom';
import createHttpError from 'http-errors';
import { describe, expect, it, vi } from 'vitest';
import { defineCatalog } from '../core/catalog.js';
import { ApiError } from '../core/error.js';
import { encode } from '../core/wire/index.js';
import { jan } from '../presets/jan.js';
import { s2 } from '../presets/s2.js';
import { baseCatalog } from './base.js';
import { createFaultline, Faultline, pathOfTarget } from './faultline.js';
import type { ErrorLogRecord } from './observe.js';

const quiet = { telemetry: false } as const;

describe('Faultline.respond', () => {
  it('answers an ApiError with its status, the format body and the standard headers', () => {
    const faultline = createFaultline(quiet);
    const response = faultline.respond(baseCatalog.create('not_found'), {
      headers: { 'x-request-id': 'req-1' },
    });
    expect(response.status).toBe(404);
    expect(response.headers).toEqual({
      'content-type': 'application/problem+json',
      'x-request-id': 'req-1',
      'cache-control': 'no-store',
    });
    expect(JSON.parse(response.body)).toEqual({
      type: 'https://faultline.dev/errors#not_found',
      title: 'Not found',
      status: 404,
      detail: 'Nothing was found at this address',
      code: 'not_found',
      request_id: 'req-1',
    });
  });

  it('never sends the message or stack of an unexpected exception', () => {
    const response = createFaultline(quiet).respond(new Error('secret db password'));
    expect(response.status).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain('at ');
    expect(response.error.code).toBe('internal');
    expect((response.error.cause as Error).message).toBe('secret db password');
  });

  it('sends them in development mode', () => {
    const response = createFaultline({ ...quiet, development: true }).respond(
      new TypeError('secret db password'),
    );
    const body = JSON.parse(response.body);
    expect(body.detail).toBe('TypeError: secret db password');
    expect(body.stack[0]).toBe('TypeError: secret db password');
    expect(body.stack.length).toBeGreaterThan(1);
  });

  it.each([null, undefined, 'a string', 42, { weird: true }, Symbol('s')])(
    'answers %s thrown as a 500',
    (thrown) => {
      const response = createFaultline(quiet).respond(thrown);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body).code).toBe('internal');
    },
  );

  it('maps http-errors and Boom by their status, not any object with a status', () => {
    const faultline = createFaultline(quiet);
    expect(faultline.respond(createHttpError(401, 'secret')).error.code).toBe('unauthenticated');
    expect(faultline.respond(boomNotFound('secret')).error.code).toBe('not_found');
    const upstream = Object.assign(new Error('upstream said 404'), { status: 404 });
    expect(faultline.respond(upstream).status).toBe(500);
    const limited = createHttpError(429, { headers: { 'Retry-After': '12' } });
    const response = faultline.respond(limited);
    expect(response.headers['retry-after']).toBe('12');
  });

  it('maps team exceptions with mapError, and survives a throwing mapError', () => {
    class DbDown extends Error {}
    const faultline = createFaultline({
      ...quiet,
      mapError: (thrown) => {
        if (thrown instanceof DbDown)
          return baseCatalog.create('unavailable', {}, { retryAfter: 5 });
        if (thrown === 'explode') throw new Error('mapper bug');
        return undefined;
      },
    });
    const down = faultline.respond(new DbDown('secret'));
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(faultline.respond('explode').status).toBe(500);
  });

  it("answers framework failures with the team's codes, falling back to the base catalog", () => {
    const faultline = createFaultline({
      ...quiet,
      catalog: jan,
      format: 'jan',
      codes: { notFound: 'RESOURCE_NOT_FOUND', validation: 'VALIDATION_FAILED' },
      now: () => new Date(0),
    });
    expect(faultline.error('notFound').code).toBe('RESOURCE_NOT_FOUND');
    expect(faultline.error('validation').code).toBe('VALIDATION_FAILED');
    expect(faultline.error('payloadTooLarge').code).toBe('payload_too_large');
    const body = JSON.parse(
      faultline.respond(faultline.error('notFound'), { requestId: 'r' }).body,
    );
    expect(body).toMatchObject({ code: 'RESOURCE_NOT_FOUND', request_id: 'r' });
  });

  it("uses a team code of the same name as the base one (S2's bad_json)", () => {
    const faultline = createFaultline({ ...quiet, catalog: s2, format: 's2' });
    expect(faultline.error('badJson').entry).toBe(s2.get('bad_json'));
    expect(faultline.error('notFound').entry).toBe(baseCatalog.get('not_found'));
  });

  it('refuses a codes mapping to a code the catalog lacks', () => {
    expect(() => createFaultline({ ...quiet, catalog: s2, codes: { notFound: 'nope' } })).toThrow(
      /codes.notFound/,
    );
    expect(() => createFaultline({ ...quiet, timeout: -1 })).toThrow(TypeError);
  });

  it('honours a valid incoming request id, replaces an invalid one, and wins over a carried id', () => {
    const faultline = createFaultline({ ...quiet, generateRequestId: () => 'generated' });
    const echoed = faultline.respond(new Error('x'), { headers: { 'X-Request-Id': 'abc-123' } });
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const bad = faultline.respond(new Error('x'), { headers: { 'x-request-id': 'a b' } });
    expect(bad.headers['x-request-id']).toBe('generated');
    const carried = baseCatalog.create('conflict', {}, { requestId: 'upstream-id' });
    const response = faultline.respond(carried, { requestId: 'ours' });
    expect(response.headers['x-request-id']).toBe('ours');
    expect(JSON.parse(response.body).request_id).toBe('ours');
  });

  it('reads the request id from a custom header', () => {
    const faultline = createFaultline({ ...quiet, requestIdHeader: 'X-Trace' });
    expect(faultline.requestId({ 'x-trace': 'trace-9' })).toBe('trace-9');
  });

  it('labels problem+json as application/json for clients that accept only JSON', () => {
    const faultline = createFaultline(quiet);
    const response = faultline.respond(baseCatalog.create('conflict'), {
      headers: { accept: 'application/json' },
    });
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('answers an error whose details cannot be read as an internal error', () => {
    const hostile = new ApiError({
      code: 'x',
      status: 400,
      message: 'x',
      details: {
        get boom(): never {
          throw new Error('secret getter');
        },
      },
    });
    const response = createFaultline(quiet).respond(hostile);
    expect(response.status).toBe(500);
    expect(response.body).not.toContain('secret');
  });

  it('uses the clock for formats with a timestamp', () => {
    const faultline = createFaultline({ ...quiet, format: 'jan', now: () => new Date(0) });
    const body = JSON.parse(faultline.respond(new Error('x'), { requestId: 'r' }).body);
    expect(body.timestamp).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('logging', () => {
  it('writes one record per error: warn for 4xx, error with the stack for 5xx', () => {
    const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn() };
    const faultline = createFaultline({ ...quiet, log: logger });
    faultline.respond(baseCatalog.create('not_found'), {
      method: 'GET',
      route: '/orders/:id',
      requestId: 'r1',
      startedAt: performance.now() - 5,
    });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const [record, msg] = logger.warn.mock.calls[0]!;
    expect(record).toMatchObject({
      level: 'warn',
      code: 'not_found',
      status: 404,
      requestId: 'r1',
      method: 'GET',
      route: '/orders/:id',
    });
    expect(record.durationMs).toBeGreaterThanOrEqual(4);
    expect(record.err).toBeUndefined();
    expect(msg).toBe('Nothing was found at this address');

    faultline.respond(new Error('secret db password'), { requestId: 'r2', path: '/x' });
    expect(logger.error).toHaveBeenCalledTimes(1);
    const [failure] = logger.error.mock.calls[0]!;
    expect(failure).toMatchObject({ level: 'error', code: 'internal', status: 500, route: '/x' });
    expect(failure.err.message).toBe('secret db password');
    expect(failure.err.stack).toContain('faultline.test.ts');
  });

  it('accepts a function, and ignores a logger that throws', () => {
    const records: ErrorLogRecord[] = [];
    createFaultline({ ...quiet, log: (record) => records.push(record) }).respond(new Error('x'));
    expect(records).toHaveLength(1);
    const broken = createFaultline({
      ...quiet,
      log: () => {
        throw new Error('logger down');
      },
    });
    expect(broken.respond(new Error('x')).status).toBe(500);
  });

  it('logs the cause of an ApiError that wraps an exception', () => {
    const records: ErrorLogRecord[] = [];
    const faultline = createFaultline({ ...quiet, log: (record) => records.push(record) });
    faultline.respond(
      baseCatalog.create('unavailable', {}, { cause: new Error('pool exhausted') }),
    );
    expect(records[0]?.err?.message).toBe('pool exhausted');
  });
});

describe('telemetry', () => {
  it('marks the active span with the code and status', () => {
    const span = { setAttribute: vi.fn(), setStatus: vi.fn() };
    const faultline = new Faultline({ telemetry: { trace: { getActiveSpan: () => span } } });
    faultline.respond(new Error('x'));
    expect(span.setAttribute).toHaveBeenCalledWith('error.type', 'internal');
    expect(span.setAttribute).toHaveBeenCalledWith('http.response.status_code', 500);
    expect(span.setStatus).toHaveBeenCalledWith({ code: 2, message: 'internal' });
    span.setStatus.mockClear();
    faultline.respond(baseCatalog.create('not_found'));
    expect(span.setAttribute).toHaveBeenCalledWith('error.type', 'not_found');
    expect(span.setStatus).not.toHaveBeenCalled();
  });

  it('finds @opentelemetry/api on its own when installed', async () => {
    const faultline = createFaultline();
    await expect(faultline.ready).resolves.toBeUndefined();
  });

  it('survives a span that throws', () => {
    const span = {
      setAttribute: () => {
        throw new Error('exporter down');
      },
      setStatus: () => undefined,
    };
    const faultline = new Faultline({ telemetry: { trace: { getActiveSpan: () => span } } });
    expect(faultline.respond(new Error('x')).status).toBe(500);
  });
});

describe('Faultline.error', () => {
  it('carries the options into the error', () => {
    const cause = new Error('c');
    const error = createFaultline(quiet).error('rateLimited', {
      retryAfter: 9,
      headers: { 'ratelimit-policy': '10;w=1' },
      fieldErrors: [{ path: ['a'], message: 'm' }],
      cause,
      message: 'Slow down',
      instance: '/x',
    });
    expect(error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryAfter: 9,
      message: 'Slow down',
      instance: '/x',
      headers: { 'ratelimit-policy': '10;w=1' },
    });
    expect(error.cause).toBe(cause);
  });

  it('uses the retryAfter of the entry by default', () => {
    const catalog = defineCatalog({
      name: 'c',
      entries: {
        busy: {
          name: 'Busy',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'busy',
          retryAfter: 30,
        },
      },
    });
    const faultline = createFaultline({ ...quiet, catalog, codes: { unavailable: 'busy' } });
    expect(faultline.respond(faultline.error('unavailable')).headers['retry-after']).toBe('30');
  });
});

describe('Faultline.encode of plain errors (reused encodings)', () => {
  const ids = ['req-1', 'a"b\\c', 'x'.repeat(128), 'faultline-template-id-3f9d1c'];
  for (const format of ['problem', 's2', 'sequin', 'discord', 'google', 'jan'] as const) {
    it(`sends the bytes a fresh encoding sends, in ${format}`, () => {
      const faultline = createFaultline({ ...quiet, format, now: () => new Date(0) });
      for (const requestId of ids) {
        for (const kind of ['notFound', 'internal', 'rateLimited'] as const) {
          const error = faultline.error(kind);
          const fresh = encode(error, format, {
            requestId,
            catalog: baseCatalog,
            now: () => new Date(0),
          });
          // Twice: the first call makes the reusable encoding, the second uses it.
          expect(faultline.encode(error, requestId)).toEqual(fresh);
          expect(faultline.encode(faultline.error(kind), requestId)).toEqual(fresh);
        }
      }
    });
  }

  it('does not reuse the encoding of an error with fields of its own', () => {
    const faultline = createFaultline(quiet);
    faultline.encode(faultline.error('notFound'), 'warm');
    const own = faultline.error('notFound', { message: 'No order 42' });
    expect(JSON.parse(faultline.encode(own, 'r').body).detail).toBe('No order 42');
    const details = faultline.error('notFound').with({ details: { order: 42 } });
    expect(JSON.parse(faultline.encode(details, 'r').body).order).toBe(42);
    const headers = faultline.error('notFound', { headers: { 'x-extra': '1' } });
    expect(faultline.encode(headers, 'r').headers['x-extra']).toBe('1');
  });

  it('gives every response its own headers object', () => {
    const faultline = createFaultline(quiet);
    const first = faultline.respond(faultline.error('notFound'), { requestId: 'a' });
    first.headers['x-mutated'] = 'yes';
    const second = faultline.respond(faultline.error('notFound'), { requestId: 'b' });
    expect(second.headers['x-mutated']).toBeUndefined();
    expect(second.headers['x-request-id']).toBe('b');
  });
});

describe('Faultline.response', () => {
  it('answers a Fetch request with the Response of the same error thrown', async () => {
    const faultline = createFaultline({ ...quiet, catalog: baseCatalog });
    const error = baseCatalog.create('unavailable', {}, { retryAfter: 5 });
    const request = new Request('http://x.test/orders/7?page=2', {
      headers: { 'x-request-id': 'fetch-1', accept: 'application/json' },
    });
    const response = faultline.response(request, error);
    const thrown = faultline.respond(error, {
      headers: { 'x-request-id': 'fetch-1', accept: 'application/json' },
    });
    expect(response.status).toBe(503);
    expect(Object.fromEntries(response.headers)).toEqual(thrown.headers);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.text()).toBe(thrown.body);
  });

  it('treats anything else as thrown, sends no body to HEAD and closes after a 413', async () => {
    const faultline = createFaultline({ ...quiet, generateRequestId: () => 'gen-2' });
    const crash = faultline.response(new Request('http://x.test/'), new Error('secret'));
    expect(crash.status).toBe(500);
    expect(crash.headers.get('x-request-id')).toBe('gen-2');
    expect(await crash.text()).not.toContain('secret');
    const head = faultline.response(
      new Request('http://x.test/', { method: 'HEAD' }),
      faultline.error('notFound'),
    );
    expect(head.status).toBe(404);
    expect(head.body).toBeNull();
    const large = faultline.response(
      new Request('http://x.test/'),
      faultline.error('payloadTooLarge'),
    );
    expect(large.status).toBe(413);
    expect(large.headers.get('connection')).toBe('close');
  });

  it('logs the method and the path without the query', () => {
    const records: ErrorLogRecord[] = [];
    const faultline = createFaultline({ ...quiet, log: (record) => records.push(record) });
    faultline.response(
      new Request('http://x.test/orders/7?secret=1', { method: 'DELETE' }),
      faultline.error('forbidden'),
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: 'warn',
      code: 'forbidden',
      method: 'DELETE',
      route: '/orders/7',
    });
  });
});

describe('Faultline.answer (direct answers, by kind)', () => {
  const headers = { 'x-request-id': 'kind-1', accept: 'application/json' };

  it('answers a kind as the same error thrown, in every format, making the error only on demand', () => {
    for (const catalog of [baseCatalog, s2, jan]) {
      const faultline = createFaultline({ ...quiet, catalog });
      for (const kind of ['notFound', 'rateLimited', 'unavailable', 'internal'] as const) {
        // Twice: the first answer of a kind makes its reused encoding, the second fills it.
        for (let round = 0; round < 2; round++) {
          const answered = faultline.answer(kind, { headers });
          const thrown = faultline.respond(faultline.error(kind), { headers });
          expect(answered.status, kind).toBe(thrown.status);
          expect(answered.headers, kind).toEqual(thrown.headers);
          expect(answered.body, kind).toBe(thrown.body);
          const error = answered.error;
          expect(ApiError.is(error)).toBe(true);
          expect(error.code).toBe(thrown.error.code);
          // Read twice, the same error.
          expect(answered.error).toBe(error);
        }
      }
    }
  });

  it('answers anything but a kind as thrown: an ApiError as it is, a string as an exception', () => {
    const faultline = createFaultline(quiet);
    const error = faultline.error('conflict');
    expect(faultline.answer(error, { headers }).error).toBe(error);
    const string = faultline.answer('not a kind', { headers });
    expect(string.status).toBe(500);
    expect(string.body).not.toContain('not a kind');
  });

  it('escapes a request id that JSON must escape, and replaces an invalid one', () => {
    const faultline = createFaultline({ ...quiet, generateRequestId: () => 'gen-3' });
    const quoted = faultline.answer('notFound', { headers: { 'x-request-id': 'a"b\\c' } });
    expect(JSON.parse(quoted.body).request_id).toBe('a"b\\c');
    expect(quoted.headers['x-request-id']).toBe('a"b\\c');
    const invalid = faultline.answer('notFound', { headers: { 'x-request-id': 'bad id' } });
    expect(invalid.headers['x-request-id']).toBe('gen-3');
    expect(JSON.parse(invalid.body).request_id).toBe('gen-3');
  });

  it('logs and marks the span as for the error thrown', () => {
    const records: ErrorLogRecord[] = [];
    const span = { setAttribute: vi.fn(), setStatus: vi.fn() };
    const faultline = createFaultline({
      log: (record) => records.push(record),
      telemetry: { trace: { getActiveSpan: () => span } },
    });
    faultline.answer('notFound', { headers, method: 'GET', path: '/orders/1' });
    faultline.respond(faultline.error('notFound'), { headers, method: 'GET', path: '/orders/1' });
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(records[1]);
    expect(span.setAttribute).toHaveBeenCalledTimes(4);
    expect(span.setAttribute.mock.calls.slice(0, 2)).toEqual(span.setAttribute.mock.calls.slice(2));
    const quiet2 = new Faultline({ telemetry: { trace: { getActiveSpan: () => span } } });
    span.setAttribute.mockClear();
    quiet2.answer('unavailable', { headers });
    expect(span.setAttribute).toHaveBeenCalledWith('error.type', 'unavailable');
    expect(span.setStatus).toHaveBeenCalledWith({ code: 2, message: 'unavailable' });
  });

  it('is what Faultline.response answers a kind with', async () => {
    const faultline = createFaultline(quiet);
    const response = faultline.response(new Request('http://x.test/', { headers }), 'notFound');
    const thrown = faultline.respond(faultline.error('notFound'), { headers });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(thrown.body);
  });
});

describe('pathOfTarget', () => {
  it('cuts the path out of an origin-form target or an absolute URL', () => {
    expect(pathOfTarget('/a/b?c=1#d')).toBe('/a/b');
    expect(pathOfTarget('/a#d?x')).toBe('/a');
    expect(pathOfTarget('http://h.test:8080/a/b?c')).toBe('/a/b');
    expect(pathOfTarget('http://h.test')).toBe('/');
    expect(pathOfTarget('http://h.test?x=1')).toBe('/');
    expect(pathOfTarget('http://h.test?x=/y')).toBe('/');
    expect(pathOfTarget('*')).toBe('*');
  });
});
