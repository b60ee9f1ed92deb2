import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIdempotencyKey } from './key.js';

describe('parseIdempotencyKey', () => {
  it('reads bare keys and Structured Field strings', () => {
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toEqual({
      kind: 'key',
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
    expect(parseIdempotencyKey(' "clkyoesmbgybucifusbbtdsbohtyuuwz" ')).toEqual({
      kind: 'key',
      key: 'clkyoesmbgybucifusbbtdsbohtyuuwz',
    });
    expect(parseIdempotencyKey('"a \\"quoted\\" \\\\ key"')).toEqual({
      kind: 'key',
      key: 'a "quoted" \\ key',
    });
  });

  it('tells a missing key from a malformed one', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ kind: 'missing' });
    expect(parseIdempotencyKey(null)).toEqual({ kind: 'missing' });
    expect(parseIdempotencyKey('   ')).toEqual({ kind: 'missing' });
    for (const bad of [
      '""',
      '"a"b"',
      '"bad\\escape"',
      'x'.repeat(256),
      'tab\there',
      'ünï',
      'a\u0000b',
    ]) {
      expect(parseIdempotencyKey(bad)).toEqual({ kind: 'invalid' });
    }
    expect(parseIdempotencyKey('x'.repeat(255)).kind).toBe('key');
  });

  it('never throws, whatever the header holds (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (value) => {
        const parsed = parseIdempotencyKey(value);
        if (parsed.kind === 'key') {
          expect(parsed.key.length).toBeGreaterThan(0);
          expect(parsed.key.length).toBeLessThanOrEqual(255);
          expect(parsed.key).toMatch(/^[\x20-\x7e]+$/);
        }
      }),
    );
  });
});
