import { describe, expect, it } from 'vitest';
import { escapePointer, objectSchema, t, validate } from './schema.js';

const details = objectSchema({
  id: t.string({ minLength: 1 }),
  count: t.integer({ minimum: 0, maximum: 10 }),
  ratio: t.optional(t.number()),
  kind: t.optional(t.enum(['a', 'b'])),
  tags: t.optional(t.array(t.string())),
  tail: t.optional(t.object({ seq_num: t.integer(), timestamp: t.integer() })),
  note: t.optional(t.nullable(t.string())),
  extra: t.optional(t.record(t.boolean())),
  any: t.optional(t.unknown()),
  either: t.optional(t.union([t.string(), t.integer()])),
});

describe('validate', () => {
  it('accepts values of the described shape', () => {
    expect(
      validate(details, {
        id: 'x',
        count: 3,
        ratio: 0.5,
        kind: 'a',
        tags: ['t'],
        tail: { seq_num: 1, timestamp: 2 },
        note: null,
        extra: { ok: true },
        any: [{ deep: 1 }],
        either: 4,
      }),
    ).toEqual([]);
  });

  it('lists every problem with a JSON Pointer', () => {
    expect(
      validate(details, {
        count: 11.5,
        ratio: Number.NaN,
        kind: 'c',
        tags: ['ok', 2],
        tail: { seq_num: '1' },
        note: 3,
        extra: { a: 'no' },
        either: true,
        'a/b~c': 1,
      }),
    ).toEqual([
      { pointer: '/id', message: 'is required' },
      { pointer: '/count', message: 'must be an integer, got number' },
      { pointer: '/ratio', message: 'must be a finite number' },
      { pointer: '/kind', message: 'must be one of ["a","b"]' },
      { pointer: '/tags/1', message: 'must be a string, got number' },
      { pointer: '/tail/timestamp', message: 'is required' },
      { pointer: '/tail/seq_num', message: 'must be an integer, got string' },
      { pointer: '/note', message: 'matches none of the allowed shapes' },
      { pointer: '/extra/a', message: 'must be a boolean, got string' },
      { pointer: '/either', message: 'matches none of the allowed shapes' },
      { pointer: '/a~1b~0c', message: 'is not allowed' },
    ]);
  });

  it('checks bounds on strings and numbers', () => {
    expect(validate(details, { id: '', count: -1 })).toEqual([
      { pointer: '/id', message: 'must be at least 1 character' },
      { pointer: '/count', message: 'must be at least 0' },
    ]);
  });

  it('rejects non-objects and treats own keys only', () => {
    expect(validate(details, null)).toEqual([
      { pointer: '', message: 'must be an object, got null' },
    ]);
    expect(validate(details, [])).toEqual([
      { pointer: '', message: 'must be an object, got array' },
    ]);
    const inherited = Object.create({ id: 'x', count: 1 });
    expect(validate(details, inherited).map((i) => i.message)).toEqual([
      'is required',
      'is required',
    ]);
  });

  it('survives hostile nesting without exhausting the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const nested = t.array(t.unknown());
    let schema = nested;
    for (let i = 0; i < 100; i++) schema = t.array(schema);
    const issues = validate(schema, deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe('nested too deeply');
  });

  it('escapes JSON Pointer tokens', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
  });
});
