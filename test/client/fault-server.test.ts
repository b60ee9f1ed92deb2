import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultServer, startFaultServer } from '../../src/testing/index.js';

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer({ rateLimit: { limit: 100, window: 1, legacy: true } });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const call = (path: string, headers: Record<string, string> = {}, method = 'POST') =>
  fetch(`${server.url}${path}`, { method, headers });

describe('fault server', () => {
  it('executes once per operation, counts the attempts and the duplicates', async () => {
    const first = await call('/orders', { 'x-op': 'o1' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, op: 'o1', executions: 1 });
    await call('/orders', { 'x-op': 'o1' });
    await call('/orders', { 'x-op': 'o2' });
    expect(server.stats()).toMatchObject({
      requests: 3,
      executions: 3,
      duplicates: 1,
      perOperation: { o1: 2, o2: 1 },
      attempts: { o1: 2, o2: 1 },
      answers: { 200: 3 },
    });
  });

  it('fails before or after executing, attempt by attempt, in the preset formats', async () => {
    const plan = { 'x-fault': 'before:s2.unavailable, after:discord.50014, ok', 'x-op': 'p' };
    const first = await call('/x', plan);
    expect(first.status).toBe(503);
    expect(await first.json()).toEqual({
      code: 'unavailable',
      message: 'The service is unavailable',
    });
    expect(server.stats().executions).toBe(0);
    const second = await call('/x', plan);
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ code: 50014 });
    expect(server.stats().executions).toBe(1);
    expect((await call('/x', plan)).status).toBe(200);
    expect(server.stats().perOperation.p).toBe(2);
  });

  it('replays the outcome to a repeated Idempotency-Key instead of executing again', async () => {
    const headers = { 'x-fault': 'after:503, ok', 'x-op': 'k', 'idempotency-key': 'abc' };
    expect((await call('/pay', headers)).status).toBe(503);
    const replay = await call('/pay', headers);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ ok: true, op: 'k', executions: 1 });
    expect(server.stats()).toMatchObject({ executions: 1, duplicates: 0, replays: 1 });
  });

  it('resets connections, before or after executing', async () => {
    await expect(call('/r', { 'x-fault': 'reset', 'x-op': 'r1' })).rejects.toThrow();
    await expect(call('/r', { 'x-fault': 'reset-after', 'x-op': 'r2' })).rejects.toThrow();
    expect(server.stats()).toMatchObject({
      executions: 1,
      perOperation: { r2: 1 },
      answers: { reset: 2 },
    });
  });

  it('hangs until the client gives up', async () => {
    const hung = fetch(`${server.url}/h`, {
      method: 'POST',
      headers: { 'x-fault': 'hang-after', 'x-op': 'h' },
      signal: AbortSignal.timeout(100),
    });
    await expect(hung).rejects.toThrow();
    expect(server.stats()).toMatchObject({ executions: 1, answers: { hang: 1 } });
  });

  it('answers a pending 202 with retry_after', async () => {
    const response = await call('/p', { 'x-fault': 'pending;retry-after=1.5' }, 'GET');
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ retry_after: 1.5 });
    expect(response.headers.get('retry-after')).toBe('2');
  });

  it('breaks a stream after 200 OK with a terminal error', async () => {
    const response = await call('/s', { 'x-fault': 'stream;events=2;error=s2.unavailable' }, 'GET');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(
      'event: batch\ndata: {"seq":0}\n\nevent: batch\ndata: {"seq":1}\n\n' +
        'event: error\ndata: {"code":"unavailable","message":"The service is unavailable"}\n\n',
    );
  });

  it('sends rate-limit headers on every answer, and 429s past the limit', async () => {
    const limited = await startFaultServer({ rateLimit: { limit: 2, window: 60 } });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await fetch(`${limited.url}/x`));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(answers[0]!.headers.get('ratelimit-policy')).toBe('"global";q=2;w=60');
      expect(answers[1]!.headers.get('ratelimit')).toMatch(/^"global";r=0;t=\d+$/);
      expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.stats().rateLimited).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('goes down for an outage window', async () => {
    server.outage(60_000);
    const down = await call('/x', { 'x-op': 'o' });
    expect(down.status).toBe(503);
    expect(server.stats().executions).toBe(0);
    server.reset();
    expect((await call('/x')).status).toBe(200);
  });

  it('serves stats and reset over HTTP, and answers CORS preflights', async () => {
    await call('/x');
    const stats = await (await fetch(`${server.url}/__fault/stats`)).json();
    expect(stats.requests).toBe(1);
    expect((await fetch(`${server.url}/__fault/reset`, { method: 'POST' })).status).toBe(204);
    expect(server.stats().requests).toBe(0);
    const preflight = await fetch(`${server.url}/x`, {
      method: 'OPTIONS',
      headers: { 'access-control-request-headers': 'idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('idempotency-key');
    expect(server.stats().requests).toBe(0);
  });

  it('refuses a plan it cannot read', async () => {
    const response = await call('/x', { 'x-fault': 'explode' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Unknown fault step');
  });
});
