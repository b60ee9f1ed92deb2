import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, statusSemantics } from './index.js';
import {
  bracketPath,
  dottedPath,
  parseBracket,
  parseDotted,
  parsePointer,
  pointerOf,
} from './shared.js';

describe('statusSemantics', () => {
  it('retries the transient statuses and never 501', () => {
    const retried = [408, 429, 500, 502, 503, 504, 507, 521, 522, 523, 524];
    for (let status = 100; status <= 599; status++) {
      expect(statusSemantics(status).retry).toBe(retried.includes(status) ? 'yes' : 'no');
    }
  });

  it('says a 4xx had no side effect, except a timeout or a hang-up', () => {
    expect(statusSemantics(400)).toEqual({ retry: 'no', sideEffect: 'no' });
    expect(statusSemantics(429)).toEqual({ retry: 'yes', sideEffect: 'no' });
    expect(statusSemantics(408)).toEqual({ retry: 'yes', sideEffect: 'maybe' });
    expect(statusSemantics(499)).toEqual({ retry: 'no', sideEffect: 'maybe' });
    expect(statusSemantics(501)).toEqual({ retry: 'no', sideEffect: 'maybe' });
    expect(statusSemantics(503)).toEqual({ retry: 'yes', sideEffect: 'maybe' });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter('1.5')).toBe(1.5);
  });

  it('reads the three HTTP-date forms against the clock', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', now)).toBe(60);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is absent, malformed, negative or more than a year away', () => {
    for (const value of [undefined, '', '-1', 'NaN', 'Infinity', '1e3', '0x10', 'soon', 'foo 1']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
    expect(parseRetryAfter('31536001')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2099 07:28:00 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('1'.repeat(100))).toBeUndefined();
  });

  it('never returns NaN or a negative number', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer(), (value, clock) => {
        const seconds = parseRetryAfter(value, clock);
        if (seconds !== undefined) {
          expect(Number.isFinite(seconds) && seconds >= 0 && seconds <= 31_536_000).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('field paths', () => {
  const path = fc.array(
    fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.nat({ max: 99 })),
    { maxLength: 5 },
  );

  it('round-trip through pointers, dotted and bracket paths', () => {
    fc.assert(
      fc.property(path, (p) => {
        expect(parsePointer(pointerOf(p))).toEqual(p);
        expect(parseBracket(bracketPath(p))).toEqual(p);
        if (p.length !== 1 || p[0] !== '') expect(parseDotted(dottedPath(p))).toEqual(p);
      }),
      { numRuns: 1000 },
    );
  });

  it('escapes pointers per RFC 6901 and for URI fragments', () => {
    expect(pointerOf(['a/b', 'm~n', 'sp ace', 0])).toBe('#/a~1b/m~0n/sp%20ace/0');
    expect(parsePointer('#/a~1b/m~0n/sp%20ace/0')).toEqual(['a/b', 'm~n', 'sp ace', 0]);
    expect(parsePointer('/plain/1')).toEqual(['plain', 1]);
    expect(parsePointer('#')).toEqual([]);
    expect(parsePointer('#/%E0%A4%A')).toEqual(['%E0%A4%A']);
    expect(pointerOf(['\uD800'])).toBe('#/%EF%BF%BD');
  });

  it('reads Google paths with indexes', () => {
    expect(parseBracket('items[2].name')).toEqual(['items', 2, 'name']);
    expect(bracketPath(['items', 2, 'name'])).toBe('items[2].name');
    expect(parseBracket('a[x]')).toEqual(['a[x]']);
  });
});
