import type { Schema } from '../core/index.js';
import { t, validate } from '../core/index.js';
import { trafficDefinition } from '../ratelimit/index.js';
import { baseCatalog, extendCatalog, type StandardSchemaV1 } from '../server/index.js';

/**
 * The demo API's own errors: orders, products and record streams, plus the brief outage the
 * demo's fault injection answers with. Each says whether a retry can help and whether the
 * failed request may already have taken effect, which is what the client decides on.
 */
export const ordersDefinition = {
  name: 'orders-demo',
  version: '1.0.0',
  title: 'Orders demo API',
  description:
    'A small orders-and-streams service: place orders, read products, read record streams. Every error it answers is listed here, with the generic HTTP errors and the rate-limit and idempotency-key refusals it inherits.',
  typeBase: 'https://orders.example.com/docs/errors#',
  groups: {
    orders: {
      title: 'Orders and products',
      entries: {
        order_not_found: {
          name: 'OrderNotFound',
          title: 'Order not found',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'No order {id}',
          details: { id: t.string() },
          meaning: 'No order with this id exists for the caller.',
          fix: 'Check the id: it is the `id` of the order as created, not your own `ref`.',
        },
        unknown_product: {
          name: 'UnknownProduct',
          title: 'Unknown product',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'No product {sku}',
          details: { sku: t.string() },
          meaning: 'The SKU is not in the product list.',
          fix: 'Use one of the SKUs that `GET /products/{sku}` knows.',
        },
        out_of_stock: {
          name: 'OutOfStock',
          title: 'Out of stock',
          status: 409,
          retry: 'after-change',
          sideEffect: 'no',
          message: 'Only {available} of {sku} left',
          details: { sku: t.string(), available: t.integer({ minimum: 0 }) },
          meaning: 'The order asks for more items than are in stock; nothing was reserved.',
          fix: 'Lower the quantity, or place the order again after a restock.',
        },
      },
    },
    streams: {
      title: 'Record streams',
      entries: {
        stream_not_found: {
          name: 'StreamNotFound',
          title: 'Stream not found',
          status: 404,
          retry: 'no',
          sideEffect: 'no',
          message: 'No stream {name}',
          details: { name: t.string() },
          meaning: 'No record stream has this name.',
          fix: 'Use one of the stream names the API lists at `GET /`.',
        },
        stream_interrupted: {
          name: 'StreamInterrupted',
          title: 'Stream interrupted',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'The stream broke off before record {next_seq}',
          details: { next_seq: t.integer({ minimum: 0 }) },
          meaning:
            'The storage behind the stream failed after the response had started. It comes as the last event of the stream (an `error` event after `200 OK`), so the records before it are good.',
          fix: 'Read again from `next_seq`: reads have no side effect.',
        },
      },
    },
    availability: {
      title: 'Availability',
      entries: {
        maintenance: {
          name: 'Maintenance',
          title: 'Down for maintenance',
          status: 503,
          retry: 'yes',
          sideEffect: 'no',
          message: 'The service is briefly down for maintenance; nothing was processed',
          retryAfter: 1,
          meaning:
            'The API is switching over and refused the request before running it, so it took no effect.',
          fix: 'Send the same request again after `Retry-After`.',
        },
      },
    },
  },
} as const;

/**
 * The demo API's catalog: its own entries over the rate-limit and idempotency-key refusals of
 * `faultline/ratelimit` over the generic HTTP errors of `faultline/server`, so its reference
 * lists every error a caller can meet.
 */
export const ordersCatalog = extendCatalog(
  extendCatalog(baseCatalog, trafficDefinition),
  ordersDefinition,
);

/** The catalog's type. */
export type OrdersCatalog = typeof ordersCatalog;

/** The products the demo API sells. */
export const PRODUCTS = {
  'lamp-01': { name: 'Desk lamp', price: 3900, stock: 50_000 },
  'mug-02': { name: 'Enamel mug', price: 1200, stock: 50_000 },
  'pen-03': { name: 'Fountain pen', price: 2500, stock: 50_000 },
  'book-04': { name: 'Field notebook', price: 900, stock: 50_000 },
  'clock-05': { name: 'Wall clock (last few)', price: 5400, stock: 3 },
} as const;

/** A product's SKU. */
export type Sku = keyof typeof PRODUCTS;

/** The SKUs the load driver orders (the scarce one is left for trying `out_of_stock` by hand). */
export const LOAD_SKUS: readonly Sku[] = ['lamp-01', 'mug-02', 'pen-03', 'book-04'];

/** The body of `POST /orders`, as a JSON Schema that also types it (used for OpenAPI too). */
export const orderInput = t.object({
  ref: t.string({
    minLength: 1,
    maxLength: 64,
    description: "The caller's own reference for the order.",
  }),
  sku: t.enum(Object.keys(PRODUCTS) as Sku[], { description: 'The product ordered.' }),
  quantity: t.integer({ minimum: 1, maximum: 10 }),
});

/** The streams `GET /streams/{name}/records` serves. */
export const STREAMS = ['order-events', 'audit-log'] as const;

/**
 * A faultline details schema as a Standard Schema, so routes validate their bodies with the
 * same JSON Schema the OpenAPI document publishes (zod, valibot or arktype plug in the same way).
 */
export function standardSchema<T>(schema: Schema<T>): StandardSchemaV1<unknown, T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'faultline-demo',
      validate(value) {
        const issues = validate(schema, value);
        if (issues.length === 0) return { value: value as T };
        return {
          issues: issues.map((issue) => ({
            message: issue.message,
            path: issue.pointer
              .split('/')
              .slice(1)
              .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~')),
          })),
        };
      },
    },
  };
}
