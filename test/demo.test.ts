/**
 * `npm start`, the end-to-end demo: a short run of both clients against the demo API (memory
 * stores, then Redis and PostgreSQL), the documents it writes, its command line, and serve mode
 * as a real process stopped with SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersCatalog } from '../src/demo/catalog.js';
import { DOC_FILES } from '../src/demo/docs.js';
import { DEFAULTS, type DemoResult, parseDemoArgs, runDemo } from '../src/demo/main.js';

const ROOT = resolve(import.meta.dirname, '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** An output that keeps what is written, as a non-terminal stream would receive it. */
function sink() {
  const chunks: string[] = [];
  return {
    write: (text: string) => chunks.push(text),
    isTTY: false,
    lines: () => chunks.join('').split('\n'),
  };
}

const tooWide = (lines: readonly string[]) => lines.filter((line) => line.length > 80);

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'faultline-demo-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the demo run (memory stores)', () => {
  let result: DemoResult;
  let printed: string[];
  let out: string;

  beforeAll(async () => {
    out = join(scratch, 'memory');
    const output = sink();
    result = await runDemo({ ...DEFAULTS, durationS: 3, outDir: out }, output, {});
    printed = output.lines();
  });

  it('runs both clients over the same logical requests', () => {
    expect(result.faultline.logical).toBeGreaterThan(0);
    expect(result.naive.logical).toBe(result.faultline.logical);
    for (const run of [result.faultline, result.naive]) {
      expect(run.succeeded + run.failed).toBe(run.logical);
    }
  });

  it('never executes an order twice with the faultline client; the naive client does', () => {
    expect(result.faultline.duplicates).toBe(0);
    expect(result.naive.duplicates).toBeGreaterThan(0);
    // Lost answers were retried with the same key and answered from the idempotency store.
    expect(result.faultline.replays).toBeGreaterThan(0);
    expect(result.naive.replays).toBe(0);
  });

  it('meets fewer 429s with the faultline client, which waits for rate-limit hints instead', () => {
    expect(result.naive.rateLimited).toBeGreaterThan(result.faultline.rateLimited);
    expect(result.faultline.paused).toBeGreaterThan(0);
    expect(result.naive.paused).toBe(0);
  });

  it('resumes cut streams with the faultline client; the naive one takes them for whole', () => {
    expect(result.faultline.incompleteStreams).toBe(0);
    expect(result.naive.incompleteStreams).toBeGreaterThan(0);
    expect(result.faultline.failed).toBeLessThanOrEqual(result.naive.failed);
  });

  it('prints a summary table and everything else within 80 columns', () => {
    expect(result.table.length).toBeGreaterThan(5);
    expect(tooWide(result.table)).toEqual([]);
    expect(tooWide(printed)).toEqual([]);
    for (const line of result.table) expect(printed).toContain(line);
    expect(printed.join('\n')).toMatch(/duplicate executions \(server\)\s+0\s+[1-9]\d*/);
    // Without a terminal, progress comes as whole lines, never rewritten with \r.
    expect(printed.join('\n')).not.toContain('\r');
    expect(printed.some((line) => /^faultline\s+done/.test(line))).toBe(true);
  });

  it('writes the HTML and Markdown reference and the OpenAPI document of the catalog', async () => {
    expect(result.files).toEqual(Object.values(DOC_FILES).map((name) => join(out, name)));
    const html = await readFile(join(out, DOC_FILES.html), 'utf8');
    const markdown = await readFile(join(out, DOC_FILES.markdown), 'utf8');
    expect(html.length).toBeGreaterThan(10_000);
    expect(html).toMatch(/^<!doctype html>/i);
    for (const entry of ordersCatalog.entries) {
      expect(html).toContain(String(entry.code));
      expect(markdown).toContain(String(entry.code));
    }
    const openapi = JSON.parse(await readFile(join(out, DOC_FILES.openapi), 'utf8'));
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toContain('/orders');
    expect(openapi.paths['/orders'].post.responses['429']).toEqual({
      $ref: '#/components/responses/OrdersError429',
    });
    const validation = await new Validator().validate(openapi);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    for (const [path, item] of Object.entries<Record<string, { responses: object }>>(
      openapi.paths,
    )) {
      for (const operation of Object.values(item)) {
        for (const response of Object.values(operation.responses) as { $ref?: string }[]) {
          if (response.$ref === undefined) continue;
          const name = response.$ref.split('/').pop()!;
          expect(openapi.components.responses[name], `${path} → ${name}`).toBeDefined();
        }
      }
    }
  });

  it('stops the API at the end of a run without --serve', async () => {
    await expect(fetch(`${result.api.url}/`)).rejects.toThrow();
  });
});

describe('the demo run with REDIS_URL and DATABASE_URL', () => {
  it('keeps rate limits in Redis and idempotency keys in PostgreSQL, with the same outcome', async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    try {
      await redis.connect();
      const output = sink();
      const result = await runDemo(
        { ...DEFAULTS, durationS: 2, outDir: join(scratch, 'stores') },
        output,
        { REDIS_URL, DATABASE_URL },
      );
      expect(output.lines().join('\n')).toContain('Redis rate limits, PostgreSQL idempotency keys');
      expect(result.faultline.duplicates).toBe(0);
      expect(result.naive.duplicates).toBeGreaterThan(0);
      expect(result.faultline.replays).toBeGreaterThan(0);
      // The state is in the real stores: quota keys in Redis, idempotency rows in PostgreSQL.
      const [, keys] = await redis.scan('0', 'MATCH', 'faultline-demo:*:rl:*', 'COUNT', 10_000);
      expect(keys.length).toBeGreaterThan(0);
      const rows = await pool.query(
        "SELECT count(*)::int AS n FROM faultline_demo_idempotency WHERE expires_at > now() - interval '1 minute'",
      );
      expect(rows.rows[0].n).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
      await pool.end();
    }
  });
});

describe('the command line', () => {
  it('takes --duration, --out, --serve, --quiet, --seed and --port', () => {
    expect(parseDemoArgs([])).toEqual({ options: DEFAULTS });
    expect(
      parseDemoArgs([
        '--duration',
        '2.5',
        '--out',
        'docs-out',
        '--serve',
        '--quiet',
        '--seed',
        '7',
        '--port',
        '8080',
      ]),
    ).toEqual({
      options: {
        durationS: 2.5,
        outDir: 'docs-out',
        serve: true,
        quiet: true,
        seed: 7,
        port: 8080,
      },
    });
  });

  it('refuses bad values and unknown options with exit code 2 and prints help with 0', () => {
    for (const argv of [
      ['--duration', '0'],
      ['--duration', 'soon'],
      ['--port', '70000'],
      ['--nope'],
    ]) {
      const parsed = parseDemoArgs(argv);
      expect(parsed, argv.join(' ')).toMatchObject({ exit: 2 });
    }
    const help = parseDemoArgs(['--help']);
    expect(help).toMatchObject({ exit: 0 });
    if (!('text' in help)) throw new Error('no help text');
    expect(help.text).toContain('--serve');
    expect(tooWide(help.text.split('\n'))).toEqual([]);
  });
});

describe('npm start -- --serve', () => {
  let child: ChildProcess;
  let stdout = '';
  let url: string;

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/start.ts',
        '--serve',
        '--quiet',
        '--duration',
        '1',
        '--out',
        join(scratch, 'serve'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr!.resume();
    const deadline = Date.now() + 50_000;
    while (!/OpenAPI\s+(http:\/\/127\.0\.0\.1:\d+)\/openapi\.json/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`the demo did not start serving:\n${stdout}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    url = /OpenAPI\s+(http:\/\/127\.0\.0\.1:\d+)\/openapi\.json/.exec(stdout)![1]!;
  });

  afterAll(() => {
    // Only if a test failed before stopping it.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('serves the error reference page', async () => {
    const response = await fetch(`${url}/docs/errors`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('stream_interrupted');
    expect(html).toContain('idempotency_key_in_flight');
  });

  it('serves the OpenAPI document, naming itself as the server', async () => {
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; servers: { url: string }[] };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url }]);
  });

  it('serves the API: reads, catalog errors, and orders replayed by idempotency key', async () => {
    const headers = { 'x-api-key': 'serve-test', 'content-type': 'application/json' };
    const product = await fetch(`${url}/products/mug-02`, { headers });
    expect(product.status).toBe(200);
    expect(await product.json()).toMatchObject({ sku: 'mug-02' });

    const missing = await fetch(`${url}/orders/ord_999999`, { headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({ code: 'order_not_found', id: 'ord_999999' });

    const order = () =>
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': 'serve-test-1' },
        body: JSON.stringify({ ref: 'serve-1', sku: 'pen-03', quantity: 2 }),
      });
    const first = await order();
    expect(first.status).toBe(201);
    const placed = (await first.json()) as { id: string };
    const again = await order();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toMatchObject({ id: placed.id });
  });

  it('stops cleanly on SIGINT with exit code 0', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((done) => setTimeout(() => done('hung'), 15_000)),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Stopped.');
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});
