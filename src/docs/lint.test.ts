import { describe, expect, it } from 'vitest';
import { type CatalogJson, catalogFromJSON, defineCatalog } from '../core/catalog.js';
import { presets } from '../presets/index.js';
import { lintCatalog } from './lint.js';

const doc = (entries: CatalogJson['entries'], extra: Partial<CatalogJson> = {}): CatalogJson => ({
  faultline: 1,
  name: 'x',
  typeBase: 'https://example.com/e#',
  entries,
  ...extra,
});

describe('lintCatalog', () => {
  it('reports definition-time problems of a JSON document with their paths', () => {
    const issues = lintCatalog(
      doc([
        { code: 'a', name: 'A', status: 200, retry: 'no', sideEffect: 'no', message: 'm' },
        {
          code: 'a',
          name: 'A',
          status: 400,
          retry: 'perhaps' as never,
          sideEffect: 'no',
          message: 'm',
        },
      ]),
    );
    expect(issues.every((issue) => issue.severity === 'error' && issue.rule === 'definition')).toBe(
      true,
    );
    const paths = issues.map((issue) => issue.path);
    expect(paths).toContain('entries[0].status');
    expect(paths).toContain('entries[1].retry');
    expect(issues.some((issue) => /duplicate code/.test(issue.message))).toBe(true);
  });

  it('reports a document that is not an object without throwing', () => {
    expect(lintCatalog('not json {')).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'definition', path: '$' }),
    ]);
    expect(lintCatalog(null)[0]?.rule).toBe('definition');
  });

  it('asks for a meaning on every entry and a fix on every 4xx', () => {
    const issues = lintCatalog(
      catalogFromJSON(
        doc([
          { code: 'bad', name: 'Bad', status: 400, retry: 'no', sideEffect: 'no', message: 'm' },
          {
            code: 'down',
            name: 'Down',
            status: 503,
            retry: 'yes',
            sideEffect: 'no',
            message: 'm',
          },
          {
            code: 'ok',
            name: 'Ok',
            status: 404,
            retry: 'no',
            sideEffect: 'no',
            message: 'm',
            meaning: 'Not there.',
            fix: 'Create it.',
          },
        ]),
      ),
    );
    expect(issues.map((i) => [i.rule, i.code, i.path])).toEqual([
      ['missing-meaning', 'bad', 'entries[0].meaning'],
      ['missing-fix', 'bad', 'entries[0].fix'],
      ['missing-meaning', 'down', 'entries[1].meaning'],
    ]);
  });

  it('needs a meaning in each group of a code listed in two groups', () => {
    const catalog = defineCatalog({
      name: 'svc',
      typeBase: 'https://example.com/e#',
      groups: {
        A: {
          entries: {
            TIMEOUT: {
              name: 'Timeout',
              status: 504,
              retry: 'yes',
              sideEffect: 'maybe',
              message: 'm',
            },
          },
        },
        B: {
          entries: {
            TIMEOUT: {
              name: 'Timeout',
              status: 504,
              retry: 'yes',
              sideEffect: 'maybe',
              message: 'm',
            },
          },
        },
      },
    });
    const json = catalog.toJSON();
    json.entries[0]!.groupMeanings = { A: 'Generation took too long.' };
    const issues = lintCatalog(catalogFromJSON(json));
    expect(issues).toEqual([
      expect.objectContaining({ rule: 'missing-meaning', message: expect.stringContaining('"B"') }),
    ]);
    json.entries[0]!.groupMeanings = { A: 'Generation took too long.', B: 'The tool timed out.' };
    expect(lintCatalog(catalogFromJSON(json))).toEqual([]);
  });

  it('warns about missing type URIs, closed catalogs without versions and repeated names', () => {
    const issues = lintCatalog(
      catalogFromJSON({
        faultline: 1,
        name: 'x',
        closed: true,
        entries: [
          {
            code: 'a',
            name: 'Same',
            status: 500,
            retry: 'yes',
            sideEffect: 'no',
            message: '',
            meaning: 'x',
          },
          {
            code: 'b',
            name: 'Same',
            status: 500,
            retry: 'yes',
            sideEffect: 'no',
            message: 'm',
            meaning: 'x',
          },
        ],
      }),
    );
    expect(issues.every((issue) => issue.severity === 'warning')).toBe(true);
    expect(issues.map((issue) => issue.rule).sort()).toEqual([
      'closed-without-version',
      'duplicate-name',
      'empty-message',
      'no-type-base',
    ]);
  });

  it('finds nothing to report in the presets', () => {
    for (const catalog of Object.values(presets)) {
      expect(lintCatalog(catalog), catalog.name).toEqual([]);
    }
  });
});
