import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CatalogDefinitionError,
  catalogFromJSON,
  defineCatalog,
  RESERVED_DETAIL_NAMES,
} from './catalog.js';
import { type JsonSchema, objectSchema, type Schema, t } from './schema.js';
import type { CatalogDefinition, EntryDefinition, GroupDefinition } from './types.js';

const schemaUrl = new URL('../../schema/catalog.schema.json', import.meta.url);
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateDocument = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')));

function expectValidDocument(document: unknown): void {
  const ok = validateDocument(document);
  expect(validateDocument.errors ?? [], JSON.stringify(validateDocument.errors)).toEqual([]);
  expect(ok).toBe(true);
}

// ---- arbitraries ---------------------------------------------------------------------------

const text = fc.string({ maxLength: 24 });
const identifier = fc
  .stringMatching(/^[a-z][a-z0-9_]{0,11}$/)
  .filter((name) => !RESERVED_DETAIL_NAMES.has(name));

const scalarSchema: fc.Arbitrary<Schema<unknown>> = fc.oneof(
  fc.constant(t.string()),
  fc.constant(t.integer({ minimum: 0 })),
  fc.constant(t.number()),
  fc.constant(t.boolean()),
  fc.constant(t.enum(['a', 'b', 1, null])),
  text.map((description) => t.string({ description })),
);
const fieldSchema: fc.Arbitrary<Schema<unknown>> = fc.oneof(
  scalarSchema,
  scalarSchema.map((item) => t.array(item)),
  scalarSchema.map((item) => t.nullable(item)),
  fc.dictionary(identifier, scalarSchema, { maxKeys: 3 }).map((fields) => t.object(fields)),
  scalarSchema.map((item) => t.optional(item)),
);

const entryArbitrary = (status: fc.Arbitrary<number>): fc.Arbitrary<EntryDefinition> =>
  fc
    .record(
      {
        name: fc.stringMatching(/^[A-Z][A-Za-z]{0,15}$/),
        status,
        retry: fc.constantFrom('yes', 'no', 'after-change'),
        sideEffect: fc.constantFrom('no', 'maybe', 'yes'),
        message: text.map((m) => m.replace(/[{}]/g, '')),
        title: text,
        details: fc.dictionary(identifier, fieldSchema, { minKeys: 1, maxKeys: 4 }),
        meaning: text,
        fix: text,
        notSuccess: text,
        pending: fc.boolean(),
        retryAfter: fc.integer({ min: 0, max: 3600 }),
        since: fc.constantFrom('1.0.0', '1.1.0', '2.0.0'),
        deprecated: fc.oneof(fc.boolean(), text),
      },
      { requiredKeys: ['name', 'status', 'retry', 'sideEffect', 'message'] },
    )
    .map((entry) => entry as EntryDefinition);

const definitionArbitrary: fc.Arbitrary<CatalogDefinition> = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
    version: fc.option(fc.constantFrom('0.1.0', '1.0.0'), { nil: undefined }),
    typeBase: fc.option(fc.constant('https://docs.example.com/errors#'), { nil: undefined }),
    closed: fc.boolean(),
    unlistedReserved: fc.boolean(),
    entries: fc.dictionary(
      fc.stringMatching(/^[a-z][a-z_]{0,15}$/),
      entryArbitrary(fc.integer({ min: 400, max: 599 })),
      { maxKeys: 6 },
    ),
    ranged: fc.array(
      fc.dictionary(
        fc.integer({ min: 0, max: 98 }).map(String),
        entryArbitrary(fc.integer({ min: 400, max: 599 })),
        { maxKeys: 4 },
      ),
      { maxLength: 3 },
    ),
  })
  .map(({ ranged, ...definition }) => {
    // Categories n*1000 … n*1000+999 with the top of each range reserved, as an event store
    // would have; codes are offsets into the range so they never collide across groups.
    const groups: Record<string, GroupDefinition> = {};
    ranged.forEach((entries, i) => {
      const base = (i + 1) * 1000;
      groups[`category ${i + 1}`] = {
        title: `Category ${i + 1}`,
        range: [base, base + 999],
        reserved: [[base + 900, base + 999], base + 99],
        entries: Object.fromEntries(
          Object.entries(entries).map(([offset, entry]) => [String(base + Number(offset)), entry]),
        ),
      };
    });
    return { ...definition, groups } as CatalogDefinition;
  });

/** Drops entries whose random flags contradict each other, as a definition must. */
function consistent(definition: CatalogDefinition): CatalogDefinition {
  const fix = (entries: Readonly<Record<string, EntryDefinition>> = {}) =>
    Object.fromEntries(
      Object.entries(entries).map(([code, entry]) => {
        const { pending, ...rest } = entry;
        return [code, pending && entry.status < 400 ? entry : rest];
      }),
    );
  const groups = Object.fromEntries(
    Object.entries(definition.groups ?? {}).map(([id, g]) => [
      id,
      { ...g, entries: fix(g.entries) },
    ]),
  );
  return { ...definition, entries: fix(definition.entries), groups };
}

describe('catalog JSON documents', () => {
  it('round-trips any valid definition: the document validates and loads back to the same catalog', () => {
    fc.assert(
      fc.property(definitionArbitrary.map(consistent), (definition) => {
        const catalog = defineCatalog(definition);
        const document = catalog.toJSON();
        expectValidDocument(document);
        const text = JSON.stringify(document);
        const loaded = catalogFromJSON(text);
        expect(loaded.toJSON()).toEqual(document);
        expect(loaded.entries).toEqual(catalog.entries);
        expect(loaded.groups).toEqual(catalog.groups);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps one code listed in two groups with its per-group meanings', () => {
    const timeout = {
      name: 'Timeout',
      status: 504,
      retry: 'yes',
      sideEffect: 'maybe',
      message: 'slow',
    } as const;
    const catalog = defineCatalog({
      name: 'jan',
      groups: {
        a: { entries: { TIMEOUT: { ...timeout, meaning: 'one' } } },
        b: { entries: { TIMEOUT: { ...timeout, meaning: 'two' } } },
      },
    });
    const document = catalog.toJSON();
    expectValidDocument(document);
    expect(document.entries).toEqual([
      {
        ...timeout,
        code: 'TIMEOUT',
        meaning: 'one',
        groups: ['a', 'b'],
        groupMeanings: { b: 'two' },
      },
    ]);
    expect(catalogFromJSON(document).entries).toEqual(catalog.entries);
  });

  it('rejects malformed documents with every problem and its path', () => {
    const bad = {
      faultline: 2,
      name: 'bad',
      groups: [{ id: 'g', range: [10, 1] }],
      entries: [
        { code: 'a', name: 'A', status: 404, retry: 'no', sideEffect: 'no', message: 'x' },
        { code: 'a', name: 'A', status: 404, retry: 'no', sideEffect: 'no', message: 'x' },
        { code: true, name: 'B' },
        {
          code: 5,
          name: 'C',
          status: 500,
          retry: 'yes',
          sideEffect: 'maybe',
          message: 'x',
          groups: ['missing'],
        },
        'nonsense',
      ],
    };
    let caught: unknown;
    try {
      catalogFromJSON(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CatalogDefinitionError);
    expect((caught as CatalogDefinitionError).issues).toEqual([
      { path: 'faultline', message: 'must be 1 (the document format version)' },
      { path: 'entries[2].code', message: 'must be a string or a number' },
      { path: 'entries[3].groups', message: 'group "missing" is not defined in groups' },
      { path: 'entries[4]', message: 'must be an entry object' },
      { path: 'groups.g.range', message: 'must be [low, high] integers, low <= high' },
      { path: 'entries[1]', message: 'duplicate code "a" (first defined at entries[0])' },
    ]);
    expect(validateDocument(bad)).toBe(false);
  });

  it('rejects text that is not JSON and values that are not objects', () => {
    expect(() => catalogFromJSON('{nope')).toThrow(/is not JSON/);
    expect(() => catalogFromJSON(42)).toThrow(CatalogDefinitionError);
    expect(() => catalogFromJSON(null)).toThrow(CatalogDefinitionError);
  });

  it('is not polluted by __proto__ keys in a document', () => {
    const document = JSON.parse(
      '{"faultline":1,"name":"p","entries":[{"code":"x","name":"X","status":400,"retry":"no","sideEffect":"no","message":"m","__proto__":{"polluted":true}}]}',
    );
    const catalog = catalogFromJSON(document);
    expect(catalog.get('x')?.name).toBe('X');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((catalog.get('x') as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('describes details with the published subset of JSON Schema', () => {
    const details: JsonSchema = objectSchema({
      a: t.optional(t.string()),
      b: t.record(t.integer()),
    });
    expect(details).toEqual({
      type: 'object',
      properties: {
        a: { type: 'string' },
        b: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      required: ['b'],
      additionalProperties: false,
    });
  });
});

describe('the preset documents', () => {
  const dir = new URL('../../presets/', import.meta.url);
  const files = readdirSync(dir).filter((file) => file.endsWith('.json'));

  it('are all there', () => {
    expect(files.sort()).toEqual([
      'discord.json',
      'event-store.json',
      'jan.json',
      's2.json',
      'sequin.json',
    ]);
  });

  it.each(files)('%s validates against the published JSON Schema and loads', (file) => {
    const document = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    expectValidDocument(document);
    expect(catalogFromJSON(document).toJSON()).toEqual(document);
  });
});
