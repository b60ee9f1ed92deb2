import { describe, expect, it } from 'vitest';
import { errorOf, parsePlan } from './plan.js';

describe('parsePlan', () => {
  it('reads steps, errors and parameters', () => {
    expect(
      parsePlan(
        'after:s2.unavailable;retry-after=1, before:503 ,hang,stream;events=2;error=s2.other;format=ndjson,ok',
      ),
    ).toEqual([
      { kind: 'after', error: 's2.unavailable', retryAfter: 1 },
      { kind: 'before', error: '503' },
      { kind: 'hang' },
      { kind: 'stream', events: 2, error: 's2.other', format: 'ndjson' },
      { kind: 'ok' },
    ]);
  });

  it.each([
    ['explode', /Unknown fault step/],
    ['before', /needs an error/],
    ['before:302', /Unknown fault error/],
    ['after:s2.nope', /Unknown fault error/],
    ['ok;retry-after=-1', /invalid fault parameter/],
    ['ok;color=red', /invalid fault parameter/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePlan(text)).toThrow(message);
  });
});

describe('errorOf', () => {
  it('encodes preset errors in their API format, statuses as problem+json', () => {
    const s2 = errorOf('s2.unavailable', 2);
    expect(s2.status).toBe(503);
    expect(s2.headers['retry-after']).toBe('2');
    expect(JSON.parse(s2.body)).toEqual({
      code: 'unavailable',
      message: 'The service is unavailable',
    });
    expect(JSON.parse(errorOf('discord.50014', undefined).body)).toMatchObject({ code: 50014 });
    expect(JSON.parse(errorOf('jan.RATE_LIMIT_EXCEEDED', 60).body)).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      retry_after: 60,
    });
    expect(JSON.parse(errorOf('s2.seq_num_mismatch', undefined).body)).toEqual({
      seq_num_mismatch: 0,
    });
    const problem = errorOf('502', undefined);
    expect(problem.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(problem.body)).toMatchObject({ status: 502, code: 502 });
    expect(errorOf('eventStore.2013', undefined).status).toBe(409);
  });
});
