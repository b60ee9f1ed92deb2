/**
 * Keeps the published `presets/<name>.json` documents identical to the TypeScript catalogs,
 * and checks every preset for complete docs and coherent retry semantics.
 *
 * After changing a catalog, regenerate the JSON files (no build step needed):
 *
 *   UPDATE_PRESETS=1 npx vitest run src/presets/presets.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Catalog, catalogFromJSON } from '../core/catalog.js';
import { presets } from './index.js';

const presetsDir = fileURLToPath(new URL('../../presets/', import.meta.url));
const update = process.env.UPDATE_PRESETS === '1';
// `Catalog<any>`: a concrete catalog is not assignable to the bare `Catalog` (its codes are
// a union there, `never` in the default), so the list is typed loosely.
const all = Object.values(presets).map((catalog): [string, Catalog<any>] => [
  catalog.name,
  catalog,
]);

function expectedText(catalog: Catalog<any>): string {
  return `${JSON.stringify(catalog.toJSON(), null, 2)}\n`;
}

if (update) {
  mkdirSync(presetsDir, { recursive: true });
  for (const [, catalog] of all) {
    writeFileSync(`${presetsDir}${catalog.name}.json`, expectedText(catalog));
  }
}

describe('published JSON presets', () => {
  it('has one file per preset and no stray files', () => {
    const files = existsSync(presetsDir)
      ? readdirSync(presetsDir).filter((file) => file.endsWith('.json'))
      : [];
    expect(files.sort()).toEqual(all.map(([, catalog]) => `${catalog.name}.json`).sort());
  });

  it.each(all)('%s.json matches the TypeScript catalog', (_, catalog) => {
    const path = `${presetsDir}${catalog.name}.json`;
    expect(existsSync(path), `${path} is missing; run UPDATE_PRESETS=1 npx vitest run`).toBe(true);
    expect(
      readFileSync(path, 'utf8'),
      'stale preset JSON; run UPDATE_PRESETS=1 npx vitest run src/presets/presets.test.ts',
    ).toBe(expectedText(catalog));
  });

  it.each(all)('%s.json loads back into the same catalog', (_, catalog) => {
    const text = readFileSync(`${presetsDir}${catalog.name}.json`, 'utf8');
    const loaded = catalogFromJSON(text);
    expect(loaded.toJSON()).toEqual(catalog.toJSON());
    expect(loaded.codes).toEqual(catalog.codes);
  });
});

describe('every preset', () => {
  it('exports each catalog under a distinct catalog name', () => {
    const names = all.map(([, catalog]) => catalog.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(presets)).toEqual(['s2', 'sequin', 'eventStore', 'discord', 'jan']);
  });

  it.each(all)('%s: every entry has a meaning and a message', (_, catalog) => {
    const missing = catalog.entries.filter(
      (entry) => !entry.meaning?.trim() || !entry.message.trim(),
    );
    expect(missing.map((entry) => entry.code)).toEqual([]);
  });

  it.each(all)('%s: every 4xx entry says how to fix it', (_, catalog) => {
    const missing = catalog.entries.filter(
      (entry) => entry.status >= 400 && entry.status < 500 && !entry.fix?.trim(),
    );
    expect(missing.map((entry) => entry.code)).toEqual([]);
  });

  it.each(all)('%s: a per-group meaning exists for every group of a code', (_, catalog) => {
    for (const entry of catalog.entries) {
      for (const group of entry.groups) {
        expect(
          entry.groupMeanings[group] ?? entry.meaning,
          `${entry.code} in ${group}`,
        ).toBeTruthy();
      }
    }
  });

  it.each(all)('%s: retry and side effect are coherent', (_, catalog) => {
    for (const entry of catalog.entries) {
      const at = `${catalog.name} ${entry.code}`;
      // Retrying something that certainly happened would do it twice.
      expect(entry.retry === 'yes' && entry.sideEffect === 'yes', at).toBe(false);
      // "Succeeds once the state changes" only makes sense when this attempt changed nothing.
      if (entry.retry === 'after-change') expect(entry.sideEffect, at).toBe('no');
      if (entry.successEquivalent) expect(entry.retry, at).toBe('no');
      if (entry.pending) expect(entry.retry, at).toBe('yes');
      if (entry.notSuccess !== undefined) expect(entry.successEquivalent, at).toBe(false);
      if (entry.status === 429) expect([entry.retry, entry.sideEffect], at).toEqual(['yes', 'no']);
      if (entry.status === 501) expect(entry.retry, at).toBe('no');
      if (entry.status < 400) expect(entry.successEquivalent || entry.pending, at).toBe(true);
    }
  });

  it.each(all)('%s: every entry has a type URI under the preset docs', (_, catalog) => {
    expect(catalog.typeBase).toMatch(/^https:\/\/faultline\.dev\/presets\/[a-z0-9-]+#$/);
    for (const entry of catalog.entries) {
      expect(entry.type).toBe(`${catalog.typeBase}${entry.anchor}`);
      expect(catalog.getByType(entry.type)?.code).toBe(entry.code);
    }
  });

  it.each(all)('%s: every entry can be created and recognised', (_, catalog) => {
    for (const entry of catalog.entries) {
      if (entry.details?.required?.length) continue;
      const error = catalog.create(entry.code);
      expect(error.status).toBe(entry.status);
      expect(error.message).toBe(entry.message);
      expect(catalog.is(error, entry.code)).toBe(true);
    }
  });
});
