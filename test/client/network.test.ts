import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '../../src/client/errors.js';
import { createClient } from '../../src/client/index.js';
import { readEvents } from '../../src/client/stream.js';
import { discord, eventStore, s2 } from '../../src/presets/index.js';
import { type FaultServer, startFaultServer } from '../../src/testing/index.js';

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** Small delays keep the suite quick; the rules are what is checked, not the timings. */
const fast = { base: 5, maxDelay: 20 };

async function rejection(promise: Promise<unknown>): Promise<RequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RequestError.is(error)).toBe(true);
  return error as RequestError;
}

describe('the client against the fault server', () => {
  it('recovers a GET from a 503 with Retry-After', async () => {
    const api = createClient({ baseUrl: server.url, catalog: s2, retry: fast });
    const result = await api.get('/items', {
      headers: { 'x-fault': 'before:s2.unavailable;retry-after=0, ok', 'x-op': 'g1' },
    });
    expect(result).toEqual({ ok: true, op: 'g1', executions: 1 });
    expect(server.stats().attempts.g1).toBe(2);
  });

  it('retries a POST that failed after executing without executing it twice', async () => {
    const api = createClient({ baseUrl: server.url, catalog: s2, retry: fast });
    const result = await api.post(
      '/orders',
      { sku: 'A1' },
      {
        headers: { 'x-fault': 'after:s2.unavailable, reset-after, ok', 'x-op': 'p1' },
      },
    );
    expect(result).toEqual({ ok: true, op: 'p1', executions: 1 });
    expect(server.stats()).toMatchObject({ executions: 1, duplicates: 0, replays: 2 });
  });

  it('does not retry such a POST without an idempotency key, and says it may have taken effect', async () => {
    const api = createClient({
      baseUrl: server.url,
      catalog: s2,
      retry: fast,
      idempotencyKey: false,
    });
    const error = await rejection(
      api.post('/orders', {}, { headers: { 'x-fault': 'after:s2.unavailable, ok', 'x-op': 'p2' } }),
    );
    expect(error).toMatchObject({
      code: 'unavailable',
      reason: 'unsafe',
      mayHaveTakenEffect: true,
    });
    expect(server.stats()).toMatchObject({ requests: 1, executions: 1 });
  });

  it('leaves nothing running after the last request: a Node process exits long before its timeout', async () => {
    // A child process, so that nothing else holds it open: it would wait out a timer the client
    // left behind (a minute here) and be killed at 30 s instead of exiting.
    const entry = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url));
    const script = `
      const { createClient } = await import(${JSON.stringify(entry)});
      const api = createClient({ baseUrl: process.argv[1], timeout: 60_000, deadline: 120_000 });
      const data = await api.get('/x', { headers: { 'x-op': 'exit' } });
      const response = await api('/y');
      console.log(JSON.stringify([data.ok, response.status, await response.text()]));
    `;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, server.url],
        { timeout: 30_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(JSON.parse(output)).toEqual([true, 200, expect.any(String)]);
  });

  it('times out a hanging GET and retries it', async () => {
    const api = createClient({ baseUrl: server.url, retry: fast, timeout: 150 });
    const result = await api.get('/slow', { headers: { 'x-fault': 'hang, ok', 'x-op': 'h1' } });
    expect(result).toMatchObject({ ok: true });
    expect(server.stats().answers.hang).toBe(1);
  });

  it('treats a refused connection as nothing sent, even for a POST', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const api = createClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { ...fast, attempts: 2 },
      idempotencyKey: false,
    });
    const error = await rejection(api.post('/x', {}));
    expect(error).toMatchObject({
      code: 'connect_error',
      reason: 'attempts',
      mayHaveTakenEffect: false,
    });
    expect(error.attempts.map((a) => a.sent)).toEqual([false, false]);
  });

  it('fails fast with circuit_open during an outage, sending nothing', async () => {
    const api = createClient({
      baseUrl: server.url,
      retry: false,
      breaker: { consecutive: 2, openFor: 60_000 },
    });
    server.outage(60_000);
    for (let i = 0; i < 2; i++) await rejection(api.get('/x'));
    const open = await rejection(api.get('/x'));
    expect(open).toMatchObject({ code: 'circuit_open', mayHaveTakenEffect: false, attempts: [] });
    expect(server.stats().requests).toBe(2);
  });

  it('resolves the event store 2013 then 2002 over the wire as success', async () => {
    const api = createClient({ baseUrl: server.url, catalog: eventStore, retry: fast });
    const result = await api.post(
      '/append',
      { seq: 1 },
      {
        headers: { 'x-fault': 'before:eventStore.2013, before:eventStore.2002', 'x-op': 'e1' },
      },
    );
    expect(result).toMatchObject({ code: 2002, status: 409 });
    expect(server.stats().attempts.e1).toBe(2);
  });

  it('polls a Discord 202 until the resource is ready', async () => {
    const api = createClient({ baseUrl: server.url, catalog: discord, poll: 3 });
    const result = await api.get('/guilds/1/preview', {
      headers: { 'x-fault': 'pending;retry-after=0.05, ok', 'x-op': 'd1' },
    });
    expect(result).toMatchObject({ ok: true });
  });

  it('surfaces a stream error after 200 OK as a typed error after the data', async () => {
    const api = createClient({ baseUrl: server.url, catalog: s2 });
    const { response } = await api.send('/records', {
      headers: { 'x-fault': 'stream;events=3;error=s2.unavailable' },
    });
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const event of readEvents(response, { catalog: s2 })) seen.push(event.data);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toEqual(['{"seq":0}', '{"seq":1}', '{"seq":2}']);
    expect(error).toMatchObject({ code: 'unavailable', status: 503 });
  });

  it('shares a rate limit across concurrent requests and still gets every one through', async () => {
    const limited = await startFaultServer({ rateLimit: { limit: 4, window: 1 } });
    try {
      const api = createClient({ baseUrl: limited.url, retry: { attempts: 4 } });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api.get('/x', { headers: { 'x-op': `r${i}` } })),
      );
      expect(results).toHaveLength(10);
      const stats = limited.stats();
      expect(stats.executions).toBe(10);
      // Only the first burst, sent before any quota was known, can meet a 429.
      expect(stats.rateLimited).toBeLessThanOrEqual(6);
    } finally {
      await limited.close();
    }
  });
});
