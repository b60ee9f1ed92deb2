/**
 * The rendered Markdown reference of each preset reproduces every code row of the seed it
 * models: same code, HTTP status, retryable, side effect and name, in the same table
 * (service or category) where the seed has several.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../src/docs/index.js';
import { presets } from '../src/presets/index.js';
import {
  loadSeeds,
  normaliseName,
  parseTables,
  plainCell,
  type SeedId,
  seedRows,
} from './helpers/seeds.js';

const catalogs = {
  s2: presets.s2,
  sequin: presets.sequin,
  eventStore: presets.eventStore,
  discord: presets.discord,
  jan: presets.jan,
} as const satisfies Record<SeedId, unknown>;

interface RenderedRow {
  table: string;
  code: string;
  name: string;
  status: number;
  retryable: string;
  sideEffect: string;
}

function renderedRows(markdown: string): RenderedRow[] {
  const rows: RenderedRow[] = [];
  for (const table of parseTables(markdown)) {
    const header = table.header.map(plainCell);
    if (header.join('|') !== 'Code|Name|HTTP Status|Retryable|Side Effect|Meaning') continue;
    const title = plainCell(table.heading)
      .replace(/\s*\([^)]*\)\s*$/, '')
      .trim();
    for (const cells of table.rows) {
      rows.push({
        table: title,
        code: plainCell(cells[0]!),
        name: plainCell(cells[1]!),
        status: Number(plainCell(cells[2]!)),
        retryable: plainCell(cells[3]!),
        sideEffect: plainCell(cells[4]!),
      });
    }
  }
  return rows;
}

const seeds = loadSeeds();

describe('docs --format md reproduces the seed tables', () => {
  for (const id of Object.keys(catalogs) as SeedId[]) {
    it(`${id}: every code row of the seed is in the rendered reference`, () => {
      const expected = seedRows(id, seeds[id].text);
      expect(expected.length).toBeGreaterThan(0);
      const rendered = renderedRows(renderMarkdown(catalogs[id]));
      const grouped = id === 'jan' || id === 'eventStore';
      for (const seedRow of expected) {
        const label = `${id} ${seedRow.table} ${seedRow.code}`;
        const candidates = rendered.filter((row) =>
          typeof seedRow.code === 'string' && /^\dxx$/.test(seedRow.code)
            ? row.status >= Number(seedRow.code[0]) * 100 &&
              row.status < (Number(seedRow.code[0]) + 1) * 100 &&
              normaliseName(row.name) === normaliseName(seedRow.name ?? '')
            : row.code === String(seedRow.code),
        );
        const inTable = grouped
          ? candidates.filter((row) => row.table === seedRow.table)
          : candidates;
        expect(inTable, label).toHaveLength(1);
        const row = inTable[0]!;
        if (seedRow.status !== undefined) expect(row.status, label).toBe(seedRow.status);
        if (seedRow.retryable !== undefined) {
          expect(row.retryable.startsWith('Yes'), label).toBe(seedRow.retryable);
        }
        if (seedRow.sideEffect !== undefined) {
          expect(row.sideEffect.toLowerCase(), label).toBe(seedRow.sideEffect);
        }
        if (seedRow.name !== undefined) {
          expect(normaliseName(row.name), label).toBe(normaliseName(seedRow.name));
        }
      }
    });
  }

  it('lists a code shared by two services in both service tables (Jan TIMEOUT)', () => {
    const rendered = renderedRows(renderMarkdown(presets.jan));
    const tables = rendered.filter((row) => row.code === 'TIMEOUT').map((row) => row.table);
    expect(tables).toEqual(['Response API', 'MCP Tools']);
  });
});
