/**
 * What the server benchmarks share: the benchmark server (bench/server/app.ts) bundled to plain
 * JavaScript, so it is measured as it would run in production, and the Node flags it runs with.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the bundled server is written. */
export const SERVER_BUNDLE = join(
  here,
  '..',
  '..',
  'node_modules',
  '.cache',
  'faultline-bench',
  'server-app.mjs',
);

/**
 * The young generation is set to the size a busy server grows to (16 MB semi-spaces, V8's
 * default maximum) from the start. Left to V8, it grows only as far as the process's own history
 * of surviving objects pushes it: two servers a startup detail apart settle at different sizes,
 * and the smaller one collects garbage twice as often for the same allocations.
 */
export const SERVER_FLAGS: readonly string[] = [
  '--min-semi-space-size=16',
  // More flags for an investigation (`BENCH_NODE_FLAGS=--single-threaded-gc`); the report lists them.
  ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
];

/**
 * Bundles bench/server/app.ts with esbuild (no source maps, no kept names; the frameworks stay
 * external, as installed) and returns the bundle's path.
 */
export async function bundleServer(): Promise<string> {
  mkdirSync(dirname(SERVER_BUNDLE), { recursive: true });
  await build({
    entryPoints: [join(here, 'app.ts')],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return SERVER_BUNDLE;
}
