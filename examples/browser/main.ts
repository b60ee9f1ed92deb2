/**
 * The shop page: orders apples through `faultline/client` and tells the buyer what went wrong
 * from the error's code and typed details, never from its message text. `serve.ts` bundles it.
 */
import { createClient } from 'faultline/client';
import { shop } from '../catalog.js';

const api = createClient({
  catalog: shop, // relative paths resolve against the page
  retry: { maxHint: 5_000 }, // a longer wait for quota is shown to the buyer, not waited out
  // The client counts a `RateLimit` quota per origin and partition: the shop limits orders
  // only, so they get a partition of their own and product reads are never held back.
  partition: (url) => (url.pathname === '/orders' ? 'orders' : 'reads'),
});
const stock = document.querySelector<HTMLElement>('#stock')!;
const result = document.querySelector<HTMLElement>('#result')!;
const quantity = document.querySelector<HTMLInputElement>('#quantity')!;

async function showStock(): Promise<void> {
  const apple = await api.get<{ available: number }>('/products/apple');
  stock.textContent = `${apple.available} apples in stock`;
}

function explain(error: unknown): string {
  if (api.is(error, 'out_of_stock')) return `Only ${error.details.available} left`;
  if (api.is(error, 'validation_failed')) {
    return (error.fieldErrors ?? []).map((field) => `${field.path}: ${field.message}`).join('; ');
  }
  if (api.is(error, 'rate_limited')) return `Too many orders: try again in ${error.retryAfter} s`;
  throw error;
}

document.querySelector('#order')!.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const order = await api.post<{ id: string; quantity: number }>('/orders', {
      sku: 'apple',
      quantity: quantity.valueAsNumber,
    });
    result.textContent = `Ordered ${order.quantity} (${order.id})`;
  } catch (error) {
    result.textContent = explain(error);
  }
  await showStock();
});

await showStock();
