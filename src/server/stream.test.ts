import { describe, expect, it } from 'vitest';
import { baseCatalog } from './base.js';
import { createFaultline } from './faultline.js';
import type { ErrorLogRecord } from './observe.js';
import { ndjson, sse } from './stream.js';

async function text(body: unknown): Promise<string> {
  return new Response(body as ReadableStream<Uint8Array>).text();
}

describe('sse', () => {
  it('sends items as data events, then the error as a terminal error event', async () => {
    const records: ErrorLogRecord[] = [];
    const faultline = createFaultline({ telemetry: false, log: (r) => records.push(r) });
    async function* source() {
      yield { n: 1 };
      yield 'two\nlines';
      throw new Error('secret');
    }
    const reply = sse(faultline, source(), { request: { requestId: 'r1', path: '/events' } });
    expect(reply.status).toBe(200);
    expect(reply.headers).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': 'r1',
    });
    const body = createFaultline({ telemetry: false }).respond(new Error('x'), {
      requestId: 'r1',
    }).body;
    expect(await text(reply.body)).toBe(
      `data: {"n":1}\n\ndata: two\ndata: lines\n\nevent: error\ndata: ${body}\n\n`,
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: 'internal', requestId: 'r1', route: '/events' });
  });

  it('names events and ids from toEvent, without letting a value forge a field', async () => {
    const faultline = createFaultline({ telemetry: false });
    const reply = sse(faultline, [1], {
      request: { requestId: 'r' },
      toEvent: (n) => ({ event: 'tick\nevent: forged', id: `id-${n}`, data: { n } }),
    });
    expect(await text(reply.body)).toBe('event: tick event: forged\nid: id-1\ndata: {"n":1}\n\n');
  });

  it('ends a stream that completes without an error event', async () => {
    const reply = sse(createFaultline({ telemetry: false }), [], { request: { requestId: 'r' } });
    expect(await text(reply.body)).toBe('');
  });

  it('stops the source when the client goes away', async () => {
    let finished = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }
    const reply = sse(createFaultline({ telemetry: false }), source());
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
  });
});

describe('ndjson', () => {
  it('sends one item per line, then {"error": body} in the wire format', async () => {
    const faultline = createFaultline({ telemetry: false, format: 's2' });
    const failure = baseCatalog.create('unavailable', {}, { retryAfter: 2 });
    function* source() {
      yield { a: 1 };
      throw failure;
    }
    const reply = ndjson(faultline, source(), {
      request: { requestId: 'r2' },
      headers: { 'X-Extra': '1' },
    });
    expect(reply.headers['content-type']).toBe('application/x-ndjson');
    expect(reply.headers['x-extra']).toBe('1');
    expect(await text(reply.body)).toBe(
      '{"a":1}\n{"error":{"code":"unavailable","message":"The service is unavailable"}}\n',
    );
  });
});
