import { describe, expect, it } from 'vitest';
import { BadPathError, Router } from './router.js';

function router(): Router<string> {
  const r = new Router<string>();
  r.add('GET', '/orders', 'list');
  r.add('POST', '/orders', 'create');
  r.add('GET', '/orders/:id', 'read');
  r.add('DELETE', '/orders/:id', 'delete');
  r.add('GET', '/files/*', 'files');
  return r;
}

describe('Router', () => {
  it('matches literal and parametric paths, decoding parameters', () => {
    const match = router().match('GET', '/orders/a%20b');
    expect(match).toMatchObject({ kind: 'found', params: { id: 'a b' } });
    expect(router().match('POST', '/orders')).toMatchObject({ kind: 'found' });
  });

  it('answers HEAD with the GET route', () => {
    const match = router().match('HEAD', '/orders/1');
    expect(match.kind === 'found' && match.route.value).toBe('read');
  });

  it('lists the methods of a path for a wrong method', () => {
    expect(router().match('PUT', '/orders/1')).toEqual({
      kind: 'method',
      allow: ['GET', 'DELETE'],
    });
  });

  it('finds nothing for unknown paths, empty parameters or extra segments', () => {
    expect(router().match('GET', '/nope').kind).toBe('none');
    expect(router().match('GET', '/orders/').kind).toBe('none');
    expect(router().match('GET', '/orders/1/extra').kind).toBe('none');
  });

  it('matches a trailing wildcard', () => {
    expect(router().match('GET', '/files/a/b/c')).toMatchObject({
      kind: 'found',
      params: { '*': 'a/b/c' },
    });
  });

  it('throws BadPathError on broken percent-encoding', () => {
    expect(() => router().match('GET', '/orders/%E0%A4%A')).toThrow(BadPathError);
  });

  it('refuses malformed routes', () => {
    const r = new Router<string>();
    expect(() => r.add('G ET', '/x', 'x')).toThrow(TypeError);
    expect(() => r.add('GET', 'x', 'x')).toThrow(TypeError);
    expect(() => r.add('GET', '/*/x', 'x')).toThrow(TypeError);
  });

  it('keeps parameters free of prototype keys', () => {
    const r = new Router<string>();
    r.add('GET', '/:__proto__', 'x');
    const match = r.match('GET', '/polluted');
    expect(match.kind === 'found' && Object.getPrototypeOf(match.params)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
