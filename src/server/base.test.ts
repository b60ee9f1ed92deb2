import { describe, expect, it } from 'vitest';
import { BASE_CODES, baseCatalog, baseDefinition, type ErrorKind, kindOfStatus } from './base.js';

describe('baseCatalog', () => {
  it('documents every entry: status, message, meaning and how to fix', () => {
    for (const entry of baseCatalog.entries) {
      expect(entry.status, String(entry.code)).toBeGreaterThanOrEqual(400);
      expect(entry.message, String(entry.code)).not.toBe('');
      expect(entry.meaning, String(entry.code)).toBeTruthy();
      expect(entry.fix, String(entry.code)).toBeTruthy();
      expect(entry.type).toBe(`https://faultline.dev/errors#${entry.code}`);
    }
  });

  it('holds the generic codes every seed shares', () => {
    for (const code of [
      'bad_request',
      'unauthenticated',
      'forbidden',
      'not_found',
      'conflict',
      'validation_failed',
      'rate_limited',
      'internal',
      'unavailable',
      'timeout',
    ]) {
      expect(baseCatalog.has(code), code).toBe(true);
    }
  });

  it('names an existing code for every kind of failure', () => {
    for (const [kind, code] of Object.entries(BASE_CODES)) {
      expect(baseCatalog.get(code)?.code, kind).toBe(code);
    }
    expect(Object.keys(BASE_CODES).sort()).toEqual(
      Object.keys(baseDefinition.entries)
        .map((code) => Object.entries(BASE_CODES).find(([, c]) => c === code)?.[0])
        .sort(),
    );
  });

  it('retries only what may succeed later, and says a retry may repeat a side effect', () => {
    const retried = baseCatalog.entries.filter((entry) => entry.retry === 'yes').map((e) => e.code);
    expect(retried).toEqual(['rate_limited', 'internal', 'unavailable', 'timeout']);
    expect(baseCatalog.get('rate_limited')?.sideEffect).toBe('no');
    expect(baseCatalog.get('timeout')?.sideEffect).toBe('maybe');
  });
});

describe('kindOfStatus', () => {
  it.each([
    [400, 'badRequest'],
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'notFound'],
    [405, 'methodNotAllowed'],
    [408, 'timeout'],
    [409, 'conflict'],
    [413, 'payloadTooLarge'],
    [415, 'unsupportedMediaType'],
    [418, 'badRequest'],
    [422, 'validation'],
    [429, 'rateLimited'],
    [500, 'internal'],
    [502, 'internal'],
    [503, 'unavailable'],
    [504, 'timeout'],
  ] as [number, ErrorKind][])('%i → %s', (status, kind) => {
    expect(kindOfStatus(status)).toBe(kind);
  });
});
