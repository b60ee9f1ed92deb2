import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRIES } from '../scripts/entries.mjs';

const run = promisify(execFile);

describe('npm run docs:api', () => {
  let out: string | undefined;
  afterAll(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it('builds the API reference of every entry point from its TSDoc', async () => {
    out = await mkdtemp(join(tmpdir(), 'faultline-api-'));
    const { stdout } = await run(process.execPath, ['scripts/api-docs.mjs', '--out', out], {
      timeout: 240_000,
    });
    expect(stdout).toContain(`${Object.keys(ENTRIES).length} entry points`);
    const index = await readFile(join(out, 'index.html'), 'utf8');
    for (const dir of Object.values(ENTRIES)) expect(index).toContain(`>${dir}<`);
    // A documented export gets its own page with its TSDoc text.
    const page = join(out, 'functions', 'core.defineCatalog.html');
    expect(existsSync(page)).toBe(true);
    expect(await readFile(page, 'utf8')).toContain('Defines an error catalog');
  }, 300_000);
});
