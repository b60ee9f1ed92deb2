import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { baseCatalog } from '../server/base.js';
import { useFaultline } from './hono.js';

function app() {
  const hono = new Hono();
  useFaultline(hono, { telemetry: false });
  hono.use('/orders/*', async (_c, next) => next());
  hono.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }));
  hono.post('/orders/:id', (c) => c.json({ ok: true }));
  hono.all('/anything', (c) => c.text('any'));
  hono.get('/string', () => {
    throw 'a thrown string';
  });
  hono.get('/teapot', () => {
    throw new HTTPException(418, { message: 'secret' });
  });
  hono.get('/conflict', () => {
    throw baseCatalog.create('conflict');
  });
  return hono;
}

describe('useFaultline (in process, app.request)', () => {
  it('answers a wrong method with 405 and the methods of the path, middleware left out', async () => {
    const response = await app().request('/orders/7', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await response.json()).code).toBe('method_not_allowed');
  });

  it('answers an unknown path with 404', async () => {
    const response = await app().request('/nowhere');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers a thrown non-Error, which Hono itself rethrows, with a 500', async () => {
    const response = await app().request('/string');
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('thrown string');
  });

  it('maps an HTTPException by its status and an ApiError as it is', async () => {
    const teapot = await app().request('/teapot');
    expect(teapot.status).toBe(400);
    expect(await teapot.text()).not.toContain('secret');
    expect((await app().request('/conflict')).status).toBe(409);
  });

  it('leaves the success path alone', async () => {
    const response = await app().request('/orders/7');
    expect(await response.json()).toEqual({ id: '7' });
    expect((await app().request('/anything', { method: 'PATCH' })).status).toBe(200);
  });
});
