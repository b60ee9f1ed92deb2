import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { typecheck } from '../../test/helpers/typecheck.js';
import { CatalogDefinitionError } from '../core/catalog.js';
import { presets } from '../presets/index.js';
import { generateTypeScript } from './codegen.js';

/** Loads the generated module as JavaScript, to exercise its guards at run time. */
async function load(source: string): Promise<Record<string, any>> {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return import(`data:text/javascript,${encodeURIComponent(js)}`);
}

describe('generateTypeScript', () => {
  for (const catalog of Object.values(presets)) {
    it(`${catalog.name}: generates a module that type-checks from the JSON document`, () => {
      const source = generateTypeScript(catalog.toJSON());
      const first = JSON.stringify(catalog.codes[0]);
      const usage = `import { CODES, ERRORS, errorInfo, isCatalogError, type ErrorCode } from './errors.js';
const code: ErrorCode = ${first};
const status: number = ERRORS[code].status;
const all: readonly ErrorCode[] = CODES;
declare const value: unknown;
if (isCatalogError(value)) {
  const c: ErrorCode = value.code;
  void c;
}
// @ts-expect-error not a code of the catalog
const wrong: ErrorCode = 'no such code at all';
void status; void all; void wrong; void errorInfo;
`;
      expect(typecheck({ 'errors.ts': source, 'usage.ts': usage })).toEqual([]);
    });
  }

  it('narrows details per code (S2 412 and 416)', () => {
    const source = generateTypeScript(presets.s2.toJSON());
    const usage = `import { isCatalogError, type ErrorDetails } from './errors.js';
declare const value: unknown;
if (isCatalogError(value, 'seq_num_mismatch')) {
  const next: number = value.details.seq_num_mismatch;
  void next;
}
if (isCatalogError(value, 'range_not_satisfiable')) {
  const tail: number = value.details.tail.seq_num + value.details.tail.timestamp;
  void tail;
}
const none: ErrorDetails['bad_header'] = {};
// @ts-expect-error a code without details has none
const extra: ErrorDetails['bad_header'] = { anything: 1 };
// @ts-expect-error the token is a string
const token: ErrorDetails['fencing_token_mismatch'] = { fencing_token_mismatch: 7 };
void none; void extra; void token;
`;
    expect(typecheck({ 'errors.ts': source, 'usage.ts': usage })).toEqual([]);
  });

  it('keeps numeric codes numeric and optional details optional (Jan, event store)', () => {
    const source = generateTypeScript(presets.eventStore.toJSON());
    const usage = `import { ERRORS, type ErrorCode } from './errors.js';
const code: ErrorCode = 2002;
const success: boolean = ERRORS[code].successEquivalent;
// @ts-expect-error codes are numbers, not strings
const text: ErrorCode = '2002';
void success; void text;
`;
    expect(typecheck({ 'errors.ts': source, 'usage.ts': usage })).toEqual([]);
    const jan = generateTypeScript(presets.jan.toJSON());
    const janUsage = `import type { ErrorDetails } from './errors.js';
const limited: ErrorDetails['RATE_LIMIT_EXCEEDED'] = {};
void limited;
`;
    expect(typecheck({ 'errors.ts': jan, 'usage.ts': janUsage })).toEqual([]);
  });

  it('guards at run time: known codes, required fields and their kinds', async () => {
    const mod = await load(generateTypeScript(presets.s2.toJSON()));
    expect(mod.isErrorCode('bad_header')).toBe(true);
    expect(mod.isErrorCode('nope')).toBe(false);
    expect(mod.isCatalogError({ code: 'seq_num_mismatch', details: { seq_num_mismatch: 4 } })).toBe(
      true,
    );
    expect(mod.isCatalogError({ code: 'seq_num_mismatch', details: {} })).toBe(false);
    expect(
      mod.isCatalogError({ code: 'seq_num_mismatch', details: { seq_num_mismatch: '4' } }),
    ).toBe(false);
    expect(mod.isCatalogError({ code: 'bad_header' }, 'bad_path')).toBe(false);
    expect(mod.isCatalogError({ code: 'bad_header' }, 'bad_header')).toBe(true);
    expect(mod.isCatalogError(null)).toBe(false);
    expect(mod.errorInfo('rate_limited')).toMatchObject({ status: 429, retry: 'yes' });
    const store = await load(generateTypeScript(presets.eventStore.toJSON()));
    expect(store.errorInfo('2002')).toMatchObject({ code: 2002, successEquivalent: true });
    expect(store.errorInfo('02002')).toBeUndefined();
  });

  it('stays valid TypeScript whatever the catalog text holds', () => {
    const source = generateTypeScript({
      faultline: 1,
      name: 'evil */ name',
      version: '1"; throw 1; //',
      entries: [
        {
          code: 'it\'s "quoted" */',
          name: 'Name */ with comment end',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: `line\nbreak \`tick\` $\{ x }`,
          meaning: 'ends */ early\nand spans lines',
          details: {
            type: 'object',
            properties: {
              'odd key': { type: 'string', description: '*/ closing' },
              list: { type: 'array', items: { enum: ['a', 1, null] } },
              map: { type: 'object', additionalProperties: { type: 'integer' } },
              either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
            },
            required: ['odd key'],
            additionalProperties: false,
          },
        },
      ],
    });
    expect(typecheck({ 'errors.ts': source })).toEqual([]);
  });

  it('rejects a document that is not a valid catalog', () => {
    expect(() => generateTypeScript({ faultline: 1, name: 'x', entries: [{ code: 1 }] })).toThrow(
      CatalogDefinitionError,
    );
  });
});
