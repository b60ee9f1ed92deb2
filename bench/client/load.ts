/** Loads the client the way an application ships it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type * as ClientModule from '../../src/client/index.js';

/**
 * The client bundled and minified by esbuild, from `entry` (its `index.ts`). Importing the
 * TypeScript source through tsx would add its name-keeping wrappers to every closure.
 */
export async function loadClient(entry: string): Promise<typeof ClientModule> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  try {
    const outfile = join(dir, 'client.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      outfile,
      logLevel: 'silent',
    });
    return (await import(pathToFileURL(outfile).href)) as typeof ClientModule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
