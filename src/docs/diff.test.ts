import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CatalogJson, catalogFromJSON, type EntryJson } from '../core/catalog.js';
import { type Change, diffCatalogs } from './diff.js';

function base(): CatalogJson {
  return {
    faultline: 1,
    name: 'orders',
    version: '1.0.0',
    typeBase: 'https://api.example.com/errors#',
    groups: [
      { id: 'Read', range: [1000, 1999] },
      { id: 'Write', range: [2000, 2999] },
    ],
    entries: [
      {
        code: 1001,
        name: 'NotFound',
        status: 404,
        retry: 'after-change',
        sideEffect: 'no',
        message: 'No such order',
        meaning: 'The order does not exist.',
        groups: ['Read'],
      },
      {
        code: 2003,
        name: 'Conflict',
        status: 409,
        retry: 'after-change',
        sideEffect: 'no',
        message: 'Version {expected} is stale',
        details: {
          type: 'object',
          properties: {
            expected: { type: 'integer' },
            actual: { type: 'integer', description: 'The current version.' },
            where: {
              type: 'object',
              properties: { shard: { type: 'string' } },
              required: ['shard'],
              additionalProperties: false,
            },
          },
          required: ['expected', 'actual', 'where'],
          additionalProperties: false,
        },
        groups: ['Write'],
      },
      {
        code: 2012,
        name: 'Backpressure',
        status: 503,
        retry: 'yes',
        sideEffect: 'no',
        message: 'Back off',
        groups: ['Write'],
      },
    ],
  };
}

type Mutation = (json: CatalogJson) => void;

function entry(json: CatalogJson, code: number): EntryJson {
  const found = json.entries.find((e) => e.code === code);
  if (!found) throw new Error(`no entry ${code}`);
  return found;
}

function conflictFields(json: CatalogJson): Record<string, any> {
  return entry(json, 2003).details!.properties as Record<string, any>;
}

function diffAfter(mutate: Mutation) {
  const after = base();
  mutate(after);
  return diffCatalogs(catalogFromJSON(base()), catalogFromJSON(after));
}

const rules = (changes: readonly Change[]) => changes.map((change) => change.rule);

describe('diffCatalogs: one catalog pair per rule', () => {
  const breaking: [string, Mutation, Change['rule']][] = [
    ['a code removed', (j) => j.entries.splice(2, 1), 'code-removed'],
    [
      'a numeric code renumbered',
      (j) => {
        entry(j, 2012).code = 2014;
      },
      'code-renumbered',
    ],
    [
      'a numeric code moved out of its range',
      (j) => {
        const e = entry(j, 2012);
        e.code = 1012;
        e.groups = ['Read'];
      },
      'code-moved-range',
    ],
    [
      'a range changed under a code',
      (j) => {
        j.groups![0]!.range = [1000, 1000];
        j.groups!.push({ id: 'Legacy', range: [1001, 1999] });
        entry(j, 1001).groups = ['Legacy'];
      },
      'code-moved-range',
    ],
    [
      'an entry name changed',
      (j) => {
        entry(j, 1001).name = 'Missing';
      },
      'name-changed',
    ],
    [
      'the HTTP status changed',
      (j) => {
        entry(j, 1001).status = 410;
      },
      'status-changed',
    ],
    [
      'retryability changed',
      (j) => {
        entry(j, 2012).retry = 'no';
      },
      'retry-changed',
    ],
    [
      'the side effect changed',
      (j) => {
        entry(j, 2012).sideEffect = 'maybe';
      },
      'side-effect-changed',
    ],
    [
      'the type URI changed',
      (j) => {
        j.typeBase = 'https://api.example.com/problems/';
      },
      'type-changed',
    ],
    [
      'an own type URI changed',
      (j) => {
        entry(j, 1001).type = 'https://example.com/not-found';
      },
      'type-changed',
    ],
    [
      'success semantics changed',
      (j) => {
        entry(j, 2012).notSuccess = 'not durable yet';
      },
      'semantics-changed',
    ],
    [
      'a details field removed',
      (j) => {
        delete conflictFields(j).actual;
        entry(j, 2003).details!.required = ['expected', 'where'];
      },
      'details-field-removed',
    ],
    [
      'a nested details field removed',
      (j) => {
        conflictFields(j).where = { type: 'object', properties: {}, additionalProperties: false };
      },
      'details-field-removed',
    ],
    [
      'a details field type changed',
      (j) => {
        conflictFields(j).actual = { type: 'string' };
      },
      'details-field-type-changed',
    ],
    [
      'a details field made optional',
      (j) => {
        entry(j, 2003).details!.required = ['expected', 'where'];
      },
      'details-field-optional',
    ],
    [
      'a code added to a closed catalog without a version bump',
      (j) => {
        j.entries.push({
          code: 2013,
          name: 'Inflight',
          status: 409,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'x',
          groups: ['Write'],
        });
      },
      'code-added-closed',
    ],
  ];

  for (const [what, mutate, rule] of breaking) {
    it(`breaking: ${what} (${rule})`, () => {
      const closed = rule === 'code-added-closed';
      const before = base();
      const after = base();
      if (closed) {
        before.closed = true;
        after.closed = true;
      }
      mutate(after);
      const diff = diffCatalogs(catalogFromJSON(before), catalogFromJSON(after));
      expect(rules(diff.breaking)).toContain(rule);
    });
  }

  it('breaking: a string code renamed (code-renamed)', () => {
    const before = catalogFromJSON({
      faultline: 1,
      name: 'x',
      entries: [{ code: 'a', name: 'A', status: 400, retry: 'no', sideEffect: 'no', message: 'm' }],
    });
    const after = catalogFromJSON({
      faultline: 1,
      name: 'x',
      entries: [{ code: 'b', name: 'A', status: 400, retry: 'no', sideEffect: 'no', message: 'm' }],
    });
    const diff = diffCatalogs(before, after);
    expect(rules(diff.breaking)).toEqual(['code-renamed']);
    expect(diff.breaking[0]!.message).toContain('"a" was renamed to "b"');
    expect(rules(diff.nonBreaking)).toEqual([]);
  });

  it('pairs a renumbered name within its own category when names repeat', () => {
    const json = (codes: [number, string][]): CatalogJson => ({
      faultline: 1,
      name: 'x',
      groups: [
        { id: 'Read', range: [1000, 1999] },
        { id: 'Write', range: [2000, 2999] },
      ],
      entries: codes.map(([code, group]) => ({
        code,
        name: 'AggregateNotExists',
        status: 404,
        retry: 'after-change',
        sideEffect: 'no',
        message: 'm',
        groups: [group],
      })),
    });
    const diff = diffCatalogs(
      catalogFromJSON(
        json([
          [1001, 'Read'],
          [2005, 'Write'],
        ]),
      ),
      catalogFromJSON(
        json([
          [1001, 'Read'],
          [2006, 'Write'],
        ]),
      ),
    );
    expect(rules(diff.breaking)).toEqual(['code-renumbered']);
    expect(diff.breaking[0]!.code).toBe(2006);
  });

  it('accepts a code added to a closed catalog with a version bump', () => {
    const before = { ...base(), closed: true };
    const after = { ...base(), closed: true, version: '1.1.0' };
    after.entries.push({
      code: 2013,
      name: 'Inflight',
      status: 409,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'x',
      groups: ['Write'],
    });
    const diff = diffCatalogs(catalogFromJSON(before), catalogFromJSON(after));
    expect(diff.breaking).toEqual([]);
    expect(rules(diff.nonBreaking)).toEqual(['code-added', 'catalog-changed']);
  });

  const nonBreaking: [string, Mutation, Change['rule']][] = [
    [
      'a code added to an open catalog',
      (j) =>
        void j.entries.push({
          code: 2013,
          name: 'Inflight',
          status: 409,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'x',
          groups: ['Write'],
        }),
      'code-added',
    ],
    [
      'a message edited',
      (j) => {
        entry(j, 1001).message = 'Order not found';
      },
      'message-changed',
    ],
    [
      'a meaning edited',
      (j) => {
        entry(j, 1001).meaning = 'Gone.';
      },
      'docs-changed',
    ],
    [
      'a fix added',
      (j) => {
        entry(j, 1001).fix = 'Check the id.';
      },
      'docs-changed',
    ],
    [
      'a details description edited',
      (j) => {
        conflictFields(j).actual.description = 'Now.';
      },
      'docs-changed',
    ],
    [
      'a details field added',
      (j) => {
        conflictFields(j).hint = { type: 'string' };
      },
      'details-field-added',
    ],
    [
      'a code deprecated',
      (j) => {
        entry(j, 1001).deprecated = 'Use 1002';
      },
      'deprecated',
    ],
    [
      'a default Retry-After set',
      (j) => {
        entry(j, 2012).retryAfter = 5;
      },
      'retry-after-changed',
    ],
  ];
  for (const [what, mutate, rule] of nonBreaking) {
    it(`non-breaking: ${what} (${rule})`, () => {
      const diff = diffAfter(mutate);
      expect(diff.breaking).toEqual([]);
      expect(rules(diff.nonBreaking)).toContain(rule);
    });
  }
});

const codeArb = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/),
  fc.integer({ min: 1, max: 99_999 }),
);
const fieldSchemaArb = fc.oneof(
  fc.constant({ type: 'string' as const }),
  fc.constant({ type: 'integer' as const, minimum: 0 }),
  fc.constant({ type: 'boolean' as const }),
  fc.constant({ type: 'array' as const, items: { type: 'number' as const } }),
);
const entryArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
  status: fc.oneof(fc.integer({ min: 400, max: 451 }), fc.integer({ min: 500, max: 599 })),
  retry: fc.constantFrom('yes' as const, 'no' as const, 'after-change' as const),
  sideEffect: fc.constantFrom('no' as const, 'maybe' as const, 'yes' as const),
  message: fc.string({ maxLength: 20 }).filter((s) => !s.includes('{')),
  meaning: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  fields: fc.dictionary(fc.stringMatching(/^f[a-z]{0,5}$/), fieldSchemaArb, { maxKeys: 3 }),
});
const catalogArb = fc
  .record({
    closed: fc.boolean(),
    version: fc.option(fc.constantFrom('1.0.0', '2.1', 'beta'), { nil: undefined }),
    entries: fc.uniqueArray(fc.tuple(codeArb, entryArb), {
      maxLength: 12,
      selector: ([code]) => String(code),
    }),
  })
  .map(({ closed, version, entries }): CatalogJson => {
    const json: CatalogJson = {
      faultline: 1,
      name: 'generated',
      closed,
      typeBase: 'https://example.com/e#',
      entries: entries.map(([code, e]) => {
        const out: EntryJson = {
          code,
          name: e.name,
          status: e.status,
          retry: e.retry,
          sideEffect: e.sideEffect,
          message: e.message,
        };
        if (e.meaning !== undefined) out.meaning = e.meaning;
        const keys = Object.keys(e.fields);
        if (keys.length > 0) {
          out.details = {
            type: 'object',
            properties: e.fields,
            required: keys.slice(0, 1),
            additionalProperties: false,
          };
        }
        return out;
      }),
    };
    if (version !== undefined) json.version = version;
    return json;
  });

describe('diffCatalogs properties', () => {
  it('a catalog diffed against itself (or its own JSON round trip) has no changes', () => {
    fc.assert(
      fc.property(catalogArb, (json) => {
        const catalog = catalogFromJSON(json);
        const same = diffCatalogs(catalog, catalog);
        expect(same.breaking).toEqual([]);
        expect(same.nonBreaking).toEqual([]);
        const copy = diffCatalogs(catalog, catalogFromJSON(catalog.toJSON()));
        expect(copy.breaking).toEqual([]);
        expect(copy.nonBreaking).toEqual([]);
      }),
    );
  });

  it('removing any code is breaking', () => {
    fc.assert(
      fc.property(
        catalogArb.filter((json) => json.entries.length > 0),
        fc.nat(),
        (json, pick) => {
          const after = structuredClone(json);
          after.entries.splice(pick % after.entries.length, 1);
          const diff = diffCatalogs(catalogFromJSON(json), catalogFromJSON(after));
          expect(diff.breaking.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
