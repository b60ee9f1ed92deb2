import { describe, expectTypeOf, it } from 'vitest';
import {
  type Catalog,
  type CatalogError,
  type CodeOf,
  catalogFromJSON,
  defineCatalog,
  type ErrorFor,
} from './catalog.js';
import type { ApiError } from './error.js';
import { t } from './schema.js';
import type { Code, NoDetails } from './types.js';

const catalog = defineCatalog({
  name: 'typed',
  entries: {
    bad_json: { name: 'BadJson', status: 400, retry: 'no', sideEffect: 'no', message: 'bad json' },
    seq_num_mismatch: {
      name: 'SeqNumMismatch',
      status: 412,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'expected {seq_num_mismatch}',
      details: { seq_num_mismatch: t.integer() },
      structured: true,
    },
    maybe: {
      name: 'Maybe',
      status: 400,
      retry: 'no',
      sideEffect: 'no',
      message: 'x',
      details: { hint: t.optional(t.string()), tags: t.optional(t.array(t.enum(['a', 'b']))) },
    },
  },
  groups: {
    read: {
      range: [1000, 1999],
      entries: {
        1001: {
          name: 'AggregateNotExists',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'missing',
          details: { aggregate: t.object({ id: t.string(), version: t.nullable(t.integer()) }) },
        },
      },
    },
  },
});

describe('types flow from the definition', () => {
  it('derives the union of codes, numbers included', () => {
    expectTypeOf<CodeOf<typeof catalog>>().toEqualTypeOf<
      'bad_json' | 'seq_num_mismatch' | 'maybe' | 1001
    >();
  });

  it('requires exactly the details of the code when creating', () => {
    catalog.create('bad_json');
    catalog.create('seq_num_mismatch', { seq_num_mismatch: 42 });
    catalog.create('maybe');
    catalog.create('maybe', { hint: 'h', tags: ['a'] });
    catalog.create(1001, { aggregate: { id: 'x', version: null } });
    // @ts-expect-error details are required for this code
    catalog.create('seq_num_mismatch');
    // @ts-expect-error wrong details type
    catalog.create('seq_num_mismatch', { seq_num_mismatch: 'x' });
    // @ts-expect-error enum values are checked
    catalog.create('maybe', { tags: ['c'] });
    // @ts-expect-error not a code of the catalog
    catalog.create('nope');
    // @ts-expect-error numeric codes are numbers, not strings
    catalog.create('1001', { aggregate: { id: 'x', version: 1 } });
  });

  it('types the created error by code', () => {
    const error = catalog.create('seq_num_mismatch', { seq_num_mismatch: 1 });
    expectTypeOf(error).toEqualTypeOf<ApiError<'seq_num_mismatch', { seq_num_mismatch: number }>>();
    expectTypeOf<ErrorFor<typeof catalog, 1001>['details']>().toEqualTypeOf<{
      aggregate: { id: string; version: number | null };
    }>();
  });

  it('narrows to the details type with the guard', () => {
    const value: unknown = null;
    if (catalog.is(value, 'seq_num_mismatch')) {
      expectTypeOf(value.details.seq_num_mismatch).toEqualTypeOf<number>();
      expectTypeOf(value.code).toEqualTypeOf<'seq_num_mismatch'>();
    }
    if (catalog.is(value, 'maybe')) {
      expectTypeOf(value.details.hint).toEqualTypeOf<string | undefined>();
    }
  });

  it('type-checks an exhaustive switch over the codes', () => {
    function describeError(error: CatalogError<typeof catalog>): string {
      switch (error.code) {
        case 'bad_json':
          return 'bad json';
        case 'seq_num_mismatch':
          return String(error.details.seq_num_mismatch);
        case 'maybe':
          return error.details.hint ?? '';
        case 1001:
          return error.details.aggregate.id;
        default: {
          const unreachable: never = error;
          return unreachable;
        }
      }
    }
    expectTypeOf(describeError).parameter(0).toHaveProperty('code');
  });

  it('fails an incomplete switch', () => {
    function incomplete(error: CatalogError<typeof catalog>): string {
      switch (error.code) {
        case 'bad_json':
          return 'x';
        default: {
          // @ts-expect-error codes are missing from the switch
          const unreachable: never = error;
          return unreachable;
        }
      }
    }
    expectTypeOf(incomplete).returns.toEqualTypeOf<string>();
  });
});

describe('codes in several groups', () => {
  const timeout = {
    name: 'Timeout',
    status: 504,
    retry: 'yes',
    sideEffect: 'maybe',
    message: 'slow',
  } as const;
  const jan = defineCatalog({
    name: 'jan',
    groups: {
      'Response API': { entries: { TIMEOUT: { ...timeout, meaning: 'Generation took too long' } } },
      'MCP Tools': {
        entries: {
          TIMEOUT: { ...timeout, meaning: 'Tool execution timeout' },
          INVALID_PARAMETERS: {
            name: 'InvalidParameters',
            status: 422,
            retry: 'no',
            sideEffect: 'no',
            message: 'bad {param}',
            details: { param: t.string() },
          },
        },
      },
    },
  });

  it('keeps a code listed in two groups with different meanings', () => {
    expectTypeOf<CodeOf<typeof jan>>().toEqualTypeOf<'TIMEOUT' | 'INVALID_PARAMETERS'>();
    expectTypeOf(jan.create('TIMEOUT')).toEqualTypeOf<ApiError<'TIMEOUT', NoDetails>>();
    expectTypeOf(jan.create('INVALID_PARAMETERS', { param: 'x' }).details).toEqualTypeOf<{
      param: string;
    }>();
  });

  it('lets a concrete catalog stand where any catalog is expected', () => {
    const accept = (catalog: Catalog) => catalog.name;
    expectTypeOf(accept(jan)).toEqualTypeOf<string>();
    const list: Catalog[] = [jan, catalog];
    expectTypeOf(list).toEqualTypeOf<Catalog[]>();
  });
});

describe('catalogs loaded from JSON', () => {
  it('types codes as any code and details as a record', () => {
    const loaded = catalogFromJSON('{}');
    expectTypeOf(loaded.codes).toEqualTypeOf<Code[]>();
    expectTypeOf(loaded.create('x').details).toEqualTypeOf<Record<string, unknown>>();
  });
});
