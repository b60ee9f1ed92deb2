// Checks the bundle-size budget of the client: each entry of the built package is bundled the
// way an application's bundler would (esbuild, minified, ESM, every export kept), gzipped with
// node:zlib at the highest level, and compared with its budget.
//
// Usage: `node scripts/check-size.mjs [dist directory]` after `npm run build`. An entry over its
// budget is followed by the minified bytes each of its modules adds, largest first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Entry (relative to dist) → budget in bytes, minified and gzipped. */
const BUDGETS = {
  'client/index.js': 5120,
};

const dist = process.argv[2] ?? 'dist';
let failed = false;
for (const [entry, budget] of Object.entries(BUDGETS)) {
  const file = join(dist, entry);
  if (!existsSync(file)) {
    process.stderr.write(`check-size: ${file} is missing; run \`npm run build\` first\n`);
    process.exit(1);
  }
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  const size = gzipSync(code, { level: 9 }).length;
  const verdict = size <= budget ? 'ok' : 'OVER BUDGET';
  process.stdout.write(
    `check-size: ${entry}: ${size} B min+gzip (${code.length} B min), budget ${budget} B: ${verdict}\n`,
  );
  if (size > budget) {
    failed = true;
    const inputs = Object.values(result.metafile.outputs)[0].inputs;
    const rows = Object.entries(inputs).sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput);
    for (const [path, { bytesInOutput }] of rows) {
      if (bytesInOutput)
        process.stdout.write(`  ${String(bytesInOutput).padStart(6)} B  ${path}\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
