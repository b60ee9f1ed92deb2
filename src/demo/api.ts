import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { idempotencyHook } from '../idempotency/index.js';
import {
  createClientErrorHandler,
  nodeHeaders,
  sendNodeResponse,
  toNeutralRequest,
} from '../node/index.js';
import { rateLimitHook } from '../ratelimit/index.js';
import {
  App,
  createFaultline,
  type Faultline,
  Reply,
  type RouteContext,
  type Routes,
  route,
  type ServerHook,
} from '../server/index.js';
import {
  orderInput,
  ordersCatalog,
  PRODUCTS,
  type Sku,
  STREAMS,
  standardSchema,
} from './catalog.js';
import type { DemoDocs } from './docs.js';
import { type FaultInjector, MANUAL_FAULTS } from './faults.js';
import {
  API_KEY_HEADER,
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_RETENTION_MS,
  RATE_LIMIT_KEY,
  RATE_LIMIT_POLICIES,
  REPORT_COST,
  STORE_FAILURE,
  STREAM_PAGE,
  STREAM_PAGE_MAX,
} from './policies.js';
import type { DemoStores } from './stores.js';

/** The operation id the load driver sends: faults are decided per operation and attempt. */
export const OP_HEADER = 'x-demo-op';
/** Asks for one fault by name (`lost`, `reset`, `outage`, `cut`), to try the API by hand. */
export const FAULT_HEADER = 'x-demo-fault';
/** Set by the fault layer on the way in: which attempt of its operation a request is. */
const ATTEMPT_HEADER = 'x-demo-attempt';

/** An order as the API stores and returns it. */
export interface Order {
  readonly id: string;
  readonly ref: string;
  readonly sku: Sku;
  readonly quantity: number;
  /** In cents. */
  readonly total: number;
  readonly createdAt: string;
}

/** What the server saw of one caller (API key), counted on the server side. */
export interface TenantStats {
  /** HTTP requests to API routes (every attempt of every operation). */
  requests: number;
  /** Requests refused by the rate limiter (429). */
  rateLimited: number;
  /** Requests answered by the fault layer: outages, lost responses, dropped connections. */
  outageAnswers: number;
  lostResponses: number;
  resets: number;
  /** Requests answered from an idempotency record instead of running again. */
  replays: number;
  /** Orders placed. */
  executions: number;
  /** Orders placed again for a `ref` already placed: side effects done twice. */
  duplicates: number;
}

/**
 * The business side of the demo: orders, products and record streams, in memory. Orders are
 * counted per caller reference, so a request that was executed twice shows.
 */
export class OrdersService {
  readonly #orders = new Map<string, { tenant: string; order: Order }>();
  readonly #stock = new Map<Sku, number>(
    Object.entries(PRODUCTS).map(([sku, product]) => [sku as Sku, product.stock]),
  );
  readonly #placed = new Map<string, Map<string, number>>();
  #next = 1;

  /** Places an order. @throws {ApiError} `out_of_stock`. */
  place(tenant: string, input: { ref: string; sku: Sku; quantity: number }): Order {
    const available = this.#stock.get(input.sku) ?? 0;
    if (available < input.quantity) {
      throw ordersCatalog.create('out_of_stock', { sku: input.sku, available });
    }
    this.#stock.set(input.sku, available - input.quantity);
    let refs = this.#placed.get(tenant);
    if (!refs) {
      refs = new Map();
      this.#placed.set(tenant, refs);
    }
    refs.set(input.ref, (refs.get(input.ref) ?? 0) + 1);
    const order: Order = {
      id: `ord_${this.#next++}`,
      ref: input.ref,
      sku: input.sku,
      quantity: input.quantity,
      total: PRODUCTS[input.sku].price * input.quantity,
      createdAt: new Date().toISOString(),
    };
    this.#orders.set(order.id, { tenant, order });
    return order;
  }

  /** @throws {ApiError} `order_not_found`, also for another caller's order. */
  order(tenant: string, id: string): Order {
    const found = this.#orders.get(id);
    if (!found || found.tenant !== tenant) throw ordersCatalog.create('order_not_found', { id });
    return found.order;
  }

  /** @throws {ApiError} `unknown_product`. */
  product(sku: string) {
    if (!Object.hasOwn(PRODUCTS, sku)) throw ordersCatalog.create('unknown_product', { sku });
    const product = PRODUCTS[sku as Sku];
    return { sku, name: product.name, price: product.price, stock: this.#stock.get(sku as Sku) };
  }

  /**
   * The records `from`…`from + limit - 1` of a stream; when `cutAfter` is set, the storage
   * fails after that many records and the stream ends with `stream_interrupted`.
   */
  *records(stream: string, from: number, limit: number, cutAfter: number | undefined) {
    for (let i = 0; i < limit; i++) {
      const seq = from + i;
      if (i === cutAfter) throw ordersCatalog.create('stream_interrupted', { next_seq: seq });
      yield {
        seq,
        stream,
        type: seq % 3 === 0 ? 'order.shipped' : 'order.placed',
        order: `ord_${seq + 1}`,
      };
    }
  }

  /** Orders placed by a caller, and how many of them repeat a `ref`. */
  placed(tenant: string): { executions: number; duplicates: number } {
    let executions = 0;
    let duplicates = 0;
    for (const count of this.#placed.get(tenant)?.values() ?? []) {
      executions += count;
      duplicates += count - 1;
    }
    return { executions, duplicates };
  }

  /** Today's totals of a caller. */
  report(tenant: string) {
    let orders = 0;
    let revenue = 0;
    for (const { tenant: owner, order } of this.#orders.values()) {
      if (owner !== tenant) continue;
      orders++;
      revenue += order.total;
    }
    return { orders, revenue };
  }
}

/** Options of {@link startDemoApi}. */
export interface DemoApiOptions {
  readonly stores: DemoStores;
  readonly faults: FaultInjector;
  readonly docs: DemoDocs;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
}

/** A running demo API. */
export interface DemoApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly faultline: Faultline;
  readonly service: OrdersService;
  /** Server-side counts of one caller. */
  stats(tenant: string): TenantStats;
  /** Stops accepting requests and drops open connections. */
  close(): Promise<void>;
}

const DOCS_PATHS = new Set(['/', '/docs/errors', '/docs/errors.md', '/openapi.json']);

/**
 * Starts the demo API on 127.0.0.1: faultline's node:http target over the orders routes, with
 * the catalog's errors in problem+json, request-body validation, an API-key check, per-caller
 * rate limits (GCRA, IETF `RateLimit` headers) and `Idempotency-Key` support, behind a fault
 * layer that takes the API down for short outages and loses responses after the work is done.
 */
export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  const { stores, faults, docs } = options;
  const faultline = createFaultline({
    catalog: ordersCatalog,
    format: 'problem',
    telemetry: false,
  });
  const service = new OrdersService();
  const stats = new Map<string, TenantStats>();
  const statsOf = (tenant: string): TenantStats => {
    let found = stats.get(tenant);
    if (!found) {
      found = {
        requests: 0,
        rateLimited: 0,
        outageAnswers: 0,
        lostResponses: 0,
        resets: 0,
        replays: 0,
        executions: 0,
        duplicates: 0,
      };
      stats.set(tenant, found);
    }
    return found;
  };

  const authenticate: ServerHook = {
    name: 'demo.api-key',
    onRequest(request) {
      if (!request.header(API_KEY_HEADER)) {
        throw request.error('unauthenticated', {
          message: `Send your API key in the ${API_KEY_HEADER} header`,
        });
      }
    },
  };
  const rateLimit = rateLimitHook({
    store: stores.rateLimit,
    policies: RATE_LIMIT_POLICIES,
    key: RATE_LIMIT_KEY,
    cost: (request) => (request.route === '/reports/daily' ? REPORT_COST : 1),
    onStoreFailure: STORE_FAILURE,
    // The IETF quota-exceeded problem type, with the policies that refused the request.
    errors: 'traffic',
  });
  const idempotency = idempotencyHook({
    store: stores.idempotency,
    retentionMs: IDEMPOTENCY_RETENTION_MS,
    leaseMs: IDEMPOTENCY_LEASE_MS,
  });
  const reads = [authenticate, rateLimit];
  const writes = [authenticate, rateLimit, idempotency];

  const tenantOf = (context: RouteContext) => context.header(API_KEY_HEADER) ?? '';
  const routes: Routes = {
    'GET /': () => ({
      name: ordersCatalog.title,
      docs: '/docs/errors',
      markdown: '/docs/errors.md',
      openapi: '/openapi.json',
      auth: `Send an ${API_KEY_HEADER} header (any value) with API requests.`,
      routes: [
        'POST /orders',
        'GET /orders/:id',
        'GET /products/:sku',
        'GET /streams/:name/records?from=0&limit=20',
        'GET /reports/daily',
      ],
      products: Object.keys(PRODUCTS),
      streams: STREAMS,
      faults: `Send ${FAULT_HEADER}: ${MANUAL_FAULTS.join(' | ')} to meet one on purpose.`,
    }),
    'GET /docs/errors': () =>
      new Reply(200, { 'content-type': 'text/html; charset=utf-8' }, docs.html),
    'GET /docs/errors.md': () =>
      new Reply(200, { 'content-type': 'text/markdown; charset=utf-8' }, docs.markdown),
    // The document as served names the server that serves it.
    'GET /openapi.json': () => Reply.json({ ...docs.openapi, servers: [{ url: origin }] }),
    'POST /orders': route({
      body: standardSchema(orderInput),
      hooks: writes,
      handler: (context) => {
        const order = service.place(tenantOf(context), context.body);
        return Reply.json(order, { status: 201, headers: { location: `/orders/${order.id}` } });
      },
    }),
    'GET /orders/:id': route({
      hooks: reads,
      handler: (context) => service.order(tenantOf(context), context.params.id!),
    }),
    'GET /products/:sku': route({
      hooks: reads,
      handler: (context) => service.product(context.params.sku!),
    }),
    'GET /streams/:name/records': route({
      hooks: reads,
      handler: (context) => {
        const name = context.params.name!;
        if (!(STREAMS as readonly string[]).includes(name)) {
          throw ordersCatalog.create('stream_not_found', { name });
        }
        const from = integer(context, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
        const limit = integer(context, 'limit', STREAM_PAGE, 1, STREAM_PAGE_MAX);
        const cut = faults.streamCut(
          context.header(OP_HEADER),
          Number(context.header(ATTEMPT_HEADER) ?? 1),
          limit,
          context.header(FAULT_HEADER),
        );
        // Server-Sent Events: each record an event whose id is its sequence number.
        return context.sse(service.records(name, from, limit, cut), {
          toEvent: (record) => ({ event: 'record', id: String(record.seq), data: record }),
        });
      },
    }),
    'GET /reports/daily': route({
      hooks: reads,
      handler: (context) => service.report(tenantOf(context)),
    }),
  };
  const app = new App({ faultline, routes });
  let origin = '';

  /**
   * The fault layer: what a flaky network and deployment do to a correct API. It sits outside
   * the application, so an outage refuses requests before anything runs, and a lost response
   * is lost after the order was placed and its idempotency record stored.
   */
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (DOCS_PATHS.has(path)) {
      const { response } = await app.handle(toNeutralRequest(faultline, req));
      await sendNodeResponse(res, response, { head: req.method === 'HEAD' });
      return;
    }
    const tenant = single(req.headers[API_KEY_HEADER]) ?? '';
    const op = single(req.headers[OP_HEADER]);
    const manual = single(req.headers[FAULT_HEADER]);
    const attempt = op === undefined ? 1 : faults.attempt(tenant, op);
    // Set here, never taken from the client.
    req.headers[ATTEMPT_HEADER] = String(attempt);
    const counts = statsOf(tenant);
    counts.requests++;
    const info = { method: req.method, path, headers: nodeHeaders(req) };

    if (faults.inOutage(Date.now(), manual)) {
      counts.outageAnswers++;
      req.resume();
      await sendNodeResponse(res, faultline.respond(ordersCatalog.create('maintenance'), info));
      return;
    }
    const { response } = await app.handle(toNeutralRequest(faultline, req));
    if (response.status === 429) counts.rateLimited++;
    if (response.headers['idempotent-replayed'] === 'true') counts.replays++;
    if (response.status < 300 && !(response.body instanceof ReadableStream)) {
      const fault = faults.after(op, attempt, manual);
      if (fault === 'lost') {
        // A gateway gave up waiting: the order is placed, the caller hears 504.
        counts.lostResponses++;
        await sendNodeResponse(res, faultline.respond(faultline.error('timeout'), info));
        return;
      }
      if (fault === 'reset') {
        counts.resets++;
        res.socket?.destroy();
        return;
      }
    }
    await sendNodeResponse(res, response, { head: req.method === 'HEAD' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' });
      res.end();
    });
  });
  server.on('clientError', createClientErrorHandler(faultline));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  origin = `http://${host}:${port}`;

  return {
    url: origin,
    faultline,
    service,
    stats(tenant) {
      return { ...statsOf(tenant), ...service.placed(tenant) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One value of a header Node may have given as a list. */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An integer query parameter within bounds. @throws {ApiError} `validation_failed`. */
function integer(
  context: RouteContext,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = context.query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || value < min || value > max) {
    throw ordersCatalog.create('validation_failed', undefined, {
      fieldErrors: [{ path: [name], message: `must be an integer from ${min} to ${max}` }],
    });
  }
  return value;
}
