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
});
