/**
 * The client's per-call overhead alone, without the fault scenarios and without writing any
 * result: `npx tsx bench/client/overhead.ts [client index.ts] [rounds]`. The entry defaults to
 * this checkout's client; another one (a copy of an older `src/`) makes an A/B comparison.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClient } from './load.js';
import { overhead, overheadVariants } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
const entry = process.argv[2] ? resolve(process.argv[2]) : join(here, '../../src/client/index.ts');
const rounds = Number(process.argv[3] ?? 12);

const { createClient } = await loadClient(entry);
const { wall, cpu } = await overhead(overheadVariants(createClient), rounds);
process.stdout.write(`${entry}, ${rounds} rounds of 300 calls; µs per call, median:\n`);
for (const name of Object.keys(wall)) {
  process.stdout.write(
    `  ${name.padEnd(36)} wall ${wall[name]!.toFixed(0).padStart(5)}  cpu ${cpu[name]!.toFixed(0).padStart(5)}\n`,
  );
}
