/**
 * The client calling the shop API: a POST whose response is lost on the way back is retried
 * with the same `Idempotency-Key`, so the server replays the order instead of placing it twice;
 * an error is narrowed by its code to typed details. It starts the node:http example server
 * itself. Run it: `npx tsx examples/client/call.ts`.
 */
import { fileURLToPath } from 'node:url';
import { createClient } from 'faultline/client';
import { shop } from '../catalog.js';
import { start } from '../node/server.js';

/** A network that loses the response to the first POST, after the server has handled it. */
function lossyNetwork(): (input: string, init: RequestInit) => Promise<Response> {
  let lost = false;
  return async (input, init) => {
    const response = await fetch(input, init);
    if (init.method !== 'POST' || lost) return response;
    lost = true;
    await response.body?.cancel();
    throw new TypeError('fetch failed: the connection closed before the response arrived');
  };
}

export async function main(log: (line: string) => void = console.log) {
  const server = await start();
  try {
    const api = createClient({
      baseUrl: server.url,
      catalog: shop, // errors are typed by its codes and retried by its semantics
      fetch: lossyNetwork(),
      retry: { attempts: 3, base: 50 },
      hooks: { onRetry: ({ attempt }) => log(`retrying after ${attempt.code}`) },
    });

    // A POST gets an Idempotency-Key, the same on every attempt: retrying it is safe.
    const sent = await api.send('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'apple', quantity: 1 }),
    });
    const order = (await sent.response.json()) as { id: string };
    const replayed = sent.response.headers.get('idempotent-replayed') === 'true';
    log(`order ${order.id} after ${sent.attempts.length} attempts (replayed: ${replayed})`);

    const product = await api.get<{ available: number }>('/products/apple');
    log(`apples left: ${product.available}`); // 2: the order ran once

    let refused: { code: string; available: number; reason: string } | undefined;
    try {
      await api.post('/orders', { sku: 'apple', quantity: 10 });
    } catch (error) {
      if (!api.is(error, 'out_of_stock')) throw error;
      // Narrowed: `details` is { sku: string; available: number }. Not retried: the same
      // order can only succeed after the stock changes (retry: 'after-change').
      log(`${error.code}: only ${error.details.available} left (${error.reason})`);
      refused = { code: error.code, available: error.details.available, reason: error.reason };
    }
    return { order, replayed, attempts: sent.attempts.length, product, refused };
  } finally {
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
