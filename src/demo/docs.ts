import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DocsOptions,
  mergeOpenApi,
  type OpenApiDocument,
  renderHtml,
  renderMarkdown,
  toOpenApi,
} from '../docs/index.js';
import { describeIdempotency } from '../idempotency/index.js';
import { describeRateLimit } from '../ratelimit/index.js';
import { orderInput, ordersCatalog, PRODUCTS, STREAMS } from './catalog.js';
import {
  API_KEY_HEADER,
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_RETENTION_MS,
  RATE_LIMIT_KEY,
  RATE_LIMIT_POLICIES,
  STORE_FAILURE,
  STREAM_PAGE,
  STREAM_PAGE_MAX,
} from './policies.js';

/** The demo API's reference in its three forms. */
export interface DemoDocs {
  readonly html: string;
  readonly markdown: string;
  readonly openapi: OpenApiDocument;
}

/** The names of the files {@link writeDocs} writes. */
export const DOC_FILES = {
  html: 'errors.html',
  markdown: 'errors.md',
  openapi: 'openapi.json',
} as const;

/** Prefix of the generated OpenAPI components (`OrdersError404`, …). */
const PREFIX = 'Orders';

/**
 * The error reference (HTML page, Markdown) and the OpenAPI document of the demo API, all
 * generated from its catalog and from the same rate-limit and idempotency settings the server
 * enforces.
 */
export function buildDocs(): DemoDocs {
  const options: DocsOptions = {
    format: 'problem',
    policies: {
      rateLimit: describeRateLimit({
        policies: RATE_LIMIT_POLICIES,
        key: RATE_LIMIT_KEY,
        onStoreFailure: STORE_FAILURE,
      }),
      idempotency: describeIdempotency({
        retentionMs: IDEMPOTENCY_RETENTION_MS,
        leaseMs: IDEMPOTENCY_LEASE_MS,
      }),
    },
  };
  const errors = toOpenApi(ordersCatalog, { format: 'problem', prefix: PREFIX });
  return {
    html: renderHtml(ordersCatalog, options),
    markdown: renderMarkdown(ordersCatalog, options),
    openapi: mergeOpenApi(apiDocument(errors), errors),
  };
}

/** Writes the three documents into `dir` (created if needed); resolves to their paths. */
export async function writeDocs(dir: string, docs: DemoDocs): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [DOC_FILES.html, docs.html],
    [DOC_FILES.markdown, docs.markdown],
    [DOC_FILES.openapi, `${JSON.stringify(docs.openapi, null, 2)}\n`],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}

/** The paths of the demo API, whose error responses point at the generated components. */
function apiDocument(errors: OpenApiDocument): OpenApiDocument {
  const known = new Set(Object.keys(errors.components?.responses ?? {}));
  const fail = (...statuses: number[]) => {
    const out: Record<string, unknown> = {};
    for (const status of statuses) {
      const name = `${PREFIX}Error${status}`;
      if (known.has(name)) out[String(status)] = { $ref: `#/components/responses/${name}` };
    }
    return out;
  };
  const json = (schema: unknown) => ({ 'application/json': { schema } });
  const pathParam = (name: string, description: string, schema: unknown = { type: 'string' }) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema,
  });
  const order = {
    type: 'object',
    required: ['id', 'ref', 'sku', 'quantity', 'total', 'createdAt'],
    properties: {
      id: { type: 'string', examples: ['ord_1'] },
      ref: { type: 'string' },
      sku: { type: 'string' },
      quantity: { type: 'integer' },
      total: { type: 'integer', description: 'In cents.' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  };
  const always = [401, 429, 500];
  return {
    openapi: '3.1.0',
    info: {
      title: ordersCatalog.title ?? ordersCatalog.name,
      version: ordersCatalog.version ?? '0.0.0',
      description: `${ordersCatalog.description ?? ''} The error reference is served at \`/docs/errors\`.`,
    },
    servers: [
      {
        url: 'http://127.0.0.1:{port}',
        description: 'The demo API: `npm start -- --serve --port <port>`',
        variables: { port: { default: '8080' } },
      },
    ],
    security: [{ apiKey: [] }],
    paths: {
      '/orders': {
        post: {
          operationId: 'createOrder',
          summary: 'Place an order',
          description:
            'Send an `Idempotency-Key` to make retries safe: a repeat of a completed request is answered from the stored response with `Idempotent-Replayed: true`, and the order is placed once.',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'A unique key (a UUID) per order, the same on every retry.',
              schema: { type: 'string', maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: json(orderInput) },
          responses: {
            '201': { description: 'The order was placed.', content: json(order) },
            ...fail(400, 409, 413, 415, 422, 503, 504, ...always),
          },
        },
      },
      '/orders/{id}': {
        get: {
          operationId: 'getOrder',
          summary: 'Read an order',
          parameters: [pathParam('id', 'The order id (`ord_1`).')],
          responses: {
            '200': { description: 'The order.', content: json(order) },
            ...fail(404, 503, 504, ...always),
          },
        },
      },
      '/products/{sku}': {
        get: {
          operationId: 'getProduct',
          summary: 'Read a product and its stock',
          parameters: [
            pathParam('sku', 'The product SKU.', { type: 'string', enum: Object.keys(PRODUCTS) }),
          ],
          responses: {
            '200': {
              description: 'The product.',
              content: json({
                type: 'object',
                properties: {
                  sku: { type: 'string' },
                  name: { type: 'string' },
                  price: { type: 'integer' },
                  stock: { type: 'integer' },
                },
              }),
            },
            ...fail(404, 503, 504, ...always),
          },
        },
      },
      '/streams/{name}/records': {
        get: {
          operationId: 'readRecords',
          summary: 'Read records of a stream as Server-Sent Events',
          description:
            'One `record` event per record, its `id` the sequence number. If the stream breaks off after `200 OK`, its last event is an `error` event whose data is the error body: `stream_interrupted` with `next_seq`, to read again from there.',
          parameters: [
            pathParam('name', 'The stream name.', { type: 'string', enum: [...STREAMS] }),
            {
              name: 'from',
              in: 'query',
              description: 'The first sequence number to read.',
              schema: { type: 'integer', minimum: 0, default: 0 },
            },
            {
              name: 'limit',
              in: 'query',
              description: 'How many records to read.',
              schema: {
                type: 'integer',
                minimum: 1,
                maximum: STREAM_PAGE_MAX,
                default: STREAM_PAGE,
              },
            },
          ],
          responses: {
            '200': {
              description: 'The records as events; the last event may be a terminal `error` event.',
              content: {
                'text/event-stream': {
                  schema: {
                    type: 'string',
                    description:
                      'Events `record` (data: `{"seq", "stream", "type", "order"}`) and a terminal `error`.',
                  },
                },
              },
            },
            ...fail(400, 404, 503, 504, ...always),
          },
        },
      },
      '/reports/daily': {
        get: {
          operationId: 'dailyReport',
          summary: "Today's order totals (costs 10 rate-limit units)",
          responses: {
            '200': { description: 'The totals.', content: json({ type: 'object' }) },
            ...fail(503, 504, ...always),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER },
      },
    },
  };
}
