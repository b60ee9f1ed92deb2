import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAllow, generateRequestId, isValidRequestId, negotiateContentType } from './http.js';

describe('isValidRequestId', () => {
  it.each(['abc', 'req_01HX-9.z', 'a'.repeat(128), '~!#$%&*+'])('accepts %j', (id) => {
    expect(isValidRequestId(id)).toBe(true);
  });
  it.each([
    '',
    'has space',
    'a'.repeat(129),
    'tab\there',
    'new\nline',
    'é',
    '\u0000',
    42,
    undefined,
  ])('refuses %j', (id) => {
    expect(isValidRequestId(id)).toBe(false);
  });
  it('accepts exactly the visible-ASCII strings of 1 to 128 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (id) => {
        const visible = id.length >= 1 && id.length <= 128 && /^[!-~]+$/.test(id);
        expect(isValidRequestId(id)).toBe(visible);
      }),
    );
  });
  it('generates valid, distinct ids', () => {
    const a = generateRequestId();
    expect(isValidRequestId(a)).toBe(true);
    expect(generateRequestId()).not.toBe(a);
  });
});

describe('negotiateContentType', () => {
  const problem = 'application/problem+json';
  it.each([
    [undefined, problem],
    ['', problem],
    ['*/*', problem],
    ['application/problem+json', problem],
    ['application/*', problem],
    ['application/json', 'application/json'],
    ['application/json, text/plain;q=0.5', 'application/json'],
    ['application/problem+json;q=0, application/json', 'application/json'],
    ['text/html', problem],
    ['garbage;;;,,', problem],
  ])('Accept %j → %s', (accept, type) => {
    expect(negotiateContentType(problem, accept)).toBe(type);
  });
  it('leaves plain JSON types alone', () => {
    expect(negotiateContentType('application/json; charset=utf-8', 'application/json')).toBe(
      'application/json; charset=utf-8',
    );
  });
  it('reads a hostile Accept header in bounded time', () => {
    const accept = `${'text/x;q=0.1,'.repeat(100_000)}application/json`;
    const started = performance.now();
    expect(negotiateContentType(problem, accept)).toBe(problem);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('formatAllow', () => {
  it('adds HEAD to GET and sorts canonically', () => {
    expect(formatAllow(['POST', 'GET'])).toBe('GET, HEAD, POST');
    expect(formatAllow(['delete', 'PURGE', 'LINK', 'PUT'])).toBe('PUT, DELETE, LINK, PURGE');
    expect(formatAllow(['POST', 'POST'])).toBe('POST');
  });
});
