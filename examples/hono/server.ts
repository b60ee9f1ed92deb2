/**
 * The shop API on Hono 4, served on Node by @hono/node-server (`app.fetch` runs as it is on
 * Bun, Deno and Workers). Run it: `npx tsx examples/hono/server.ts`.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { useFaultline } from 'faultline/hono';
import { idempotencyHook, MemoryIdempotencyStore } from 'faultline/idempotency';
import { MemoryRateLimitStore, rateLimitHook } from 'faultline/ratelimit';
import { Hono } from 'hono';
import { z } from 'zod';
import { orderQuota, shop } from '../catalog.js';

const Order = z.object({ sku: z.string(), quantity: z.number().int().min(1) });

export async function start(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const stock = new Map([['apple', 3]]);
  let orders = 0;
  const app = new Hono();
  const errors = useFaultline(app, { catalog: shop }); // before the routes
  const guards = errors.hooks([
    rateLimitHook({ store: new MemoryRateLimitStore(), policies: orderQuota }),
    idempotencyHook({ store: new MemoryIdempotencyStore() }),
  ]);

  app.get('/products/:sku', (c) => {
    const available = stock.get(c.req.param('sku'));
    if (available === undefined) throw shop.create('not_found');
    return c.json({ sku: c.req.param('sku'), available });
  });
  app.post('/orders', guards, errors.json(), async (c) => {
    const order = await errors.faultline.validate(Order, await c.req.json()); // 422 per field
    const available = stock.get(order.sku) ?? 0;
    if (order.quantity > available) {
      throw shop.create('out_of_stock', { sku: order.sku, available });
    }
    stock.set(order.sku, available - order.quantity);
    return c.json({ id: `ord_${++orders}`, ...order }, 201);
  });

  let server!: ReturnType<typeof serve>;
  const address = await new Promise<AddressInfo>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, resolve);
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop API (Hono) listening on ${url}`);
}
