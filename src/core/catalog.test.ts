import { describe, expect, it } from 'vitest';
import { CatalogDefinitionError, defineCatalog, formatMessage } from './catalog.js';
import { ApiError } from './error.js';
import { t } from './schema.js';
import type { CatalogDefinition, EntryDefinition } from './types.js';

const plain = {
  name: 'Plain',
  status: 400,
  retry: 'no',
  sideEffect: 'no',
  message: 'plain',
} as const satisfies EntryDefinition;

function issuesOf(definition: CatalogDefinition): string[] {
  try {
    defineCatalog(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogDefinitionError);
    return (error as CatalogDefinitionError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the definition to be rejected');
}

const orders = defineCatalog({
  name: 'orders',
  version: '1.2.0',
  typeBase: 'https://api.example.com/errors#',
  entries: {
    out_of_stock: {
      name: 'OutOfStock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Only {available} of {sku} left',
      details: { sku: t.string(), available: t.integer({ minimum: 0 }) },
      meaning: 'Not enough items in stock.',
      fix: 'Order fewer items.',
    },
    unavailable: {
      name: 'Unavailable',
      status: 503,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'Try again later',
      retryAfter: 5,
    },
    idempotency_key_missing: {
      name: 'IdempotencyKeyMissing',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'Send an Idempotency-Key header',
      type: 'https://iana.org/assignments/http-problem-types#idempotency-key-missing',
    },
  },
  groups: {
    read: {
      title: 'Read',
      range: [1000, 1999],
      reserved: [[1500, 1599]],
      entries: {
        1001: {
          name: 'AggregateNotExists',
          status: 404,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'no aggregate',
        },
      },
    },
    write: {
      title: 'Write',
      range: [2000, 2999],
      entries: {
        2002: {
          name: 'ClientIdempotencyViolation',
          status: 409,
          retry: 'no',
          sideEffect: 'yes',
          message: 'already landed',
          successEquivalent: true,
        },
        2005: {
          name: 'AggregateNotExists',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'no aggregate to write to',
        },
      },
    },
    schema: { title: 'Schema', range: [2020, 2029], entries: {} },
  },
});

describe('defineCatalog', () => {
  it('normalises entries with codes of both kinds, anchors and type URIs', () => {
    expect(orders.codes).toEqual([
      'out_of_stock',
      'unavailable',
      'idempotency_key_missing',
      1001,
      2002,
      2005,
    ]);
    const entry = orders.get('out_of_stock')!;
    expect(entry.type).toBe('https://api.example.com/errors#out_of_stock');
    expect(entry.anchor).toBe('out_of_stock');
    expect(entry.title).toBe('OutOfStock');
    expect(entry.details).toEqual({
      type: 'object',
      properties: { sku: { type: 'string' }, available: { type: 'integer', minimum: 0 } },
      required: ['sku', 'available'],
      additionalProperties: false,
    });
    expect(orders.get(1001)!.groups).toEqual(['read']);
    expect(orders.get('idempotency_key_missing')!.type).toBe(
      'https://iana.org/assignments/http-problem-types#idempotency-key-missing',
    );
  });

  it('finds numeric codes from their decimal strings, and only those', () => {
    expect(orders.get('2002')?.code).toBe(2002);
    expect(orders.get(2002)?.code).toBe(2002);
    expect(orders.get('02002')).toBeUndefined();
    expect(orders.get('2002.0')).toBeUndefined();
    expect(orders.get({})).toBeUndefined();
    expect(orders.has(2002)).toBe(true);
    expect(orders.has('2002')).toBe(false);
  });

  it('finds entries by type URI and by status, and the narrowest category of a code', () => {
    expect(orders.getByType('https://api.example.com/errors#unavailable')?.code).toBe(
      'unavailable',
    );
    expect(orders.byStatus(404).map((e) => e.code)).toEqual([1001, 2005]);
    expect(orders.categoryOf(2021)?.id).toBe('schema');
    expect(orders.categoryOf(2005)?.id).toBe('write');
    expect(orders.categoryOf(99)).toBeUndefined();
  });

  it('allows the same name in two categories', () => {
    expect(orders.get(1001)!.name).toBe(orders.get(2005)!.name);
  });

  it('rejects duplicate codes across the ungrouped entries and a group', () => {
    const issues = issuesOf({
      name: 'dup',
      entries: { 7: plain },
      groups: { a: { entries: { 7: plain } } },
    });
    expect(issues).toEqual([expect.stringMatching(/^groups\.a\.entries\["7"\]: duplicate code 7/)]);
  });

  it('rejects a numeric code outside its category range or inside a reserved range', () => {
    const issues = issuesOf({
      name: 'ranges',
      groups: {
        read: {
          range: [1000, 1999],
          reserved: [1100, [1500, 1599]],
          entries: { 999: plain, 1100: plain, 1550: plain, abc: plain },
        },
      },
    });
    expect(issues).toEqual([
      expect.stringContaining('code 999 lies outside the range 1000–1999 of group "read"'),
      expect.stringContaining('code 1100 is inside the reserved range 1100–1100'),
      expect.stringContaining('code 1550 is inside the reserved range 1500–1599'),
      expect.stringContaining('group "read" has a numeric range; its codes must be numbers'),
    ]);
  });

  it('rejects invalid HTTP statuses and success statuses on plain error entries', () => {
    const issues = issuesOf({
      name: 'status',
      entries: {
        a: { ...plain, status: 600 },
        b: { ...plain, status: 404.5 },
        c: { ...plain, status: 200 },
        d: { ...plain, status: '404' as unknown as number },
      },
    });
    expect(issues).toEqual([
      'entries.a.status: 600 is not an HTTP status (an integer 100–599)',
      'entries.b.status: 404.5 is not an HTTP status (an integer 100–599)',
      expect.stringContaining('entries.c.status: 200 is not an error status'),
      'entries.d.status: "404" is not an HTTP status (an integer 100–599)',
    ]);
    expect(() =>
      defineCatalog({
        name: 'ok',
        entries: { ok: { ...plain, status: 200, successEquivalent: true } },
      }),
    ).not.toThrow();
  });

  it('merges one code listed in two groups when the semantics agree, keeping per-group meanings', () => {
    const timeout = {
      name: 'Timeout',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'timed out',
    } as const;
    const jan = defineCatalog({
      name: 'jan',
      groups: {
        'Response API': {
          entries: { TIMEOUT: { ...timeout, meaning: 'Generation took too long' } },
        },
        'MCP Tools': { entries: { TIMEOUT: { ...timeout, meaning: 'Tool execution timeout' } } },
      },
    });
    const entry = jan.get('TIMEOUT')!;
    expect(entry.groups).toEqual(['Response API', 'MCP Tools']);
    expect(entry.meaning).toBe('Generation took too long');
    expect(entry.groupMeanings).toEqual({ 'MCP Tools': 'Tool execution timeout' });
    expect(jan.groups.map((g) => [g.id, g.codes])).toEqual([
      ['Response API', ['TIMEOUT']],
      ['MCP Tools', ['TIMEOUT']],
    ]);
  });

  it('rejects one code in two groups with different status or retry semantics', () => {
    const timeout = {
      name: 'Timeout',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'x',
    } as const;
    const issues = issuesOf({
      name: 'jan',
      groups: {
        a: { entries: { TIMEOUT: timeout } },
        b: { entries: { TIMEOUT: { ...timeout, status: 408 } } },
        c: { entries: { TIMEOUT: { ...timeout, retry: 'no' } } },
      },
    });
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(
      /^groups\.b\.entries\.TIMEOUT: code "TIMEOUT" is also in group "a" with different semantics/,
    );
    expect(issues[1]).toMatch(/^groups\.c\.entries\.TIMEOUT:/);
  });

  it('rejects unknown message placeholders, reserved detail names and bad enums, all at once', () => {
    const issues = issuesOf({
      name: 'many',
      typeBase: 'not a uri',
      entries: {
        a: { ...plain, message: 'missing {field}' },
        b: { ...plain, details: { code: t.string(), __proto__x: t.string() } },
        c: { ...plain, retry: 'sometimes' as 'yes', sideEffect: 'perhaps' as 'no' },
        d: { ...plain, type: 'relative/path' },
        e: { ...plain, retryAfter: -1 },
        f: { ...plain, successEquivalent: true, notSuccess: 'never' },
        g: { ...plain, structured: true },
        h: { ...plain, name: '' },
      },
    });
    expect(issues).toEqual([
      'typeBase: must be an absolute URI prefix',
      'entries.a.message: placeholder {field} is not a details field',
      'entries.b.details.code: "code" is a wire-format member name; choose another field name',
      'entries.c.retry: must be one of yes, no, after-change',
      'entries.c.sideEffect: must be one of no, maybe, yes',
      'entries.d.type: must be an absolute URI',
      'entries.e.retryAfter: must be a non-negative number of seconds',
      'entries.f.notSuccess: an entry cannot be success-equivalent and never-success at once',
      'entries.g.structured: a structured body needs details fields',
      'entries.h.name: must be a non-empty string',
    ]);
  });

  it('rejects two codes that would share a docs anchor or a type URI', () => {
    expect(issuesOf({ name: 'a', entries: { 'a b': plain, 'a-b': plain } })).toEqual([
      expect.stringContaining('docs anchor "a-b" is the same as that of code "a b"'),
    ]);
    const type = 'https://example.com/p#same';
    expect(
      issuesOf({ name: 't', entries: { x: { ...plain, type }, y: { ...plain, type } } }),
    ).toEqual([expect.stringContaining(`type URI "${type}" is already used by code "x"`)]);
  });

  it('reports a readable message naming every problem', () => {
    const definition = { name: 'bad', entries: { a: { ...plain, status: 99 } } };
    expect(() => defineCatalog(definition)).toThrow(
      'Invalid catalog "bad" (1 problem):\n  - entries.a.status: 99 is not an HTTP status (an integer 100–599)',
    );
  });

  it('treats quoted numeric keys as strings when asked', () => {
    const catalog = defineCatalog({ name: 's', codes: 'string', entries: { '404': plain } });
    expect(catalog.codes).toEqual(['404']);
    expect(catalog.get(404)?.code).toBe('404');
    expect(catalog.get('404')?.code).toBe('404');
  });
});

describe('catalog.create and catalog.is', () => {
  it('creates an error with the entry semantics, the formatted message and the details', () => {
    const error = orders.create(
      'out_of_stock',
      { sku: 'A-1', available: 2 },
      { requestId: 'req_1' },
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      name: 'ApiError',
      code: 'out_of_stock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Only 2 of A-1 left',
      details: { sku: 'A-1', available: 2 },
      requestId: 'req_1',
      type: 'https://api.example.com/errors#out_of_stock',
      title: 'OutOfStock',
    });
    expect(error.entry).toBe(orders.get('out_of_stock'));
  });

  it('uses the entry retryAfter unless the thrower gives one', () => {
    expect(orders.create('unavailable').retryAfter).toBe(5);
    expect(orders.create('unavailable', {}, { retryAfter: 1 }).retryAfter).toBe(1);
  });

  it('keeps the cause and replaces the message on request', () => {
    const cause = new Error('db down');
    const error = orders.create('unavailable', {}, { cause, message: 'later' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('later');
  });

  it('refuses codes that are not in the catalog', () => {
    expect(() => (orders.create as (code: string) => unknown)('nope')).toThrow(
      new TypeError('Code "nope" is not in catalog "orders"'),
    );
    expect(() => (orders.create as (code: string) => unknown)('2002')).toThrow(TypeError);
  });

  it('narrows only when the code matches and the details fit the schema', () => {
    const good = orders.create('out_of_stock', { sku: 'x', available: 1 });
    expect(orders.is(good, 'out_of_stock')).toBe(true);
    expect(orders.is(good, 'unavailable')).toBe(false);
    expect(orders.is(good)).toBe(true);
    const lying = new ApiError({
      code: 'out_of_stock',
      status: 409,
      message: 'x',
      details: { sku: 1 },
    });
    expect(orders.is(lying, 'out_of_stock')).toBe(false);
    expect(orders.is(new ApiError({ code: 'other', status: 400, message: 'x' }))).toBe(false);
    expect(orders.is(new Error('x'))).toBe(false);
    expect(orders.is(null)).toBe(false);
  });
});

describe('formatMessage', () => {
  it('fills known placeholders and leaves unknown ones', () => {
    expect(formatMessage('{a} and {b} and {a}', { a: 1, b: { c: 2 } })).toBe('1 and {"c":2} and 1');
    expect(formatMessage('{missing}', {})).toBe('{missing}');
    expect(formatMessage('{toString}', {})).toBe('{toString}');
    expect(formatMessage('no placeholders', undefined)).toBe('no placeholders');
  });
});
