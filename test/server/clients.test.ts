/**
 * Real clients read what the server sends: the faultline client decodes every case of the
 * table in every format on every target (streams included); curl sees the documented headers;
 * ky and got wait for the `Retry-After` of a 503 before their retry.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import got from 'got';
import ky from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { readEvents, readLines } from '../../src/client/stream.js';
import { ApiError } from '../../src/core/error.js';
import type { FormatId } from '../../src/core/wire/index.js';
import { createFaultline } from '../../src/server/index.js';
import { CASES, thrownOf } from './cases.js';
import { type Running, shop, start, TARGETS } from './fixture.js';

const run = promisify(execFile);
const FORMATS: readonly FormatId[] = ['problem', 's2', 'sequin', 'discord', 'jan', 'google'];

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(ApiError.is(outcome), 'the request should fail with an ApiError').toBe(true);
  return outcome as ApiError;
}

describe.each(TARGETS)('the faultline client against %s', (target) => {
  describe.each(FORMATS)('format %s', (format) => {
    let server: Running;
    const reference = createFaultline({ catalog: shop, format, telemetry: false });
    beforeAll(async () => {
      server = await start(target, { format, telemetry: false });
    });
    afterAll(() => server.close());

    const errorCases = CASES.filter((c) => c.thrown && !c.stream);
    it.each(errorCases.map((c) => [c.name, c] as const))('decodes: %s', async (_name, testCase) => {
      const client = createClient({
        baseUrl: server.url,
        catalog: shop,
        retry: false,
        idempotencyKey: false,
      });
      const { request } = testCase;
      const want = reference.respond(await thrownOf(testCase, reference), { requestId: 'x' }).error;
      const error = await failure(
        client.send(request.path, {
          method: request.method,
          headers: { 'x-request-id': 'client-case', ...request.headers },
          ...(request.body === undefined ? {} : { body: request.body as string }),
        }),
      );
      expect(error.code).toBe(want.code);
      expect(error.status).toBe(want.status);
      expect(error.details).toEqual(want.details);
      expect(error.fieldErrors ?? []).toEqual(want.fieldErrors ?? []);
      expect(error.retryAfter).toBe(want.retryAfter);
      if (!testCase.generatedId) expect(error.requestId).toBe('client-case');
    });

    it('decodes the terminal error of an SSE stream', async () => {
      const response = await fetch(`${server.url}/events`);
      expect(response.status).toBe(200);
      const events: string[] = [];
      const error = await failure(
        (async () => {
          for await (const event of readEvents(response, { catalog: shop }))
            events.push(event.data);
        })(),
      );
      expect(events).toEqual(['{"n":1}', '{"n":2}']);
      expect(error.code).toBe('unavailable');
      expect(error.status).toBe(503);
    });
  });
});

describe.each(TARGETS)('the faultline client reads NDJSON from %s', (target) => {
  describe.each(FORMATS)('format %s', (format) => {
    let server: Running;
    beforeAll(async () => {
      server = await start(target, { format, telemetry: false });
    });
    afterAll(() => server.close());

    it('decodes the terminal error of an NDJSON stream', async () => {
      const response = await fetch(`${server.url}/rows`);
      const rows: unknown[] = [];
      const error = await failure(
        (async () => {
          for await (const row of readLines(response, { catalog: shop })) rows.push(row);
        })(),
      );
      expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
      expect(error.code).toBe('unavailable');
      expect(error.status).toBe(503);
    });
  });
});

describe.each(TARGETS)('other clients against %s', (target) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(target, { telemetry: false });
  });
  afterAll(() => server.close());

  it('curl sees the status and the documented headers', async () => {
    const { stdout } = await run('curl', [
      '--silent',
      '--show-error',
      '--include',
      '--max-time',
      '10',
      '--header',
      'Accept: application/problem+json',
      '--header',
      'X-Request-Id: curl-1',
      `${server.url}/orders/busy`,
    ]);
    const [head = '', body = ''] = stdout.split('\r\n\r\n');
    const [statusLine, ...lines] = head.split('\r\n');
    expect(statusLine).toMatch(/^HTTP\/1\.1 503 /);
    const headers = Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers['retry-after']).toBe('7');
    expect(headers['x-request-id']).toBe('curl-1');
    expect(headers['cache-control']).toBe('no-store');
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toMatchObject({
      status: 503,
      code: 'unavailable',
      request_id: 'curl-1',
    });
  });

  it('ky waits for Retry-After before retrying a 503', async () => {
    const started = performance.now();
    const body = await ky
      .get(`${server.url}/flaky/ky-${target}`, {
        retry: { limit: 2, statusCodes: [503], afterStatusCodes: [503], backoffLimit: 10 },
      })
      .json();
    expect(body).toEqual({ ok: true, calls: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('got waits for Retry-After before retrying a 503', async () => {
    const started = performance.now();
    const body = await got(`${server.url}/flaky/got-${target}`, {
      retry: { limit: 2, statusCodes: [503], backoffLimit: 10 },
    }).json();
    expect(body).toEqual({ ok: true, calls: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });
});
