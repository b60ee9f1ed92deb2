/**
 * The shop API on Fastify 5. Run it: `npx tsx examples/fastify/server.ts`.
 */
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { fastifyServerOptions, faultlinePlugin } from 'faultline/fastify';
import { idempotencyHook, MemoryIdempotencyStore } from 'faultline/idempotency';
import { MemoryRateLimitStore, rateLimitHook } from 'faultline/ratelimit';
import { createFaultline } from 'faultline/server';
import { z } from 'zod';
import { orderQuota, shop } from '../catalog.js';

const Order = z.object({ sku: z.string(), quantity: z.number().int().min(1) });

export async function start(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const stock = new Map([['apple', 3]]);
  let orders = 0;
  const faultline = createFaultline({ catalog: shop });
  // Also answers what Fastify refuses before any plugin runs (a malformed URL or header).
  const app = Fastify({ ...fastifyServerOptions(faultline) });
  await app.register(faultlinePlugin, { faultline }); // before the routes
  const guards = [
    rateLimitHook({ store: new MemoryRateLimitStore(), policies: orderQuota }),
    idempotencyHook({ store: new MemoryIdempotencyStore() }),
  ];

  app.get<{ Params: { sku: string } }>('/products/:sku', async (request) => {
    const available = stock.get(request.params.sku);
    if (available === undefined) throw shop.create('not_found');
    return { sku: request.params.sku, available };
  });
  app.post('/orders', { config: { faultline: { hooks: guards } } }, async (request, reply) => {
    const order = await faultline.validate(Order, request.body); // 422 listing every bad field
    const available = stock.get(order.sku) ?? 0;
    if (order.quantity > available) {
      throw shop.create('out_of_stock', { sku: order.sku, available });
    }
    stock.set(order.sku, available - order.quantity);
    return reply.code(201).send({ id: `ord_${++orders}`, ...order });
  });

  const url = await app.listen({ host: '127.0.0.1', port });
  return { url, close: () => app.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop API (Fastify) listening on ${url}`);
}
