/**
 * The shop API on node:http. Run it: `npx tsx examples/node/server.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type IdempotencyStore,
  idempotencyHook,
  MemoryIdempotencyStore,
} from 'faultline/idempotency';
import { createNodeHandler, type NodeHandler } from 'faultline/node';
import { MemoryRateLimitStore, type RateLimitStore, rateLimitHook } from 'faultline/ratelimit';
import { Reply, route } from 'faultline/server';
import { z } from 'zod';
import { orderQuota, shop } from '../catalog.js';

const Order = z.object({ sku: z.string(), quantity: z.number().int().min(1) });

/** Where quotas and idempotency keys live: memory here, Redis or PostgreSQL in ../stores. */
export interface Stores {
  readonly rateLimit: RateLimitStore;
  readonly idempotency: IdempotencyStore;
}

/** The shop's request listener (the browser example serves it next to its page). */
export function shopHandler(
  stores: Stores = {
    rateLimit: new MemoryRateLimitStore(),
    idempotency: new MemoryIdempotencyStore(),
  },
): NodeHandler {
  const stock = new Map([['apple', 3]]);
  let orders = 0;
  return createNodeHandler({
    catalog: shop,
    routes: {
      'GET /products/:sku': ({ params }) => {
        const available = stock.get(params.sku!);
        if (available === undefined) throw shop.create('not_found');
        return { sku: params.sku, available };
      },
      'POST /orders': route({
        body: Order, // a 422 listing every bad field, before the handler runs
        hooks: [
          rateLimitHook({ store: stores.rateLimit, policies: orderQuota }),
          idempotencyHook({ store: stores.idempotency }),
        ],
        handler: ({ body }) => {
          const available = stock.get(body.sku) ?? 0;
          if (body.quantity > available) {
            throw shop.create('out_of_stock', { sku: body.sku, available });
          }
          stock.set(body.sku, available - body.quantity);
          return Reply.json({ id: `ord_${++orders}`, ...body }, { status: 201 });
        },
      }),
    },
  });
}

export async function start(
  port = 0,
  stores?: Stores,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(shopHandler(stores));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop API (node:http) listening on ${url}`);
}
