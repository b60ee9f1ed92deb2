/**
 * Small HTTP helpers the server core and every adapter share: request ids, `Accept`
 * negotiation and the `Allow` header.
 */

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Whether an incoming request id can be echoed: 1–128 visible ASCII characters, no spaces. */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

/** A fresh request id (a random UUID, from the Web Crypto API every runtime has). */
export function generateRequestId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The content type to send for an error body of `type`, given the request's `Accept`
 * header: a client that accepts `application/json` but not `type` itself (a `+json` type such
 * as `application/problem+json`) gets the same body labelled `application/json`. Anything
 * else keeps `type`: an error is never turned into a 406.
 */
export function negotiateContentType(type: string, accept: string | undefined): string {
  if (accept === undefined || accept === '' || !type.includes('+json')) return type;
  const essence = (type.split(';', 1)[0] ?? type).trim().toLowerCase();
  const slash = essence.indexOf('/');
  const major = `${essence.slice(0, slash)}/*`;
  let wantsJson = false;
  // Bounded: a hostile Accept header with thousands of ranges is read only so far.
  for (const range of accept.split(',', 64)) {
    const [media = '', ...params] = range.split(';');
    const name = media.trim().toLowerCase();
    const refused = params.some((param) => /^\s*q\s*=\s*0(\.0{0,3})?\s*$/i.test(param));
    if (refused) continue;
    if (name === essence || name === major || name === '*/*') return type;
    if (name === 'application/json') wantsJson = true;
  }
  return wantsJson ? type.replace(/^[^;]+/, 'application/json') : type;
}

/** The raw query string of a request target or URL, without the `?` and any fragment. */
export function queryOf(target: string): string {
  const mark = target.indexOf('?');
  if (mark === -1) return '';
  const hash = target.indexOf('#', mark);
  return target.slice(mark + 1, hash === -1 ? target.length : hash);
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The `Allow` header for a set of methods, in one canonical order (so every adapter sends the
 * same bytes): `HEAD` is added wherever `GET` is, the common methods come first, others after
 * in alphabetical order.
 */
export function formatAllow(methods: Iterable<string>): string {
  const set = new Set<string>();
  for (const method of methods) set.add(method.toUpperCase());
  if (set.has('GET')) set.add('HEAD');
  const known = METHOD_ORDER.filter((method) => set.has(method));
  const others = [...set].filter((method) => !METHOD_ORDER.includes(method)).sort();
  return [...known, ...others].join(', ');
}

/** The methods every adapter probes when it looks for a path's other methods (for a 405). */
export const PROBE_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
