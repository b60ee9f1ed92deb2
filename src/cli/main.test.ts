import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { typecheck } from '../../test/helpers/typecheck.js';
import { presets } from '../presets/index.js';
import { EXIT, run } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const coreUrl = new URL('../core/index.ts', import.meta.url).href;
const presetsPath = fileURLToPath(new URL('../presets/index.ts', import.meta.url));

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    cwd: dir,
  });
  return { code, out, err };
}

const entry = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: code.toUpperCase(),
  status: 404,
  retry: 'no',
  sideEffect: 'no',
  message: 'm',
  meaning: 'It is not there.',
  fix: 'Look elsewhere.',
  ...extra,
});

const json = (entries: unknown[], extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ faultline: 1, name: 'orders', typeBase: 'https://e.com/e#', entries, ...extra }, null, 2)}\n`;

write('good.json', json([entry('a'), entry('b')]));
write('s2.json', JSON.stringify(presets.s2.toJSON()));
write(
  'good.ts',
  `import { defineCatalog } from ${JSON.stringify(coreUrl)};

export const orders = defineCatalog({
  name: 'orders',
  version: '1.0.0',
  typeBase: 'https://api.example.com/errors#',
  entries: {
    out_of_stock: {
      name: 'OutOfStock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Out of stock',
      meaning: 'Nothing left.',
    },
  },
});
`,
);
write(
  'bad.ts',
  `import { defineCatalog } from ${JSON.stringify(coreUrl)};

export default defineCatalog({
  name: 'orders',
  entries: {
    fine: { name: 'Fine', status: 500, retry: 'yes', sideEffect: 'no', message: 'ok' },
    broken: {
      name: 'Broken',
      status: 42,
      retry: 'yes',
      sideEffect: 'no',
      message: 'bad',
    },
  },
});
`,
);
write('throws.ts', `throw new Error('boom at load');\n`);
write('none.ts', 'export const answer = 42;\n');

describe('faultline (in process)', () => {
  it('reports a JSON catalog error with file, line and column, and exits 1', async () => {
    const name = write(
      'bad.json',
      `{
  "faultline": 1,
  "name": "orders",
  "entries": [
    { "code": "a", "name": "A", "status": 400, "retry": "no", "sideEffect": "no", "message": "m" },
    {
      "code": "b",
      "name": "B",
      "status": 700,
      "retry": "no",
      "sideEffect": "no",
      "message": "m"
    }
  ]
}
`,
    );
    for (const command of ['lint', 'docs', 'openapi', 'codegen']) {
      const result = await cli(command, name);
      expect(result.code, command).toBe(EXIT.findings);
      expect(result.err).toContain('bad.json:9:7: entries[1].status: 700 is not an HTTP status');
    }
  });

  it('reports invalid JSON with its position', async () => {
    const name = write('broken.json', '{\n  "faultline": 1,\n  "name": "x",,\n}\n');
    const result = await cli('lint', name);
    expect(result.code).toBe(EXIT.findings);
    expect(result.err).toMatch(/^broken\.json:3:15: invalid JSON: /m);
  });

  it('reports a definition error in a TypeScript module at its line', async () => {
    const result = await cli('lint', 'bad.ts');
    expect(result.code).toBe(EXIT.findings);
    expect(result.err).toContain('bad.ts:9:7: entries.broken.status: 42 is not an HTTP status');
  });

  it('reports a module that fails to load, or exports no catalog', async () => {
    const thrown = await cli('lint', 'throws.ts');
    expect(thrown.code).toBe(EXIT.findings);
    expect(thrown.err).toMatch(/^throws\.ts:1:\d+: the module failed to load: boom at load/m);
    const none = await cli('lint', 'none.ts');
    expect(none.err).toContain('none.ts: the module exports no catalog');
    const missing = await cli('lint', 'missing.json');
    expect(missing.err).toContain('missing.json: cannot read the file (ENOENT)');
  });

  it('loads a catalog from a module, also one built by another copy of faultline', async () => {
    const result = await cli('docs', 'good.ts');
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain(
      '| <a id="out_of_stock"></a>`out_of_stock` | OutOfStock | 409 | No (after change) | No | Nothing left. |',
    );
  });

  it('asks which export when a module has several catalogs', async () => {
    const several = await cli('lint', presetsPath);
    expect(several.code).toBe(EXIT.findings);
    expect(several.err).toContain(
      'exports several catalogs (discord, eventStore, jan, s2, sequin)',
    );
    const chosen = await cli('lint', presetsPath, '--export', 'jan');
    expect(chosen.code).toBe(EXIT.ok);
    expect(chosen.out).toContain('0 error(s), 0 warning(s)');
  });

  it('lint: points at the entries that lack docs and fails only on errors unless strict', async () => {
    const name = write('undocumented.json', json([entry('a'), entry('b', { fix: undefined })]));
    const result = await cli('lint', name);
    expect(result.code).toBe(EXIT.findings);
    expect(result.out).toContain(
      'undocumented.json:16:5: entries[1].fix: error [missing-fix] code "b" is a client error (404) without a fix',
    );
    const module = await cli('lint', 'good.ts');
    expect(module.code).toBe(EXIT.findings);
    expect(module.out).toMatch(/^good\.ts:8:5: error \[missing-fix\] code "out_of_stock"/m);
    const warnings = await cli(
      'lint',
      write('warn.json', json([entry('a')], { typeBase: undefined })),
    );
    expect(warnings.code).toBe(EXIT.ok);
    expect(warnings.out).toContain('0 error(s), 1 warning(s)');
    expect((await cli('lint', 'warn.json', '--strict')).code).toBe(EXIT.findings);
    const asJson = JSON.parse((await cli('lint', 'warn.json', '--json')).out);
    expect(asJson).toEqual([expect.objectContaining({ rule: 'no-type-base', file: 'warn.json' })]);
  });

  it('diff: exits 1 on breaking changes, 0 otherwise, and prints JSON on request', async () => {
    write('v2-breaking.json', json([entry('a', { status: 410 })]));
    write('v2-fine.json', json([entry('a'), entry('b', { message: 'changed' }), entry('c')]));
    const breaking = await cli('diff', 'good.json', 'v2-breaking.json');
    expect(breaking.code).toBe(EXIT.findings);
    expect(breaking.out).toContain('Breaking changes (2):');
    expect(breaking.out).toContain('[status-changed] code "a": HTTP status 404 → 410');
    expect(breaking.out).toContain('[code-removed] code "b" (B) was removed');
    const fine = await cli('diff', 'good.json', 'v2-fine.json', '--json');
    expect(fine.code).toBe(EXIT.ok);
    const parsed = JSON.parse(fine.out);
    expect(parsed.breaking).toEqual([]);
    expect(parsed.nonBreaking.map((c: { rule: string }) => c.rule)).toEqual([
      'code-added',
      'message-changed',
    ]);
    const self = await cli('diff', 'good.ts', 'good.ts');
    expect(self.code).toBe(EXIT.ok);
  });

  it('docs: writes md, html and json into --out', async () => {
    for (const format of ['md', 'html', 'json']) {
      const result = await cli(
        'docs',
        's2.json',
        '--format',
        format,
        '--out',
        'site',
        '--wire',
        's2',
      );
      expect(result.code).toBe(EXIT.ok);
      const text = readFileSync(join(dir, 'site', `s2.${format}`), 'utf8');
      if (format === 'md') expect(text).toContain('"seq_num_mismatch": 42');
      if (format === 'html') expect(text).toContain('<tr class="row" id="seq_num_mismatch"');
      if (format === 'json') expect(JSON.parse(text).tables[0].rows).toHaveLength(30);
    }
    write(
      'policies.json',
      JSON.stringify({ idempotency: { retentionSeconds: 3600, leaseSeconds: 10 } }),
    );
    const withPolicies = await cli('docs', 's2.json', '--policies', 'policies.json');
    expect(withPolicies.out).toContain('remembered for 1 h');
  });

  it('openapi: merges into an existing document', async () => {
    write(
      'api.json',
      JSON.stringify({ openapi: '3.1.0', info: { title: 'Orders', version: '1' }, paths: {} }),
    );
    const result = await cli('openapi', 's2.json', '--merge', 'api.json', '--out', 'out/api.json');
    expect(result.code).toBe(EXIT.ok);
    const doc = JSON.parse(readFileSync(join(dir, 'out/api.json'), 'utf8'));
    expect(doc.info.title).toBe('Orders');
    expect(Object.keys(doc.components.responses)).toContain('S2Error412');
    write('old.json', JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' } }));
    const old = await cli('openapi', 's2.json', '--merge', 'old.json');
    expect(old.code).toBe(EXIT.usage);
    expect(old.err).toContain('faultline writes OpenAPI 3.1 schemas');
  });

  it('codegen: writes a module that type-checks', async () => {
    const result = await cli('codegen', 's2.json', '--out', 'gen/errors.ts');
    expect(result.code).toBe(EXIT.ok);
    const source = readFileSync(join(dir, 'gen/errors.ts'), 'utf8');
    expect(source).toContain('Generated by `faultline codegen`');
    expect(typecheck({ 'errors.ts': source })).toEqual([]);
  });

  it('handles hostile documents: deep nesting and __proto__ keys', async () => {
    // Deeper than JSON.stringify can go, so the text is built by hand.
    const deep = `${'{"type":"array","items":'.repeat(5_000)}{"type":"string"}${'}'.repeat(5_000)}`;
    write(
      'deep.json',
      json([entry('a', { details: '@' })]).replace(
        '"details": "@"',
        `"details": {"type":"object","properties":{"x":${deep}},"required":["x"]}`,
      ),
    );
    for (const argv of [
      ['docs', 'deep.json', '--format', 'json'],
      ['docs', 'deep.json', '--format', 'html'],
      ['openapi', 'deep.json'],
      ['codegen', 'deep.json'],
      ['diff', 'deep.json', 'deep.json'],
    ]) {
      const result = await cli(...argv);
      expect(result.err, argv.join(' ')).toBe('');
      expect(result.code, argv.join(' ')).toBe(EXIT.ok);
    }
    write('nested.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const nested = await cli('lint', 'nested.json');
    expect(nested.code).toBe(EXIT.findings);
    expect(nested.err).toBe('nested.json:1:1: $: must be an object\n');
    write(
      'proto.json',
      '{"faultline":1,"name":"x","__proto__":{"closed":true},"entries":[{"code":"__proto__","name":"P","status":500,"retry":"no","sideEffect":"no","message":"m","meaning":"x","__proto__":{"status":200}}]}',
    );
    const proto = await cli('docs', 'proto.json', '--format', 'json');
    expect(proto.code).toBe(EXIT.ok);
    const model = JSON.parse(proto.out);
    expect(model.closed).toBe(false);
    expect(model.entries[0].status).toBe(500);
    expect(({} as Record<string, unknown>).closed).toBeUndefined();
  });

  it('exits 2 on misuse', async () => {
    expect((await cli('nope')).code).toBe(EXIT.usage);
    expect((await cli('docs')).code).toBe(EXIT.usage);
    const format = await cli('docs', 's2.json', '--format', 'pdf');
    expect(format.code).toBe(EXIT.usage);
    expect(format.err).toContain("argument 'pdf' is invalid");
    expect((await cli('--help')).code).toBe(EXIT.ok);
  });
});
