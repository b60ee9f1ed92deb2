import { describe, expectTypeOf, it } from 'vitest';
import type { CodeOf } from '../core/catalog.js';
import { t } from '../core/schema.js';
import { baseCatalog } from './base.js';
import { extendCatalog } from './extend.js';

const api = extendCatalog(baseCatalog, {
  name: 'orders',
  entries: {
    not_found: {
      name: 'OrderNotFound',
      status: 404,
      retry: 'no',
      sideEffect: 'no',
      message: 'No order {id}',
      details: { id: t.string() },
    },
    out_of_stock: {
      name: 'OutOfStock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Only {left} left',
      details: { left: t.integer() },
    },
  },
});

describe('extendCatalog types', () => {
  it('knows the codes of both catalogs', () => {
    expectTypeOf<'out_of_stock'>().toMatchTypeOf<CodeOf<typeof api>>();
    expectTypeOf<'rate_limited'>().toMatchTypeOf<CodeOf<typeof api>>();
    expectTypeOf<'not_found'>().toMatchTypeOf<CodeOf<typeof api>>();
  });

  it('types the details of team codes, and overrides take the team details', () => {
    expectTypeOf(api.create('out_of_stock', { left: 2 }).details).toEqualTypeOf<{ left: number }>();
    expectTypeOf(api.create('not_found', { id: 'x' }).details).toEqualTypeOf<{ id: string }>();
    // @ts-expect-error: details are required for a code that declares them
    api.create('out_of_stock');
    // @ts-expect-error: not a code of either catalog
    api.create('nope');
    api.create('rate_limited');
  });
});
