import { describe, expect, it } from 'vitest';
import { defineCatalog } from '../catalog.js';
import { ApiError } from '../error.js';
import { decode } from './decode.js';

const catalog = defineCatalog({
  name: 'lazy',
  entries: {
    busy: { name: 'Busy', status: 503, retry: 'yes', sideEffect: 'no', message: 'busy' },
  },
});

describe('decode results', () => {
  it('give the code, status and entry up front and build the ApiError once, on first use', () => {
    const result = decode(503, { 'retry-after': '3' }, '{"code":"busy","message":"later"}', {
      catalog,
    });
    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    expect(result.code).toBe('busy');
    expect(result.status).toBe(503);
    expect(result.entry).toBe(catalog.get('busy'));
    const first = result.error;
    expect(first).toBeInstanceOf(ApiError);
    expect(result.error).toBe(first);
    expect(first).toMatchObject({ code: 'busy', status: 503, message: 'later', retryAfter: 3 });
    expect(catalog.is(first, 'busy')).toBe(true);
  });

  it('fall back to the HTTP status as the code when nothing names one', () => {
    const result = decode(502, undefined, '{"summary":"bad gateway"}');
    expect(result).toMatchObject({ kind: 'error', code: 502, status: 502, entry: undefined });
  });

  it('clean bodies the same when someone has added an enumerable member to Object.prototype', () => {
    const text =
      '{"code":"busy","message":"m","__proto__":{"x":1},"deep":' +
      '['.repeat(60) +
      ']'.repeat(60) +
      '}';
    const proto = Object.prototype as Record<string, unknown>;
    // Deeper than the limit: cleaning it would cut it short.
    const inherited = JSON.parse(`${'['.repeat(50)}${']'.repeat(50)}`);
    proto.polluted = inherited;
    try {
      const result = decode(503, undefined, text, { catalog });
      expect(result.kind).toBe('error');
      if (result.kind !== 'error') return;
      const details = result.error.details as Record<string, unknown>;
      expect(Object.hasOwn(details, '__proto__')).toBe(false);
      expect(Object.hasOwn(details, 'polluted')).toBe(false);
      let depth = 0;
      for (let node = details.deep; Array.isArray(node); node = node[0]) depth++;
      expect(depth).toBeLessThan(41);
      // The polluted member itself was read past, not cleaned.
      let inheritedDepth = 0;
      for (let node = inherited; Array.isArray(node); node = node[0]) inheritedDepth++;
      expect(inheritedDepth).toBe(50);
    } finally {
      delete proto.polluted;
    }
  });
});

describe('catalog lookups during decode', () => {
  it('give each code its own entry when codes alternate (the last lookup is remembered)', () => {
    const two = defineCatalog({
      name: 'two',
      entries: {
        busy: { name: 'Busy', status: 503, retry: 'yes', sideEffect: 'no', message: 'busy' },
        gone: { name: 'Gone', status: 410, retry: 'no', sideEffect: 'no', message: 'gone' },
        7: { name: 'Seven', status: 400, retry: 'no', sideEffect: 'no', message: 'seven' },
      },
    });
    for (const code of ['busy', 'gone', 'busy', 'nope', 'busy', '7', 7, 'gone']) {
      const result = decode(400, undefined, JSON.stringify({ code, message: 'm' }), {
        catalog: two,
      });
      expect(result.kind === 'error' && result.entry?.code).toBe(
        code === 'nope' ? undefined : code === '7' ? 7 : code,
      );
    }
    expect(two.get(undefined)).toBeUndefined();
    expect(two.get(Number.NaN)).toBeUndefined();
  });
});
