/**
 * The `faultline` bin as a child process, the way a user or CI runs it: exit codes, stdout
 * and stderr, on fixture catalogs written to a temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('./index.ts', import.meta.url));
// The bin is TypeScript here; the published one is compiled JavaScript run by node directly.
const loader = pathToFileURL(
  fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url)),
).href;
const coreUrl = new URL('../core/index.ts', import.meta.url).href;

const dir = mkdtempSync(join(tmpdir(), 'faultline-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function faultline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', loader, bin, ...args],
      { cwd: dir, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

writeFileSync(
  join(dir, 'orders.ts'),
  `import { defineCatalog, t } from ${JSON.stringify(coreUrl)};

export default defineCatalog({
  name: 'orders',
  version: '2.0.0',
  typeBase: 'https://api.example.com/errors#',
  entries: {
    out_of_stock: {
      name: 'OutOfStock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Only {available} left',
      details: { available: t.integer({ minimum: 0 }) },
      meaning: 'Fewer items are in stock than the order asks for.',
      fix: 'Order at most the available quantity.',
    },
  },
});
`,
);

writeFileSync(
  join(dir, 'broken.json'),
  `{
  "faultline": 1,
  "name": "orders",
  "entries": [
    {
      "code": "out_of_stock",
      "name": "OutOfStock",
      "status": 409,
      "retry": "later",
      "sideEffect": "no",
      "message": "Only {available} left"
    }
  ]
}
`,
);

describe('faultline bin (child process)', () => {
  it('lints a TypeScript catalog module and exits 0', async () => {
    const result = await faultline('lint', 'orders.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('0 error(s), 0 warning(s)\n');
    expect(result.code).toBe(0);
  });

  it('reports a JSON catalog error with file:line:column and exits 1', async () => {
    const result = await faultline('docs', 'broken.json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'broken.json:9:7: entries[0].retry: must be one of yes, no, after-change',
    );
    expect(result.stderr).toContain(
      'broken.json:11:7: entries[0].message: placeholder {available} is not a details field',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes the docs of a module and generates code for it', async () => {
    const docs = await faultline('docs', 'orders.ts', '--format', 'html', '--out', 'site');
    expect(docs.code).toBe(0);
    expect(readFileSync(join(dir, 'site/orders.html'), 'utf8')).toContain('id="out_of_stock"');
    const code = await faultline('codegen', 'orders.ts');
    expect(code.code).toBe(0);
    expect(code.stdout).toContain('export type ErrorCode');
    expect(code.stdout).toContain('available: number;');
  });

  it('writes OpenAPI, exits 1 when a diff breaks clients and 2 on misuse', async () => {
    const openapi = await faultline('openapi', 'orders.ts');
    expect(openapi.code).toBe(0);
    expect(JSON.parse(openapi.stdout).openapi).toBe('3.1.0');
    writeFileSync(
      join(dir, 'orders.json'),
      JSON.stringify({ faultline: 1, name: 'orders', version: '2.0.0', entries: [] }),
    );
    const diff = await faultline('diff', 'orders.ts', 'orders.json');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('[code-removed] code "out_of_stock" (OutOfStock) was removed');
    const misuse = await faultline('diff', 'orders.ts');
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain("missing required argument 'new'");
  });
});
