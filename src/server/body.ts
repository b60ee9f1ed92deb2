import { getHeader, type HeadersLike } from '../core/http.js';
import type { Faultline } from './faultline.js';

/** A request body as runtimes hand it out: a Web stream or an async iterable (Node streams). */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Whether a request announces a body (a non-zero `Content-Length` or any `Transfer-Encoding`). */
export function hasBody(headers: HeadersLike): boolean {
  const length = getHeader(headers, 'content-length');
  if (length !== undefined) return length.trim() !== '0';
  return getHeader(headers, 'transfer-encoding') !== undefined;
}

/** Whether a media type is JSON: `application/json` or any `+json` suffix type. */
export function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const essence = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return essence === 'application/json' || /^application\/[a-z0-9.!#$&^_+-]+\+json$/.test(essence);
}

/**
 * Checks the headers of a request with a body before reading it, in the order every adapter
 * follows: an unsupported media type, charset or content encoding is `unsupportedMediaType`
 * (415); a declared length over the limit is `payloadTooLarge` (413).
 *
 * @throws {ApiError} of those kinds.
 */
export function checkBodyHeaders(faultline: Faultline, headers: HeadersLike, limit: number): void {
  const type = getHeader(headers, 'content-type');
  if (!isJsonType(type)) throw faultline.error('unsupportedMediaType');
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(type ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw faultline.error('unsupportedMediaType');
  }
  const encoding = getHeader(headers, 'content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw faultline.error('unsupportedMediaType');
  }
  const length = getHeader(headers, 'content-length');
  if (length !== undefined && /^\d+$/.test(length.trim()) && Number(length) > limit) {
    throw faultline.error('payloadTooLarge');
  }
}

/**
 * Reads a body up to `limit` bytes.
 *
 * @throws {ApiError} `payloadTooLarge` as soon as the body grows past the limit (the rest is
 *   not read).
 */
export async function readBody(
  faultline: Faultline,
  source: BodySource,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const add = (chunk: Uint8Array): void => {
    size += chunk.byteLength;
    if (size > limit) throw faultline.error('payloadTooLarge');
    chunks.push(chunk);
  };
  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        add(value);
      }
    } catch (failure) {
      await reader.cancel().catch(() => undefined);
      throw failure;
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of source) add(chunk);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function isReadableStream(source: BodySource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body: `undefined` for an empty one; invalid UTF-8, invalid JSON or nesting
 * deeper than `maxDepth` is the `badJson` kind (400).
 *
 * @throws {ApiError} of the `badJson` kind.
 */
export function parseJsonBody(
  faultline: Faultline,
  bytes: Uint8Array | string,
  maxDepth: number,
): unknown {
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      throw faultline.error('badJson', { cause });
    }
  }
  if (text.trim() === '') return undefined;
  if (depthOf(text) > maxDepth) {
    throw faultline.error('badJson', {
      message: `The request body is nested deeper than ${maxDepth} levels`,
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw faultline.error('badJson', { cause });
  }
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped); linear time. */
export function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/**
 * Reads, checks and parses a JSON request body in one go: the order and kinds of
 * {@link checkBodyHeaders}, {@link readBody} and {@link parseJsonBody}. Resolves to
 * `undefined` when the request has no body (no source, `Content-Length: 0`, or no bytes).
 *
 * @throws {ApiError} of the kinds `unsupportedMediaType`, `payloadTooLarge` or `badJson`.
 */
export async function readJsonBody(
  faultline: Faultline,
  headers: HeadersLike,
  source: BodySource | null | undefined,
  limit: number = faultline.bodyLimit,
): Promise<unknown> {
  if (!source) return undefined;
  const length = getHeader(headers, 'content-length')?.trim();
  if (length === '0') return undefined;
  const type = getHeader(headers, 'content-type');
  // A body of unknown length and type may still be empty (a Fetch request's empty stream).
  if (type !== undefined || length !== undefined) checkBodyHeaders(faultline, headers, limit);
  const bytes = await readBody(faultline, source, limit);
  if (bytes.byteLength === 0) return undefined;
  if (type === undefined) throw faultline.error('unsupportedMediaType');
  return parseJsonBody(faultline, bytes, faultline.maxDepth);
}
