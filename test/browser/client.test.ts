/**
 * The client in a real browser (Debian chromium through playwright-core): the client, bundled
 * by esbuild for the page, recovers from a 503 with `Retry-After` served by the fault server
 * on another origin (so CORS, exposed headers and the preflight of `Idempotency-Key` are part
 * of the test), and retries a POST that failed after executing without executing it twice.
 *
 * A missing chromium fails this file; install it with `apt-get install -y chromium`.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultServer, startFaultServer } from '../../src/testing/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ENTRY = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url));

let browser: Browser;
let pages: Server;
let origin: string;
let fault: FaultServer;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian chromium (apt-get install -y chromium)`,
    );
  }
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'faultline',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const script = bundle.outputFiles[0]!.text;
  pages = createServer((request, response) => {
    if (request.url === '/client.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>client</title><script src="/client.js"></script>');
    } else response.writeHead(404).end();
  });
  await new Promise<void>((done) => pages.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  fault = await startFaultServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage();
  await page.goto(`${origin}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fault?.close();
  await new Promise<void>((done) => (pages ? pages.close(() => done()) : done()));
});

beforeEach(() => fault.reset());

describe('the client in chromium', () => {
  it('recovers from a 503 with Retry-After, waiting as the header says', async () => {
    const outcome = await page.evaluate(async (base) => {
      const retries: { delay: number | undefined; source: string | undefined }[] = [];
      const { createClient } = (globalThis as any).faultline;
      const api = createClient({
        baseUrl: base,
        hooks: {
          onRetry: ({ attempt }: any) =>
            retries.push({ delay: attempt.delay, source: attempt.source }),
        },
      });
      const result = await api.get('/items', {
        headers: { 'x-fault': 'before:s2.unavailable;retry-after=1, ok', 'x-op': 'b1' },
      });
      return { result, retries };
    }, fault.url);
    expect(outcome.result).toEqual({ ok: true, op: 'b1', executions: 1 });
    expect(outcome.retries).toEqual([{ delay: 1000, source: 'retry-after' }]);
    expect(fault.stats()).toMatchObject({
      executions: 1,
      attempts: { b1: 2 },
      answers: { 503: 1, 200: 1 },
    });
  });

  it('retries a POST that failed after executing with one Idempotency-Key, executing it once', async () => {
    const outcome = await page.evaluate(async (base) => {
      const { createClient } = (globalThis as any).faultline;
      const api = createClient({ baseUrl: base, retry: { base: 10 } });
      return api.post(
        '/orders',
        { sku: 'A1' },
        {
          headers: { 'x-fault': 'after:503, ok', 'x-op': 'p1' },
        },
      );
    }, fault.url);
    expect(outcome).toEqual({ ok: true, op: 'p1', executions: 1 });
    expect(fault.stats()).toMatchObject({ executions: 1, duplicates: 0, replays: 1 });
  });

  it('rejects with a typed error carrying the attempts when it gives up', async () => {
    const error = await page.evaluate(async (base) => {
      const { createClient, RequestError } = (globalThis as any).faultline;
      const api = createClient({ baseUrl: base, retry: { attempts: 2, base: 10 } });
      try {
        await api.get('/gone', { headers: { 'x-fault': 'before:s2.stream_not_found' } });
        return undefined;
      } catch (e: any) {
        return {
          is: RequestError.is(e),
          code: e.code,
          reason: e.reason,
          attempts: e.attempts.length,
        };
      }
    }, fault.url);
    // No catalog in the page: a 404 falls back to the status, which is not retryable.
    expect(error).toEqual({
      is: true,
      code: 'stream_not_found',
      reason: 'not-retryable',
      attempts: 1,
    });
  });
});
