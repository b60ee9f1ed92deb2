import type { Catalog } from '../core/catalog.js';
import type { ApiError } from '../core/error.js';
import { clientError } from './codes.js';
import { decodeError } from './decode.js';

/** Options of the stream readers. */
export interface StreamOptions {
  /** The API's catalog, to type the terminal error by its code. */
  catalog?: Catalog<any>;
}

/** One server-sent event. */
export interface ServerSentEvent {
  /** The event type (`message` when the server named none). */
  event: string;
  /** The data lines, joined with `\n`. */
  data: string;
  /** The last event id the server set, if any. */
  id: string | undefined;
}

/** The terminal error a stream carried: its JSON text decoded, typed by the catalog. */
function terminal(text: string, options: StreamOptions | undefined): ApiError {
  let inner = text;
  try {
    const value = JSON.parse(text);
    // `{"error": {...}}` wraps the error object; Jan's envelope has a string `error`, and a
    // Google body is itself `{"error": {...}}` with the canonical code name as its `status`
    // (a problem body's `status` is a number).
    if (typeof value?.error === 'object' && value.error && typeof value.error.status !== 'string') {
      inner = JSON.stringify(value.error);
    }
  } catch {
    // Not JSON: the decoder reports it as an error of status 500 with no code of its own.
  }
  const error = decodeError(500, new Headers(), inner, options?.catalog);
  const status = error.entry?.status;
  return status && status !== error.status ? error.with({ status }) : error;
}

/** Whether a parsed line or event payload is an error object rather than data. */
function isError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value;
}

/** The lines of a body as they arrive, `\n`, `\r\n` or `\r` terminated. */
async function* lines(response: Response): AsyncGenerator<string> {
  const reader = response.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  try {
    while (!ended) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        // The connection broke off after data had come: the stream ends in a network error.
        throw clientError('network_error', true, cause);
      }
      ended = chunk.done;
      buffer += ended ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      // A trailing `\r` may be the first half of a `\r\n` still on its way.
      const parts = buffer.split(ended ? /\r\n|\r|\n/ : /\r\n|\r(?!$)|\n/);
      buffer = ended ? '' : parts.pop()!;
      if (ended && parts[parts.length - 1] === '') parts.pop();
      yield* parts;
    }
  } finally {
    // A reader that stops early (a `break`, a terminal error) closes the connection.
    if (!ended) await reader.cancel().catch(() => {});
  }
}

/**
 * Reads a `text/event-stream` body event by event. When the server fails after `200 OK` it
 * sends a terminal error (S2: an `error` event whose data is the error body; others: data
 * that is an `{"error": ...}` object): the events before it are yielded, then it is thrown as
 * an {@link ApiError}. A connection that breaks off throws a `network_error`.
 *
 * @example
 * ```ts
 * const { response } = await api.send('/streams/orders/records?format=sse');
 * for await (const event of readEvents(response, { catalog: s2 })) handle(JSON.parse(event.data));
 * ```
 * @throws {ApiError} the terminal error, or `network_error` when the stream broke off.
 */
export async function* readEvents(
  response: Response,
  options?: StreamOptions,
): AsyncGenerator<ServerSentEvent> {
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  for await (const line of lines(response)) {
    if (line === '') {
      if (data.length > 0) {
        const text = data.join('\n');
        let payload: unknown;
        try {
          payload = JSON.parse(text);
        } catch {
          // Data need not be JSON.
        }
        if (event === 'error' || isError(payload)) throw terminal(text, options);
        yield { event: event || 'message', data: text, id };
      }
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  // An error event the server closed without its blank line still counts.
  if (event === 'error' && data.length > 0) throw terminal(data.join('\n'), options);
}

/**
 * Reads a newline-delimited JSON body value by value. A line holding an `{"error": ...}`
 * object is the server's terminal error: the values before it are yielded, then it is thrown
 * as an {@link ApiError}. Lines that are not JSON are skipped.
 *
 * @throws {ApiError} the terminal error, or `network_error` when the stream broke off.
 */
export async function* readLines(
  response: Response,
  options?: StreamOptions,
): AsyncGenerator<unknown> {
  for await (const line of lines(response)) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isError(value)) throw terminal(line, options);
    yield value;
  }
}
