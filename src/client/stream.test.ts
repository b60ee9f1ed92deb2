import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/error.js';
import { jan, s2 } from '../presets/index.js';
import { readEvents, readLines } from './stream.js';

/** A body that arrives in the given chunks, then ends or breaks off. */
function body(chunks: string[], broken = false): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else if (broken) controller.error(new TypeError('terminated'));
      else controller.close();
    },
  });
  return new Response(stream, { status: 200 });
}

async function collect<T>(source: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of source) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

describe('readEvents', () => {
  it('yields the events before an S2 terminal error event, then throws it typed', async () => {
    const response = body([
      'event: batch\ndata: {"records":[1]}\nid: 1\n\n',
      ': keep-alive\n\nevent: batch\r\ndata: {"records"',
      ':[2]}\r\n\r\nevent: error\ndata: {"code":"unavailable","message":"shard moved"}\n\n',
      'event: batch\ndata: {"records":[3]}\n\n',
    ]);
    const { items, error } = await collect(readEvents(response, { catalog: s2 }));
    expect(items).toEqual([
      { event: 'batch', data: '{"records":[1]}', id: '1' },
      { event: 'batch', data: '{"records":[2]}', id: '1' },
    ]);
    expect(ApiError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'unavailable', status: 503, retry: 'yes' });
    expect((error as ApiError).entry).toBe(s2.get('unavailable'));
  });

  it('treats data holding an error object as terminal, and joins multi-line data', async () => {
    const response = body([
      'data: line one\ndata: line two\n\n',
      'data: {"error":{"code":"rate_limited","message":"slow"}}\n\n',
    ]);
    const { items, error } = await collect(readEvents(response, { catalog: s2 }));
    expect(items).toEqual([{ event: 'message', data: 'line one\nline two', id: undefined }]);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
  });

  it('ends in a network_error when the connection breaks off mid-stream', async () => {
    const { items, error } = await collect(readEvents(body(['data: 1\n\n', 'data: 2\n'], true)));
    expect(items.map((e) => e.data)).toEqual(['1']);
    expect(error).toMatchObject({ code: 'network_error', sideEffect: 'maybe' });
  });

  it('ends quietly when the stream ends without an error', async () => {
    const { items, error } = await collect(readEvents(body(['data: a\n\ndata: b\n\n'])));
    expect(items.map((e) => e.data)).toEqual(['a', 'b']);
    expect(error).toBeUndefined();
  });
});

describe('readLines', () => {
  it('yields NDJSON values, then throws the terminal error line', async () => {
    const response = body([
      '{"n":1}\n{"n"',
      ':2}\n\nnot json\n',
      '{"error":"Service Unavailable","code":"SERVICE_UNAVAILABLE","message":"down"}\n{"n":3}\n',
    ]);
    const { items, error } = await collect(readLines(response, { catalog: jan }));
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      title: 'Service Unavailable',
    });
  });

  it('reads a last line with no newline', async () => {
    const { items } = await collect(readLines(body(['{"n":1}\n{"n":2}'])));
    expect(items).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('stops reading (and cancels the body) when the consumer breaks', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{"n":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of readLines(new Response(stream))) break;
    expect(cancelled).toBe(true);
  });
});
