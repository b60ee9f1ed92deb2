import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  MAX_CANONICAL_DEPTH,
  requestFingerprint,
  scopeKeyOf,
  sha256Base64Url,
  webSha256Base64Url,
} from './fingerprint.js';

const bytes = (text: string) => ({ kind: 'bytes' as const, bytes: new TextEncoder().encode(text) });

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace and writes numbers one way', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null, true], c: 1.5e2 } })).toBe(
      '{"a":{"c":150,"d":[1,"x",null,true]},"b":1}',
    );
  });

  it('keeps __proto__ keys as data and never reads inherited ones', () => {
    const parsed = JSON.parse('{"__proto__":{"admin":true},"a":1}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"admin":true},"a":1}');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses what JSON cannot hold and nesting past the limit', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(canonicalJson(cycle)).toBeUndefined();
    expect(canonicalJson({ f: () => 1 })).toBeUndefined();
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_CANONICAL_DEPTH; i++) deep = [deep];
    expect(canonicalJson(deep)).toBeUndefined();
  });

  it('is the same for any key order of the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered = JSON.parse(JSON.stringify(value), (_key, v) =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        );
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'POST', path: '/orders' };

  it('gives a JSON body the same fingerprint parsed or as bytes, whatever its layout', async () => {
    const a = await requestFingerprint({ ...base, body: bytes('{"b":2, "a":1}') });
    const b = await requestFingerprint({ ...base, body: bytes('{"a":1,"b":2}') });
    const c = await requestFingerprint({
      ...base,
      body: { kind: 'parsed', value: { a: 1, b: 2 } },
    });
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('changes with the method, path, query, chosen headers and body', async () => {
    const reference = await requestFingerprint({ ...base, body: bytes('{}') });
    const variants = await Promise.all([
      requestFingerprint({ ...base, method: 'PATCH', body: bytes('{}') }),
      requestFingerprint({ ...base, path: '/orders/1', body: bytes('{}') }),
      requestFingerprint({ ...base, query: 'a=1', body: bytes('{}') }),
      requestFingerprint({ ...base, headers: ['v2'], body: bytes('{}') }),
      requestFingerprint({ ...base, body: bytes('{"a":1}') }),
      requestFingerprint({ ...base, body: bytes('not json') }),
      requestFingerprint({ ...base, body: undefined }),
    ]);
    expect(new Set([reference, ...variants]).size).toBe(8);
  });

  it('scopes keys with a fixed-size hash that holds no credential', async () => {
    const scope = await scopeKeyOf('Bearer secret', 'post', '/orders', 'k');
    expect(scope).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(scope).toBe(await scopeKeyOf('Bearer secret', 'POST', '/orders', 'k'));
    expect(scope).not.toBe(await scopeKeyOf('Bearer other', 'POST', '/orders', 'k'));
  });
});

describe('sha256Base64Url', () => {
  it('gives the standard digest on the fast path and on Web Crypto alike', async () => {
    const abc = 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0';
    expect(await sha256Base64Url('abc')).toBe(abc);
    expect(await webSha256Base64Url('abc')).toBe(abc);
    const bytes = new Uint8Array([0, 255, 128, 10]);
    expect(await sha256Base64Url(bytes)).toBe(await webSha256Base64Url(bytes));
  });
});
