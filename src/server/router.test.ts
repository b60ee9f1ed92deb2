import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadPathError, Router } from './router.js';

/**
 * The reading the router keeps, written the plain way: a path's segments are what follows its
 * first `/`, split on `/`; `*` takes the rest. `undefined`: no match.
 */
function reference(pattern: string, path: string): Record<string, string> | undefined {
  const segments = pattern.split('/').slice(1);
  const parts = path.split('/').slice(1);
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '*') {
      params['*'] = decodeURIComponent(parts.slice(i).join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.startsWith(':')) {
      if (part === '') return undefined;
      params[segment.slice(1)] = decodeURIComponent(part);
    } else if (segment !== part) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

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
    const params = match.kind === 'found' ? match.params : {};
    expect(Object.hasOwn(params, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toBe('polluted');
    // Nothing inherited: no Object.prototype member reads through.
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(name in params, name).toBe(false);
    }
    expect(Object.getPrototypeOf(Object.getPrototypeOf(params))).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads paths in place as a split on "/" would (the matcher makes no array per request)', () => {
    const patterns = ['/', '/orders', '/orders/', '/orders/:id', '/orders/:id/items/:item'];
    patterns.push('/files/*', '/*', '/a//b', '/:x', '/a/:b/*');
    const piece = fc.constantFrom('', 'a', 'b', 'orders', 'files', 'items', '42', '%20', 'x%2Fy');
    const path = fc
      .tuple(fc.boolean(), fc.array(piece, { maxLength: 5 }))
      .map(([slash, pieces]) => `${slash ? '/' : ''}${pieces.join('/')}`);
    fc.assert(
      fc.property(fc.constantFrom(...patterns), path, (pattern, target) => {
        const r = new Router<string>();
        r.add('GET', pattern, 'x');
        const match = r.match('GET', target);
        const expected = reference(pattern, target);
        expect(match.kind === 'found' ? { ...match.params } : undefined).toEqual(expected);
      }),
      { seed: 20_261_122, numRuns: 2000 },
    );
  });
});
