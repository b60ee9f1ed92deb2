/** The longest idempotency key accepted, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The outcome of reading an `Idempotency-Key` header value. */
export type ParsedIdempotencyKey =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'key'; readonly key: string };

/**
 * Reads an `Idempotency-Key` value: a Structured Field string (`"8e03…"`, as the draft writes
 * it) or, as most clients send it, the bare key. 1–255 visible ASCII characters.
 *
 * @example
 * ```ts
 * parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"'); // { kind: 'key', key: '8e03…' }
 * ```
 */
export function parseIdempotencyKey(value: string | null | undefined): ParsedIdempotencyKey {
  if (value === undefined || value === null) return { kind: 'missing' };
  let key = value.trim();
  if (key.length === 0) return { kind: 'missing' };
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) {
    const unquoted = unquote(key.slice(1, -1));
    if (unquoted === undefined) return { kind: 'invalid' };
    key = unquoted;
  }
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) return { kind: 'invalid' };
  if (!/^[\x20-\x7e]+$/.test(key)) return { kind: 'invalid' };
  return { kind: 'key', key };
}

/** The content of an sf-string: only `\\` and `\"` are escapes; a bare `"` is malformed. */
function unquote(inner: string): string | undefined {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '"') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = inner[++i];
    if (next !== '"' && next !== '\\') return undefined;
    out += next;
  }
  return out;
}
