/**
 * The conformance suite: the same table of cases, in every wire format, against all five
 * targets over real HTTP on 127.0.0.1, with byte-level assertions on status, headers and
 * body. An adapter is done when the whole table passes for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormatId } from '../../src/core/wire/index.js';
import { createFaultline, type Faultline } from '../../src/server/index.js';
import { CASES, type Case, DIRECT_CASES, thrownOf } from './cases.js';
import { type Running, shop, start, TARGETS } from './fixture.js';
import { send } from './http.js';

const FORMATS: readonly FormatId[] = ['problem', 's2', 'sequin', 'discord', 'jan', 'google'];
const EPOCH = () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function idOf(testCase: Case): string {
  return `conf-${testCase.name.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

async function expected(reference: Faultline, testCase: Case, requestId: string) {
  const thrown = await thrownOf(testCase, reference);
  return reference.respond(thrown, { requestId, headers: testCase.request.headers ?? {} });
}

describe.each(TARGETS)('%s', (target) => {
  describe.each(FORMATS)('format %s', (format) => {
    let server: Running;
    const reference = createFaultline({ catalog: shop, format, now: EPOCH, telemetry: false });
    beforeAll(async () => {
      server = await start(target, { format, now: EPOCH, telemetry: false });
    });
    afterAll(() => server.close());

    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      const sentId = idOf(testCase);
      const headers = testCase.generatedId
        ? { ...testCase.request.headers }
        : { 'x-request-id': sentId, ...testCase.request.headers };
      const response = await send(server.url, { ...testCase.request, headers });

      if (testCase.success) {
        expect(response.status).toBe(testCase.success.status);
        expect(response.text).toBe(testCase.success.body);
        return;
      }

      const requestId = response.headers['x-request-id'] ?? '';
      if (testCase.generatedId) expect(requestId).toMatch(UUID);
      else expect(requestId).toBe(sentId);
      const want = await expected(reference, testCase, requestId);

      if (testCase.stream) {
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toBe(
          testCase.stream.kind === 'sse'
            ? 'text/event-stream; charset=utf-8'
            : 'application/x-ndjson',
        );
        const items = testCase.stream.items.map((item) => JSON.stringify(item));
        expect(response.text).toBe(
          testCase.stream.kind === 'sse'
            ? `${items.map((item) => `data: ${item}\n\n`).join('')}event: error\ndata: ${want.body}\n\n`
            : `${items.map((item) => `${item}\n`).join('')}{"error":${want.body}}\n`,
        );
        return;
      }

      expect(response.status).toBe(want.status);
      expect(response.text).toBe(want.body);
      expect(response.headers['content-type']).toBe(want.headers['content-type']);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['retry-after']).toBe(want.headers['retry-after']);
      expect(response.headers.allow).toBe(want.headers.allow);
      const length = response.headers['content-length'];
      if (length !== undefined) expect(Number(length)).toBe(response.body.byteLength);
      expect(response.text).not.toContain('secret');
      if (format === 'problem' && testCase.problem) {
        expect(response.text).toBe(testCase.problem.replace('{id}', requestId));
      }
    });

    it('answers a success from the direct route too (the route the cases below use)', async () => {
      const response = await send(server.url, { method: 'GET', path: '/direct/7' });
      expect(response.status).toBe(200);
      expect(response.text).toBe('{"id":"7"}');
    });

    it.each(DIRECT_CASES.map((c) => [c.name, c] as const))(
      'answered directly, as thrown: %s',
      async (_name, testCase) => {
        const headers: Record<string, string> = testCase.generatedId
          ? { ...testCase.headers }
          : { 'x-request-id': `direct-${testCase.id}`, ...testCase.headers };
        const get = (path: string) => send(server.url, { method: 'GET', path, headers });
        const thrown = await get(`/orders/${testCase.id}`);
        const direct = await get(`/direct/${testCase.id}`);
        expect(thrown.status).toBeGreaterThanOrEqual(400);
        const thrownId = thrown.headers['x-request-id'] ?? '';
        const directId = direct.headers['x-request-id'] ?? '';
        if (testCase.generatedId) {
          expect(directId).toMatch(UUID);
          expect(directId).not.toBe(thrownId);
        } else {
          expect(directId).toBe(thrownId);
        }
        // Everything but the date and the request id (made afresh when none was sent) is the same.
        const comparable = (response: typeof thrown, id: string) => {
          const { date: _date, ...rest } = response.headers;
          return {
            status: response.status,
            headers: { ...rest, 'x-request-id': '{id}' },
            body: response.text.replaceAll(id, '{id}'),
          };
        };
        expect(comparable(direct, directId)).toEqual(comparable(thrown, thrownId));
      },
    );
  });
});
