/**
 * The shop API's error catalog, shared by every example: the generic HTTP errors of the base
 * catalog (404, 422, 429, 500 …) plus the shop's own `out_of_stock`, with typed details.
 * `npx faultline docs examples/catalog.ts` renders it.
 */
import { t } from 'faultline';
import { baseCatalog, extendCatalog } from 'faultline/server';

export const shop = extendCatalog(baseCatalog, {
  name: 'shop',
  title: 'Shop API',
  version: '1.0.0',
  typeBase: 'https://shop.example/errors#',
  entries: {
    out_of_stock: {
      name: 'OutOfStock',
      title: 'Out of stock',
      status: 409,
      retry: 'after-change', // the same order succeeds once stock is added
      sideEffect: 'no', // refused before anything happened
      message: 'Only {available} of {sku} left',
      details: { sku: t.string(), available: t.integer({ minimum: 0 }) },
      meaning: 'The order asks for more items than are in stock.',
      fix: 'Order at most `available` items, or wait for a restock.',
    },
  },
});

/** The quota of `POST /orders` per client address: the servers enforce it, the docs publish it. */
export const orderQuota = { name: 'orders', limit: 5, windowMs: 60_000 };
