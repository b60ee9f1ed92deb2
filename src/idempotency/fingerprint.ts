/**
 * Request fingerprints: SHA-256 (Web Crypto) over the method, the path, the query, chosen
 * headers and the body, with JSON bodies in canonical form so that key order and whitespace
 * do not make two equal payloads differ.
 */

/** Deeper JSON than this is fingerprinted by its bytes rather than canonicalised. */
export const MAX_CANONICAL_DEPTH = 256;

const encoder = new TextEncoder();

/**
 * Canonical JSON of a parsed JSON value: object keys sorted by code unit, no whitespace,
 * numbers and strings as `JSON.stringify` writes them. Returns `undefined` for values JSON
 * cannot hold (functions, `undefined`, cycles) or nesting deeper than
 * {@link MAX_CANONICAL_DEPTH}.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string | undefined {
  const parts: string[] = [];
  return write(value, parts, 0, new Set()) ? parts.join('') : undefined;
}

function write(value: unknown, out: string[], depth: number, seen: Set<object>): boolean {
  if (value === null) {
    out.push('null');
    return true;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return true;
    case 'number':
      // JSON has no NaN or Infinity; JSON.stringify writes them as null, and so do we.
      out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
      return true;
    case 'string':
      out.push(JSON.stringify(value));
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth >= MAX_CANONICAL_DEPTH || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (!write(value[i], out, depth + 1, seen)) return false;
    }
    out.push(']');
  } else {
    // Own enumerable keys only: a `__proto__` key parsed from JSON is an own property and is
    // fingerprinted like any other; nothing inherited is.
    const keys = Object.keys(value).sort();
    out.push('{');
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(keys[i]), ':');
      if (!write((value as Record<string, unknown>)[keys[i]!], out, depth + 1, seen)) return false;
    }
    out.push('}');
  }
  seen.delete(value);
  return true;
}

/** A request body for fingerprinting: raw bytes, or a value already parsed from JSON. */
export type FingerprintBody =
  | {
      readonly kind: 'bytes';
      readonly bytes: Uint8Array;
      readonly contentType?: string | undefined;
    }
  | { readonly kind: 'parsed'; readonly value: unknown };

/** What a fingerprint covers. */
export interface FingerprintInput {
  readonly method: string;
  readonly path: string;
  /** The query string without `?` (empty when there is none). */
  readonly query?: string;
  /** Values of the headers the route fingerprints, in the configured order. */
  readonly headers?: readonly (string | undefined)[];
  readonly body: FingerprintBody | undefined;
}

/**
 * The body part of a fingerprint: canonical JSON when the body is JSON (declared or not),
 * else the bytes as they are.
 */
export function bodyBytes(body: FingerprintBody | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  if (body.kind === 'parsed') {
    if (body.value === undefined) return new Uint8Array(0);
    const canonical = canonicalJson(body.value);
    return encoder.encode(canonical === undefined ? `!${String(body.value)}` : canonical);
  }
  if (body.bytes.byteLength === 0) return body.bytes;
  const canonical = canonicalOfJsonBytes(body.bytes);
  return canonical === undefined ? body.bytes : encoder.encode(canonical);
}

function canonicalOfJsonBytes(bytes: Uint8Array): string | undefined {
  // Only bodies that start like JSON are parsed: no point decoding a large upload.
  let first = 0;
  while (
    first < bytes.length &&
    (bytes[first] === 0x20 ||
      bytes[first] === 0x0a ||
      bytes[first] === 0x0d ||
      bytes[first] === 0x09)
  )
    first++;
  const c = bytes[first];
  if (c !== 0x7b && c !== 0x5b) return undefined;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return canonicalJson(JSON.parse(text));
  } catch {
    // Malformed UTF-8 or JSON (or nesting too deep for the parser): fingerprint the bytes.
    return undefined;
  }
}

/**
 * The fingerprint of a request: base64url SHA-256 (43 characters).
 *
 * @example
 * ```ts
 * await requestFingerprint({ method: 'POST', path: '/orders', body: { kind: 'parsed', value: { sku: 'a' } } });
 * ```
 */
export async function requestFingerprint(input: FingerprintInput): Promise<string> {
  // The header line is JSON, so it holds no raw newline: the first newline ends it.
  const head = encoder.encode(
    `${JSON.stringify(['fl1', input.method.toUpperCase(), input.path, input.query ?? '', input.headers ?? []])}\n`,
  );
  const body = bodyBytes(input.body);
  const all = new Uint8Array(head.byteLength + body.byteLength);
  all.set(head, 0);
  all.set(body, head.byteLength);
  return sha256Base64Url(all);
}

interface NodeHash {
  createHash(algorithm: string): {
    update(data: Uint8Array | string): { digest(encoding: 'base64url'): string };
  };
}

// On Node (and Bun and Deno, which provide the module) the synchronous hash is some twenty
// times faster than Web Crypto's, whose digest hops to a worker thread. Looked up without a
// static `node:` import, so the module still loads in browsers and workers.
const nodeCrypto = (() => {
  try {
    const lookup = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process?.getBuiltinModule;
    const module = typeof lookup === 'function' ? (lookup('node:crypto') as NodeHash) : undefined;
    return typeof module?.createHash === 'function' ? module : undefined;
  } catch {
    return undefined;
  }
})();

/** SHA-256 of bytes or text, base64url without padding. */
export async function sha256Base64Url(data: Uint8Array | string): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(data).digest('base64url');
  return webSha256Base64Url(data);
}

/** {@link sha256Base64Url} with Web Crypto only (what browsers and workers run). */
export async function webSha256Base64Url(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
  );
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The scope key of an idempotency key: tenant, method, path and key, hashed, so the store
 * never holds a credential or an unbounded path.
 */
export function scopeKeyOf(
  tenant: string,
  method: string,
  path: string,
  key: string,
): Promise<string> {
  return sha256Base64Url(JSON.stringify([tenant, method.toUpperCase(), path, key]));
}
