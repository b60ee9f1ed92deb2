/**
 * The conformance table: each kind of failure the server must answer, as a raw request and
 * the error the answer must encode. The expected bytes come from a reference core (same
 * catalog, format and clock) encoding that error; a handful of problem+json bodies are also
 * written out literally, so the table does not only compare the encoder with itself.
 */
import type { Faultline } from '../../src/server/index.js';
import { Order, shop } from './fixture.js';
import type { RawRequest } from './http.js';

export interface Case {
  readonly name: string;
  readonly request: RawRequest;
  /** What was thrown, as the reference core should see it. */
  readonly thrown?: (reference: Faultline) => unknown | Promise<unknown>;
  /** For the stream cases: the items before the terminal error. */
  readonly stream?: { readonly kind: 'sse' | 'ndjson'; readonly items: readonly unknown[] };
  /** The exact problem+json body (`{id}` is the request id), where written out by hand. */
  readonly problem?: string;
  /** The request id is not sent (or not valid): the server must make one. */
  readonly generatedId?: boolean;
  /** For the success case: the exact status and body. */
  readonly success?: { readonly status: number; readonly body: string };
}

const json = { 'content-type': 'application/json' };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (thrown) {
    return thrown;
  }
  throw new Error('expected a rejection');
}

export const CASES: readonly Case[] = [
  {
    name: 'unknown route → 404',
    request: { method: 'GET', path: '/nope' },
    thrown: (reference) => reference.error('notFound'),
    problem:
      '{"type":"https://shop.example/errors#not_found","title":"Not found","status":404,"detail":"Nothing was found at this address","code":"not_found","request_id":"{id}"}',
  },
  {
    name: 'wrong method → 405 with Allow',
    request: { method: 'DELETE', path: '/orders/7' },
    thrown: (reference) => reference.error('methodNotAllowed', { headers: { allow: 'GET, HEAD' } }),
    problem:
      '{"type":"https://shop.example/errors#method_not_allowed","title":"Method not allowed","status":405,"detail":"This method is not allowed here","code":"method_not_allowed","request_id":"{id}"}',
  },
  {
    name: 'wrong method on a POST-only path → 405',
    request: { method: 'PUT', path: '/orders' },
    thrown: (reference) => reference.error('methodNotAllowed', { headers: { allow: 'POST' } }),
  },
  {
    name: 'malformed JSON → 400',
    request: { method: 'POST', path: '/orders', headers: json, body: '{"sku":' },
    thrown: (reference) => reference.error('badJson'),
    problem:
      '{"type":"https://shop.example/errors#bad_json","title":"Malformed JSON","status":400,"detail":"The request body is not valid JSON","code":"bad_json","request_id":"{id}"}',
  },
  {
    name: 'body too large → 413',
    request: {
      method: 'POST',
      path: '/orders',
      headers: json,
      body: JSON.stringify({ sku: 'x'.repeat(1_500_000), qty: 1 }),
    },
    thrown: (reference) => reference.error('payloadTooLarge'),
  },
  {
    name: 'unsupported media type → 415',
    request: {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/xml' },
      body: '<order/>',
    },
    thrown: (reference) => reference.error('unsupportedMediaType'),
  },
  {
    name: 'Standard Schema validation → 422 listing every field',
    request: { method: 'POST', path: '/orders', headers: json, body: '{"sku":1,"qty":0}' },
    thrown: (reference) => rejection(reference.validate(Order, { sku: 1, qty: 0 })),
    problem:
      '{"type":"https://shop.example/errors#validation_failed","title":"Validation failed","status":422,"detail":"The request failed validation","code":"validation_failed","request_id":"{id}","errors":[{"pointer":"#/sku","detail":"Invalid input: expected string, received number"},{"pointer":"#/qty","detail":"Too small: expected number to be >=1"}]}',
  },
  {
    name: 'catalog error with details → its status and body',
    request: { method: 'GET', path: '/orders/sold-out' },
    thrown: () => shop.create('out_of_stock', { available: 2 }),
    problem:
      '{"type":"https://shop.example/errors#out_of_stock","title":"OutOfStock","status":409,"detail":"Only 2 left","code":"out_of_stock","request_id":"{id}","available":2}',
  },
  {
    name: 'unexpected exception → 500 without its message',
    request: { method: 'GET', path: '/orders/crash' },
    thrown: () => new Error('secret db password'),
    problem:
      '{"type":"https://shop.example/errors#internal","title":"Internal error","status":500,"detail":"An unexpected error occurred","code":"internal","request_id":"{id}"}',
  },
  {
    name: 'rejection with a non-Error → 500',
    request: { method: 'GET', path: '/orders/reject' },
    thrown: () => 'secret string rejection',
  },
  {
    name: 'Retry-After from the thrower',
    request: { method: 'GET', path: '/orders/busy' },
    thrown: () => shop.create('unavailable', {}, { retryAfter: 7 }),
    problem:
      '{"type":"https://shop.example/errors#unavailable","title":"Service unavailable","status":503,"detail":"The service is unavailable","code":"unavailable","request_id":"{id}","retry_after":7}',
  },
  {
    name: 'http-errors object → its catalog code',
    request: { method: 'GET', path: '/orders/forbidden' },
    thrown: (reference) => reference.error('forbidden'),
  },
  {
    name: 'handler over its time limit → 504',
    request: { method: 'GET', path: '/slow' },
    thrown: (reference) => reference.error('timeout'),
  },
  {
    name: 'Accept: application/json only → JSON',
    request: { method: 'GET', path: '/nope', headers: { accept: 'application/json' } },
    thrown: (reference) => reference.error('notFound'),
  },
  {
    name: 'invalid incoming request id → a generated one',
    request: { method: 'GET', path: '/nope', headers: { 'x-request-id': 'has spaces in it' } },
    thrown: (reference) => reference.error('notFound'),
    generatedId: true,
  },
  {
    name: 'SSE: error after 200 → terminal error event',
    request: { method: 'GET', path: '/events' },
    thrown: () => shop.create('unavailable', {}, { retryAfter: 2 }),
    stream: { kind: 'sse', items: [{ n: 1 }, { n: 2 }] },
  },
  {
    name: 'NDJSON: error after 200 → terminal error line',
    request: { method: 'GET', path: '/rows' },
    thrown: () => shop.create('unavailable', {}, { retryAfter: 2 }),
    stream: { kind: 'ndjson', items: [{ n: 1 }, { n: 2 }] },
  },
  {
    name: 'success path untouched',
    request: { method: 'GET', path: '/orders/7' },
    success: { status: 200, body: '{"id":"7"}' },
  },
];

/** The thrown value of a case, for the reference core. */
export async function thrownOf(testCase: Case, reference: Faultline): Promise<unknown> {
  return testCase.thrown?.(reference);
}

/**
 * The errors a handler can answer without throwing them (`GET /direct/:id`: a route's returned
 * `ApiError`, Express `errors.send`, Fastify `reply.sendError`, Hono `errors.response`). Each
 * must be answered byte for byte as the same error thrown from `GET /orders/:id`.
 */
export interface DirectCase {
  readonly name: string;
  /** The order id: `GET /orders/:id` throws its error, `GET /direct/:id` answers it directly. */
  readonly id: string;
  readonly headers?: Record<string, string>;
  /** No request id is sent: each answer makes its own, the only bytes that may differ. */
  readonly generatedId?: boolean;
}

export const DIRECT_CASES: readonly DirectCase[] = [
  { name: 'catalog error as it stands → 404', id: 'missing' },
  { name: "a kind answered as it is ('notFound') → 404", id: 'by-kind' },
  {
    name: 'a kind, with a request id that must be escaped',
    id: 'by-kind',
    headers: { 'x-request-id': 'quote"d' },
  },
  { name: 'catalog error with details → 409', id: 'sold-out' },
  { name: 'Retry-After from the error', id: 'busy' },
  { name: 'unexpected exception → 500 without its message', id: 'crash' },
  { name: 'rejection with a non-Error → 500', id: 'reject' },
  { name: 'http-errors object → its catalog code', id: 'forbidden' },
  {
    name: 'Accept: application/json only → JSON',
    id: 'missing',
    headers: { accept: 'application/json' },
  },
  { name: 'no request id → a generated one', id: 'sold-out', generatedId: true },
];
