import { describe, expect, it } from 'vitest';
import { CatalogDefinitionError, defineCatalog } from '../core/catalog.js';
import { t } from '../core/schema.js';
import { baseCatalog } from './base.js';
import { extendCatalog } from './extend.js';

const orders = {
  name: 'orders',
  version: '2',
  typeBase: 'https://api.example.com/errors#',
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
      message: 'Sold out',
    },
  },
} as const;

describe('extendCatalog', () => {
  it('keeps every base entry the team does not override, and the team entries first', () => {
    const api = extendCatalog(baseCatalog, orders);
    expect(api.codes.slice(0, 2)).toEqual(['not_found', 'out_of_stock']);
    expect(api.codes).toHaveLength(baseCatalog.codes.length + 1);
    expect(api.name).toBe('orders');
    expect(api.version).toBe('2');
  });

  it('lets the team override a base entry', () => {
    const api = extendCatalog(baseCatalog, orders);
    const error = api.create('not_found', { id: 'o-1' });
    expect(error.message).toBe('No order o-1');
    expect(error.entry?.name).toBe('OrderNotFound');
    expect(api.get('not_found')?.details?.required).toEqual(['id']);
  });

  it("re-roots base entries under the team's typeBase", () => {
    const api = extendCatalog(baseCatalog, orders);
    expect(api.get('rate_limited')?.type).toBe('https://api.example.com/errors#rate_limited');
    expect(api.create('rate_limited', {}, { retryAfter: 3 }).retryAfter).toBe(3);
  });

  it('keeps the base type URIs when the team has no typeBase', () => {
    const api = extendCatalog(baseCatalog, { name: 'plain', entries: {} });
    expect(api.get('timeout')?.type).toBe('https://faultline.dev/errors#timeout');
  });

  it('merges groups, the team winning on the same id', () => {
    const base = defineCatalog({
      name: 'base',
      groups: {
        read: {
          title: 'Read',
          range: [1000, 1999],
          entries: {
            1001: { name: 'Missing', status: 404, retry: 'no', sideEffect: 'no', message: 'm' },
          },
        },
      },
    });
    const api = extendCatalog(base, {
      name: 'team',
      groups: {
        write: {
          range: [2000, 2999],
          entries: {
            2001: { name: 'Clash', status: 409, retry: 'no', sideEffect: 'no', message: 'c' },
          },
        },
      },
    });
    expect(api.groups.map((group) => group.id)).toEqual(['write', 'read']);
    expect(api.get(1001)?.groups).toEqual(['read']);
    expect(api.categoryOf(2001)?.id).toBe('write');
  });

  it('reports an invalid team definition with every problem', () => {
    expect(() =>
      extendCatalog(baseCatalog, {
        name: 'broken',
        entries: {
          x: { name: 'X', status: 99, retry: 'no', sideEffect: 'no', message: '{missing}' },
        },
      }),
    ).toThrow(CatalogDefinitionError);
  });
});
