import type { Faultline, RequestInfo } from './faultline.js';
import { Reply } from './reply.js';

/** The items a streaming response sends: any sync or async iterable. */
export type StreamSource<T> = AsyncIterable<T> | Iterable<T>;

/** One Server-Sent Event, when an item needs more than `data`. */
export interface SseEvent {
  readonly event?: string;
  readonly id?: string;
  /** Sent as JSON unless it is a string. */
  readonly data: unknown;
}

/** Options of the streaming helpers. */
export interface StreamOptions<T> {
  /** The request the stream answers: its id goes into the terminal error and the log. */
  readonly request?: RequestInfo;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** SSE only: turns an item into an event (default: the item is the `data`). */
  readonly toEvent?: (item: T) => SseEvent;
}

const encoder = new TextEncoder();

function iterate<T>(source: StreamSource<T>): AsyncIterator<T> | Iterator<T> {
  const asyncIterable = (source as AsyncIterable<T>)[Symbol.asyncIterator];
  return asyncIterable
    ? asyncIterable.call(source)
    : (source as Iterable<T>)[Symbol.iterator].call(source);
}

function streamOf<T>(
  faultline: Faultline,
  source: StreamSource<T>,
  request: RequestInfo,
  line: (item: T) => string,
  terminal: (body: string) => string,
): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<T> | Iterator<T> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        iterator ??= iterate(source);
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(line(next.value)));
      } catch (thrown) {
        const response = faultline.respond(thrown, request);
        controller.enqueue(encoder.encode(terminal(response.body)));
        controller.close();
      }
    },
    async cancel() {
      // The client went away: let the source release what it holds.
      await iterator?.return?.();
    },
  });
}

function sseData(data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text
    .split(/\r\n|\r|\n/)
    .map((part) => `data: ${part}\n`)
    .join('');
}

function sseField(name: string, value: string): string {
  // A field value cannot hold a line break; one would end the field and forge another.
  return `${name}: ${value.replace(/[\r\n]/g, ' ')}\n`;
}

/**
 * A Server-Sent Events response (`text/event-stream`) over `source`. When the source throws
 * after the response has started, the stream ends with an event named `error` whose data is
 * the error body in the server's wire format (as S2 ends its streams), so the failure is not
 * lost; it is logged like any error. The faultline client's `readEvents` throws it.
 *
 * @example
 * ```ts
 * return sse(faultline, readEvents(), { request });
 * ```
 */
export function sse<T>(
  faultline: Faultline,
  source: StreamSource<T>,
  options: StreamOptions<T> = {},
): Reply {
  const toEvent = options.toEvent;
  const request = withRequestId(faultline, options.request);
  const body = streamOf(
    faultline,
    source,
    request,
    (item) => {
      if (!toEvent) return `${sseData(item)}\n`;
      const event = toEvent(item);
      let out = '';
      if (event.event !== undefined) out += sseField('event', event.event);
      if (event.id !== undefined) out += sseField('id', event.id);
      return `${out}${sseData(event.data)}\n`;
    },
    (body) => `event: error\n${sseData(body)}\n`,
  );
  return new Reply(
    200,
    {
      ...options.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': request.requestId,
    },
    body,
  );
}

/**
 * A newline-delimited JSON response (`application/x-ndjson`) over `source`: one item per line.
 * When the source throws after the response has started, the last line is
 * `{"error": <the error body in the server's wire format>}`; the faultline client's
 * `readLines` throws it.
 *
 * @example
 * ```ts
 * return ndjson(faultline, rows(), { request });
 * ```
 */
export function ndjson<T>(
  faultline: Faultline,
  source: StreamSource<T>,
  options: StreamOptions<T> = {},
): Reply {
  const request = withRequestId(faultline, options.request);
  const body = streamOf(
    faultline,
    source,
    request,
    (item) => `${JSON.stringify(item)}\n`,
    (body) => `{"error":${body}}\n`,
  );
  return new Reply(
    200,
    {
      ...options.headers,
      'content-type': 'application/x-ndjson',
      'cache-control': 'no-cache',
      'x-request-id': request.requestId,
    },
    body,
  );
}

function withRequestId(
  faultline: Faultline,
  request: RequestInfo | undefined,
): RequestInfo & { requestId: string } {
  return { ...request, requestId: request?.requestId ?? faultline.requestId(request?.headers) };
}
