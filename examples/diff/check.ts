/**
 * Catches breaking changes before they ship: the released catalog (`v1.json`, the JSON
 * document `catalog.toJSON()` wrote at release time) against the working copy (`v2.ts`).
 * Exits 1 on a breaking change. Run it: `npx tsx examples/diff/check.ts`.
 *
 * The same from the command line, as a CI step:
 *   npx faultline diff examples/diff/v1.json examples/diff/v2.ts   # exit code 1
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { catalogFromJSON } from 'faultline';
import { type CatalogDiff, diffCatalogs } from 'faultline/docs';
import { shop } from './v2.js';

export async function check(): Promise<CatalogDiff> {
  const released = catalogFromJSON(
    JSON.parse(await readFile(new URL('./v1.json', import.meta.url), 'utf8')),
  );
  return diffCatalogs(released, shop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const diff = await check();
  for (const change of diff.breaking) console.log(`breaking [${change.rule}] ${change.message}`);
  for (const change of diff.nonBreaking) console.log(`fine     [${change.rule}] ${change.message}`);
  process.exitCode = diff.breaking.length > 0 ? 1 : 0;
}
