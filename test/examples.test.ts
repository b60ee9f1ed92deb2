/**
 * The guide's examples (examples/) as tests, so the guide cannot go stale: they type-check
 * against the package's public entry points, and each one runs here against real servers,
 * Redis, PostgreSQL and chromium, with its real answers asserted.
 *
 * The examples import faultline by its package name (`faultline/server`, …), which Node
 * resolves to dist/ through the package's own `exports` map: build first (`npm test` does,
 * `npm run build` alone too). A missing Redis, PostgreSQL or chromium fails this file.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startPage } from '../examples/browser/serve.js';
import { orderQuota } from '../examples/catalog.js';
import { main as callShop } from '../examples/client/call.js';
import { check as checkDiff } from '../examples/diff/check.js';
import { generate } from '../examples/docs/generate.js';
import { start as startExpress } from '../examples/express/server.js';
import { start as startFastify } from '../examples/fastify/server.js';
import { start as startHono } from '../examples/hono/server.js';
import { start as startNode } from '../examples/node/server.js';
import { start as startPostgres } from '../examples/stores/postgres.js';
import { start as startRedis } from '../examples/stores/redis.js';
import {
  connectIoRedis,
  connectPostgres,
  dropPostgresTables,
  dropRedisPrefix,
  sleep,
  uniqueId,
} from './stores/services.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const CLI = join(ROOT, 'dist/cli/index.js');
const CHROMIUM = '/usr/bin/chromium';

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly type: string | null;
  readonly headers: Headers;
  readonly body: any;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(new URL(path, base), {
    ...init,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

function order(base: string, body: unknown, key?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = `"${key}"`;
  return call(base, '/orders', { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Runs a command to its end (bounded), with its exit code and output. */
function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/server/index.js')) || !existsSync(CLI)) {
    throw new Error('dist/ is missing: the examples import faultline by name; run npm run build');
  }
});

describe('the examples as code', () => {
  it('type-check against the public entry points (tsc -p examples/tsconfig.json)', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await run([tsc, '-p', 'examples/tsconfig.json', '--noEmit']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 240_000);

  it('import faultline by its package name only, never its sources', () => {
    const files = sources(EXAMPLES);
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/from '([^']+)'/g)].map((match) => match[1]!);
      for (const specifier of specifiers) {
        expect(specifier, file).not.toMatch(/\/src\/|^faultline\/(dist|src)\//);
        if (specifier.startsWith('.')) expect(specifier, file).toMatch(/^\.\.?\/[\w/-]+\.js$/);
      }
    }
  });
});

const SERVERS = [
  ['node:http', startNode, 'node/server.ts'],
  ['Express', startExpress, 'express/server.ts'],
  ['Fastify', startFastify, 'fastify/server.ts'],
  ['Hono', startHono, 'hono/server.ts'],
] as const;

/**
 * What every shop server answers, whatever its framework or its stores. Each test starts a
 * fresh server (full stock, full quota); `reset` first empties the stores the servers share.
 */
function shopBehaviour(start: () => Promise<Running>, reset?: () => Promise<void>): void {
  let server: Running | undefined;
  const fresh = async (): Promise<string> => {
    await server?.close();
    await reset?.();
    server = await start();
    return server.url;
  };
  afterAll(() => server?.close());

  it('answers a product as JSON', async () => {
    const answer = await call(await fresh(), '/products/apple');
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ sku: 'apple', available: 3 });
  });

  it("answers an unknown product with the catalog's not_found, as problem+json", async () => {
    const answer = await call(await fresh(), '/products/pear');
    expect(answer.status).toBe(404);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({
      type: 'https://shop.example/errors#not_found',
      status: 404,
      code: 'not_found',
      request_id: answer.headers.get('x-request-id'),
    });
  });

  it('refuses an order beyond the stock with out_of_stock and its details', async () => {
    const answer = await order(await fresh(), { sku: 'apple', quantity: 5 });
    expect(answer.status).toBe(409);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.body).toMatchObject({
      type: 'https://shop.example/errors#out_of_stock',
      title: 'Out of stock',
      detail: 'Only 3 of apple left',
      code: 'out_of_stock',
      sku: 'apple',
      available: 3,
    });
  });

  it('validates the order with zod, listing every bad field in one 422', async () => {
    const answer = await order(await fresh(), { sku: 7, quantity: 0 });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('validation_failed');
    expect(answer.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '#/sku',
      '#/quantity',
    ]);
  });

  it('replays an order sent again with its Idempotency-Key, placing it once', async () => {
    const url = await fresh();
    const first = await order(url, { sku: 'apple', quantity: 1 }, 'order-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: 'ord_1', sku: 'apple', quantity: 1 });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await order(url, { sku: 'apple', quantity: 1 }, 'order-1');
    expect(again.status).toBe(201);
    expect(again.type).toMatch(/^application\/json/);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await call(url, '/products/apple')).body.available).toBe(2);
    const reused = await order(url, { sku: 'apple', quantity: 2 }, 'order-1');
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_mismatch');
  });

  it('limits orders per client with 429, Retry-After and RateLimit headers', async () => {
    const url = await fresh();
    const answers: Answer[] = [];
    for (let i = 0; i <= orderQuota.limit; i++) {
      answers.push(await order(url, { sku: 'apple', quantity: 99 }));
    }
    expect(answers.map((answer) => answer.status)).toEqual([409, 409, 409, 409, 409, 429]);
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe('"orders";q=5;w=60');
    expect(answers[0]!.headers.get('ratelimit')).toBe('"orders";r=4;t=12');
    const refused = answers[5]!;
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(12);
    expect(refused.body.retry_after).toBe(retryAfter);
    // Products are not limited.
    expect((await call(url, '/products/apple')).status).toBe(200);
  });
}

describe.each(SERVERS)('the %s example server', (_name, start) => {
  shopBehaviour(() => start());
});

/** Starts an example as its own process, the way the guide runs it; resolves to its URL. */
function launch(file: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(EXAMPLES, file)], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} printed no URL in time: ${output}`));
    }, 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited (${code}) before it listened: ${output}`));
    });
  });
}

describe('the example servers run on their own (npx tsx examples/<framework>/server.ts)', () => {
  it.each(SERVERS)('%s listens on 127.0.0.1, prints its URL and answers', async (_n, _s, file) => {
    const { url, child } = await launch(file);
    try {
      const answer = await call(url, '/products/apple');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ sku: 'apple', available: 3 });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('the client example', () => {
  it('retries a POST whose response was lost with one Idempotency-Key, and narrows errors by code', async () => {
    const lines: string[] = [];
    const result = await callShop((line) => lines.push(line));
    expect(result.order).toEqual({ id: 'ord_1', sku: 'apple', quantity: 1 });
    expect(result.attempts).toBe(2);
    expect(result.replayed).toBe(true);
    // Two attempts, one order: the server placed it once.
    expect(result.product).toEqual({ sku: 'apple', available: 2 });
    expect(result.refused).toEqual({ code: 'out_of_stock', available: 2, reason: 'after-change' });
    expect(lines).toEqual([
      'retrying after network_error',
      'order ord_1 after 2 attempts (replayed: true)',
      'apples left: 2',
      'out_of_stock: only 2 left (after-change)',
    ]);
  });
});

describe('the docs example', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-examples-docs-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the HTML and Markdown reference and the OpenAPI components', async () => {
    const { files } = await generate(dir);
    expect(files).toEqual(['shop.html', 'shop.md', 'openapi.json']);
    const html = await readFile(join(dir, 'shop.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('id="out_of_stock"');
    const markdown = await readFile(join(dir, 'shop.md'), 'utf8');
    expect(markdown).toContain('# Shop API error reference');
    expect(markdown).toContain(
      '| [`out_of_stock`](#out_of_stock) | OutOfStock | 409 | No (after change) | No |',
    );
    // The published quota is the one the servers enforce.
    expect(markdown).toContain('| orders | 5 | 1 min | ip |');
    const openapi = JSON.parse(await readFile(join(dir, 'openapi.json'), 'utf8'));
    expect(openapi.openapi).toMatch(/^3\.1\./);
    expect(openapi.components.schemas.ShopDetails_out_of_stock.properties).toEqual({
      sku: { type: 'string' },
      available: { type: 'integer', minimum: 0 },
    });
    expect(Object.keys(openapi.components.responses)).toContain('ShopError409');
  });

  it('writes the same OpenAPI document as the CLI, which lints the catalog clean', async () => {
    const cli = await run([CLI, 'openapi', 'examples/catalog.ts']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toBe(await readFile(join(dir, 'openapi.json'), 'utf8'));
    const lint = await run([CLI, 'lint', 'examples/catalog.ts']);
    expect(lint).toMatchObject({ code: 0, stdout: '0 error(s), 0 warning(s)\n' });
  });
});

describe('the diff example', () => {
  it('finds the breaking change between the released catalog and the working copy', async () => {
    const diff = await checkDiff();
    expect(diff.breaking).toEqual([
      {
        rule: 'details-field-removed',
        code: 'out_of_stock',
        message: 'code "out_of_stock": details field available was removed',
      },
    ]);
    expect(diff.nonBreaking.map((change) => change.rule)).toContain('code-added');
  });

  it('makes `faultline diff` exit 1, as a CI step', async () => {
    const result = await run([CLI, 'diff', 'examples/diff/v1.json', 'examples/diff/v2.ts']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Breaking changes (1):\n  - [details-field-removed] code "out_of_stock": details field available was removed\n',
    );
    expect(result.stdout).toContain('[code-added] code "coupon_expired" (CouponExpired) was added');
  });

  it('exits 1 from its own script too', async () => {
    const result = await run(['--import', 'tsx', join(EXAMPLES, 'diff/check.ts')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^breaking \[details-field-removed\] /);
  });
});

/** Two instances of the API over the same stores: one quota, one record of each key. */
function sharedBetweenInstances(start: () => Promise<Running>, reset: () => Promise<void>): void {
  it('shares quotas and idempotency keys between instances of the API', async () => {
    await reset();
    const a = await start();
    const b = await start();
    try {
      const first = await order(a.url, { sku: 'apple', quantity: 1 }, 'shared-1');
      expect(first.status).toBe(201);
      expect(first.headers.get('ratelimit')).toBe('"orders";r=4;t=12');
      const replay = await order(b.url, { sku: 'apple', quantity: 1 }, 'shared-1');
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      // The replay gave its unit back; the next order counts on the quota both share.
      const next = await order(b.url, { sku: 'apple', quantity: 99 });
      expect(next.status).toBe(409);
      expect(next.headers.get('ratelimit')).toBe('"orders";r=3;t=24');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

describe('the Redis stores example', () => {
  let redis: Redis;
  const prefix = `${uniqueId('examples')}:`;
  beforeAll(async () => {
    redis = await connectIoRedis();
    // A freshly started Redis answers keyed requests "in flight" for one lease (60 s): it
    // may have lost the record of a request that was running when it went down.
    const info = await redis.info('server');
    const uptime = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? 0);
    if (uptime < 61) await sleep((61 - uptime) * 1000);
  }, 90_000);
  afterAll(async () => {
    await dropRedisPrefix(redis, prefix);
    redis.disconnect();
  });

  shopBehaviour(
    () => startRedis(0, prefix),
    () => dropRedisPrefix(redis, prefix),
  );
  sharedBetweenInstances(
    () => startRedis(0, prefix),
    () => dropRedisPrefix(redis, prefix),
  );
});

describe('the PostgreSQL stores example', () => {
  let pool: pg.Pool;
  // Short: the stores derive their functions' names from the tables' (41 characters at most).
  const prefix = uniqueId('ex');
  const tables = [`${prefix}_rate_limits`, `${prefix}_idempotency`];
  beforeAll(async () => {
    pool = await connectPostgres();
  });
  afterAll(async () => {
    await dropPostgresTables(pool, ...tables);
    await pool.end();
  });

  shopBehaviour(
    () => startPostgres(0, prefix),
    () => dropPostgresTables(pool, ...tables),
  );
  sharedBetweenInstances(
    () => startPostgres(0, prefix),
    () => dropPostgresTables(pool, ...tables),
  );
});

describe('the browser example in chromium', () => {
  let page: Running;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian chromium (apt-get install chromium)`);
    }
    page = await startPage();
  });
  afterAll(() => page?.close());

  it('orders through faultline/client and shows each error from its code', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const tab = await browser.newPage();
      const failures: string[] = [];
      tab.on('pageerror', (error) => failures.push(error.message));
      await tab.goto(page.url);
      const stock = tab.locator('#stock');
      const result = tab.locator('#result');
      const submit = async (quantity: string) => {
        await tab.fill('#quantity', quantity);
        await tab.click('button[type=submit]');
      };
      await expect.poll(() => stock.textContent()).toBe('3 apples in stock');

      await submit('5');
      await expect.poll(() => result.textContent()).toBe('Only 3 left');

      await submit('1');
      await expect.poll(() => result.textContent()).toBe('Ordered 1 (ord_1)');
      await expect.poll(() => stock.textContent()).toBe('2 apples in stock');

      await submit('0');
      await expect
        .poll(() => result.textContent())
        .toBe('quantity: Too small: expected number to be >=1');
      expect(failures).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
