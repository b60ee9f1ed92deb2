// The package's public entry points, one per part: the single list from which package.json
// `exports` is written (`node scripts/entries.mjs --write`) and checked (`npm run check:package`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Subpath → folder under src/ holding its index.ts. Only parts that are ready are listed. */
export const ENTRIES = {
  '.': 'core',
  './presets': 'presets',
  './docs': 'docs',
  './client': 'client',
  './client/stream': 'client/stream',
  './client/catalog': 'client/catalog',
  './testing': 'testing',
  './server': 'server',
  './node': 'node',
  './express': 'express',
  './fastify': 'fastify',
  './hono': 'hono',
  './ratelimit': 'ratelimit',
  './idempotency': 'idempotency',
  './redis': 'redis',
  './postgres': 'postgres',
};

/** Files published as they are. */
const STATIC = {
  './schema/catalog.schema.json': './schema/catalog.schema.json',
  './presets/*.json': './presets/*.json',
  './package.json': './package.json',
};

export function exportsMap() {
  const map = {};
  for (const [subpath, dir] of Object.entries(ENTRIES)) {
    map[subpath] = { types: `./dist/${dir}/index.d.ts`, default: `./dist/${dir}/index.js` };
  }
  return { ...map, ...STATIC };
}

export function problems() {
  const found = [];
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  if (JSON.stringify(pkg.exports) !== JSON.stringify(exportsMap())) {
    found.push(
      'package.json exports differ from scripts/entries.mjs: run `node scripts/entries.mjs --write`',
    );
  }
  for (const dir of Object.values(ENTRIES)) {
    if (!existsSync(`src/${dir}/index.ts`)) found.push(`src/${dir}/index.ts is missing`);
  }
  return found;
}

if (process.argv.includes('--write')) {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  pkg.exports = exportsMap();
  writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
}
