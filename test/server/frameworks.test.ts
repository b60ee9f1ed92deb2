/**
 * Each framework's own errors, mapped to catalog codes over real HTTP: Fastify schema
 * validation and parser errors, Express body-parser errors, Hono's HTTPException (bearer
 * auth, validator). Plus behaviour every target shares beyond the table: development mode,
 * and a handler that answers after its time limit is discarded while the server lives on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { validator } from 'hono/validator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExpressErrors } from '../../src/express/index.js';
import { faultlinePlugin } from '../../src/fastify/index.js';
import { useFaultline } from '../../src/hono/index.js';
import type { ErrorLogRecord } from '../../src/server/index.js';
import { type Running, SLOW_MS, shop, start, TARGETS } from './fixture.js';
import { send } from './http.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const json = { 'content-type': 'application/json' };

describe('Fastify', () => {
  // Fastify's ajv stops at the first problem unless told to collect them all.
  const app = Fastify({ ajv: { customOptions: { allErrors: true } } });
  let url: string;
  beforeAll(async () => {
    await app.register(faultlinePlugin, { catalog: shop, telemetry: false });
    app.post(
      '/schema',
      {
        schema: {
          body: {
            type: 'object',
            required: ['sku', 'qty'],
            properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
          },
          querystring: {
            type: 'object',
            properties: { page: { type: 'integer' } },
          },
        },
      },
      async () => ({ ok: true }),
    );
    app.get('/fastify-error', async () => {
      throw Object.assign(new Error('secret'), { code: 'FST_ERR_SOMETHING', statusCode: 409 });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('answers schema validation failures with one 422 listing every field', async () => {
    const response = await send(url, {
      method: 'POST',
      path: '/schema',
      headers: { ...json, 'x-request-id': 'v1' },
      body: '{"qty":0}',
    });
    expect(response.status).toBe(422);
    const body = JSON.parse(response.text);
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual([
      { pointer: '#/sku', detail: "must have required property 'sku'", code: 'required' },
      { pointer: '#/qty', detail: 'must be >= 1', code: 'minimum' },
    ]);
  });

  it('prefixes field paths outside the body with their part of the request', async () => {
    const response = await send(url, {
      method: 'POST',
      path: '/schema?page=two',
      headers: json,
      body: '{"sku":"a","qty":1}',
    });
    expect(response.status).toBe(422);
    expect(JSON.parse(response.text).errors[0].pointer).toBe('#/querystring/page');
  });

  it('maps its own errors by status, and an empty JSON body to bad_json', async () => {
    expect(JSON.parse((await send(url, { method: 'GET', path: '/fastify-error' })).text).code).toBe(
      'conflict',
    );
    const empty = await send(url, { method: 'POST', path: '/schema', headers: json, body: '' });
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text).code).toBe('bad_json');
  });
});

describe('Express', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    const errors = createExpressErrors({ catalog: shop, telemetry: false });
    app.use(express.json({ limit: '64b' }));
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.use(errors.handlers);
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(() => close(server));

  it.each([
    ['malformed JSON', json, '{"a":', 400, 'bad_json'],
    [
      'a body over the limit',
      json,
      JSON.stringify({ a: 'x'.repeat(100) }),
      413,
      'payload_too_large',
    ],
    [
      'an unsupported charset',
      { 'content-type': 'application/json; charset=koi8-r' },
      '{}',
      415,
      'unsupported_media_type',
    ],
  ])('maps body-parser errors: %s', async (_name, headers, body, status, code) => {
    const response = await send(url, { method: 'POST', path: '/echo', headers, body });
    expect(response.status).toBe(status);
    expect(JSON.parse(response.text).code).toBe(code);
    expect(response.text).not.toContain('Unexpected');
  });
});

describe('Hono', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = new Hono();
    useFaultline(app, { catalog: shop, telemetry: false });
    app.get('/private', bearerAuth({ token: 'sesame' }), (c) => c.json({ ok: true }));
    app.post(
      '/validated',
      validator('json', (value) => value),
      (c) => c.json({ ok: true }),
    );
    server = createServer(getRequestListener(app.fetch));
    url = await listen(server);
  });
  afterAll(() => close(server));

  it('maps HTTPException from bearer auth to 401, keeping WWW-Authenticate', async () => {
    const response = await send(url, { method: 'GET', path: '/private' });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text).code).toBe('unauthenticated');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it("maps the validator's malformed-JSON HTTPException to 400", async () => {
    const response = await send(url, {
      method: 'POST',
      path: '/validated',
      headers: json,
      body: '{"a":',
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).code).toBe('bad_request');
  });
});

describe.each(TARGETS)('%s beyond the table', (target) => {
  let server: Running | undefined;
  afterEach(() => server?.close());

  it('shows the message and stack of an exception in development mode only', async () => {
    server = await start(target, { development: true, telemetry: false });
    const response = await send(server.url, { method: 'GET', path: '/orders/crash' });
    expect(response.status).toBe(500);
    const body = JSON.parse(response.text);
    expect(body.detail).toBe('Error: secret db password');
    expect(body.stack[0]).toBe('Error: secret db password');
  });

  it('discards the result of a handler past its time limit, and keeps serving', async () => {
    const records: ErrorLogRecord[] = [];
    server = await start(target, { telemetry: false, log: (record) => records.push(record) });
    const late = await send(server.url, { method: 'GET', path: '/slow' });
    expect(late.status).toBe(504);
    expect(late.text).not.toContain('late');
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS + 100));
    const next = await send(server.url, { method: 'GET', path: '/orders/9' });
    expect(next.status).toBe(200);
    expect(next.text).toBe('{"id":"9"}');
    expect(records.map((record) => record.code)).toEqual(['timeout']);
  });

  it('logs one record per error with the route and a duration', async () => {
    const records: ErrorLogRecord[] = [];
    server = await start(target, { telemetry: false, log: (record) => records.push(record) });
    await send(server.url, {
      method: 'GET',
      path: '/orders/crash',
      headers: { 'x-request-id': 'log-1' },
    });
    await send(server.url, { method: 'GET', path: '/nope', headers: { 'x-request-id': 'log-2' } });
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      level: 'error',
      code: 'internal',
      status: 500,
      requestId: 'log-1',
      method: 'GET',
    });
    expect(records[0]?.route).toMatch(/^\/orders\/(:id|crash)$/);
    expect(records[0]?.err?.message).toBe('secret db password');
    expect(records[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(records[1]).toMatchObject({ level: 'warn', code: 'not_found', requestId: 'log-2' });
    expect(records[1]?.err).toBeUndefined();
  });

  it('logs an error answered directly as it logs the same error thrown', async () => {
    const records: ErrorLogRecord[] = [];
    server = await start(target, { telemetry: false, log: (record) => records.push(record) });
    for (const id of ['crash', 'sold-out']) {
      for (const path of [`/orders/${id}`, `/direct/${id}`]) {
        await send(server.url, { method: 'GET', path, headers: { 'x-request-id': `log-${id}` } });
      }
    }
    expect(records).toHaveLength(4);
    // The same record but for the route, the duration and the exception's stack (it was made
    // on another call path).
    const comparable = ({ route, durationMs, err, ...record }: ErrorLogRecord) => {
      expect(durationMs).toBeGreaterThanOrEqual(0);
      expect(route).toMatch(/^\/(orders|direct)\/(:id|crash|sold-out)$/);
      return { ...record, err: err && { type: err.type, message: err.message } };
    };
    const [thrownCrash, directCrash, thrownSoldOut, directSoldOut] = records.map(comparable);
    expect(directCrash).toEqual(thrownCrash);
    expect(directCrash).toMatchObject({ code: 'internal', requestId: 'log-crash' });
    expect(directCrash?.err?.message).toBe('secret db password');
    expect(directSoldOut).toEqual(thrownSoldOut);
    expect(directSoldOut).toMatchObject({ level: 'warn', code: 'out_of_stock', status: 409 });
  });
});
