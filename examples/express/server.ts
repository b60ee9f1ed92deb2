/**
 * The shop API on Express 5. Run it: `npx tsx examples/express/server.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createExpressErrors } from 'faultline/express';
import { idempotencyHook, MemoryIdempotencyStore } from 'faultline/idempotency';
import { MemoryRateLimitStore, rateLimitHook } from 'faultline/ratelimit';
import { z } from 'zod';
import { orderQuota, shop } from '../catalog.js';

const Order = z.object({ sku: z.string(), quantity: z.number().int().min(1) });

export async function start(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const stock = new Map([['apple', 3]]);
  let orders = 0;
  const app = express();
  const errors = createExpressErrors({ catalog: shop });
  const guards = errors.hooks([
    rateLimitHook({ store: new MemoryRateLimitStore(), policies: orderQuota }),
    idempotencyHook({ store: new MemoryIdempotencyStore() }),
  ]);

  app.get('/products/:sku', (req, res) => {
    const available = stock.get(req.params.sku);
    if (available === undefined) throw shop.create('not_found');
    res.json({ sku: req.params.sku, available });
  });
  app.post('/orders', guards, errors.json(), async (req, res) => {
    const order = await errors.faultline.validate(Order, req.body); // 422 listing every bad field
    const available = stock.get(order.sku) ?? 0;
    if (order.quantity > available) {
      throw shop.create('out_of_stock', { sku: order.sku, available });
    }
    stock.set(order.sku, available - order.quantity);
    res.status(201).json({ id: `ord_${++orders}`, ...order });
  });
  app.use(errors.handlers); // last: 404, 405 and every error, answered from the catalog

  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop API (Express) listening on ${url}`);
}
