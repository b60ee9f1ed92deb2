/**
 * The seed documents are the specification: every code row they contain is parsed here and
 * checked against the preset catalogs, so nothing typed by hand can drift from them.
 *
 * The seeds live in `shared/seeds/` beside the repository (`<repo>/../shared/seeds`). They
 * are found by content, not by file name. A missing folder or seed fails the run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../src/core/catalog.js';
import { type JsonSchema, validate } from '../src/core/schema.js';
import type { Entry } from '../src/core/types.js';
import { discord, eventStore, jan, s2, sequin } from '../src/presets/index.js';

const seedsDir = fileURLToPath(new URL('../../shared/seeds/', import.meta.url));

/** What identifies each seed: a snippet only that document contains. */
const MARKERS = {
  s2: '| `bad_header`',
  sequin: '**Unprocessable Entity**',
  eventStore: '| 2002 | ClientIdempotencyViolation |',
  discord: '"code": 50014',
  jan: '| CONVERSATION_NOT_FOUND |',
} as const;
type SeedName = keyof typeof MARKERS;

let cache: Record<SeedName, string> | undefined;

function seed(name: SeedName): string {
  cache ??= loadSeeds();
  return cache[name];
}

function loadSeeds(): Record<SeedName, string> {
  if (!existsSync(seedsDir)) {
    throw new Error(
      `Seed folder not found at ${seedsDir}. The seed test needs the shared/ folder checked out beside the repository (<repo>/../shared/seeds).`,
    );
  }
  const texts = readdirSync(seedsDir)
    .filter((file) => !file.startsWith('.'))
    .map((file) => readFileSync(`${seedsDir}${file}`, 'utf8'));
  const found = {} as Record<SeedName, string>;
  for (const name of Object.keys(MARKERS) as SeedName[]) {
    const matches = texts.filter((text) => text.includes(MARKERS[name]));
    if (matches.length !== 1) {
      throw new Error(
        `Expected exactly one seed in ${seedsDir} containing ${JSON.stringify(MARKERS[name])} (the ${name} seed), found ${matches.length}.`,
      );
    }
    found[name] = matches[0]!;
  }
  return found;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim());
}

/** The entry of `code`, with its exact code (a numeric code is not matched by its string). */
function entryOf(catalog: Catalog<any>, code: string | number): Entry {
  const entry = catalog.get(code);
  expect(entry, `${catalog.name} has no code ${JSON.stringify(code)}`).toBeDefined();
  expect(entry!.code).toBe(code);
  return entry!;
}

/** Letters and digits only, lower-cased: "TOO MANY REQUESTS" and "TooManyRequests" agree. */
function squash(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/** Fenced JSON blocks of a markdown text, parsed; `//` comment lines are dropped. */
function jsonBlocks(text: string): { json: unknown; offset: number }[] {
  const blocks: { json: unknown; offset: number }[] = [];
  for (const match of text.matchAll(/```json[^\n]*\n([\s\S]*?)```/g)) {
    const source = match[1]!
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n');
    try {
      blocks.push({ json: JSON.parse(source), offset: match.index });
    } catch {
      // Blocks with elisions such as `[...]` are illustrations, not bodies; the plain-text
      // scans below still see every code they mention.
    }
  }
  return blocks;
}

/** Every key path of a JSON value's objects, such as `tail.seq_num`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...keyPaths(child, `${prefix}${key}.`),
  ]);
}

/** Every property path a details schema declares, such as `tail.seq_num`. */
function schemaPaths(schema: JsonSchema | undefined, prefix = ''): string[] {
  return Object.entries(schema?.properties ?? {}).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...schemaPaths(child, `${prefix}${key}.`),
  ]);
}

function headingAt(text: string, offset: number, pattern: RegExp): RegExpMatchArray | undefined {
  let found: RegExpMatchArray | undefined;
  for (const match of text.slice(0, offset).matchAll(pattern)) found = match;
  return found;
}

describe('seed folder', () => {
  it('holds all five seeds', () => {
    expect(Object.keys(loadSeeds()).sort()).toEqual(Object.keys(MARKERS).sort());
  });
});

describe('seed 000: S2', () => {
  const ROW = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*(Yes|No)\s*\|\s*(No|Maybe|Yes)\s*\|$/;

  function rows() {
    const table = lines(seed('s2')).filter((line) => line.startsWith('| `'));
    const parsed = table.map((line) => line.match(ROW));
    expect(parsed.filter((match) => !match)).toEqual([]);
    return parsed.map((match) => ({
      code: match![1]!,
      status: Number(match![2]),
      retryable: match![3]!,
      sideEffect: match![4]!,
    }));
  }

  it('has the 27 standard error rows', () => {
    expect(rows()).toHaveLength(27);
  });

  it('matches every standard row: status, retryable and side effect', () => {
    for (const row of rows()) {
      const entry = entryOf(s2, row.code);
      expect(entry.status, row.code).toBe(row.status);
      expect(entry.retry === 'yes', row.code).toBe(row.retryable === 'Yes');
      expect(entry.sideEffect, row.code).toBe(row.sideEffect.toLowerCase());
      expect(entry.structured, row.code).toBe(false);
    }
  });

  it('marks the non-retryable rows of the statuses the tip names as after-change', () => {
    const tip = seed('s2').match(/<Tip>([\s\S]*?)<\/Tip>/)?.[1] ?? '';
    const statuses = [...tip.matchAll(/`(\d{3})`/g)].map((match) => Number(match[1]));
    expect(statuses).toEqual([404, 409]);
    const affected = rows().filter(
      (row) => statuses.includes(row.status) && row.retryable === 'No',
    );
    expect(affected.length).toBe(6);
    for (const row of affected) expect(entryOf(s2, row.code).retry, row.code).toBe('after-change');
  });

  it('decodes every structured body as exactly one structured entry of its status', () => {
    const text = seed('s2');
    const start = text.indexOf('## Structured Errors');
    expect(start).toBeGreaterThan(0);
    const section = text.slice(start);
    const bodies = jsonBlocks(section).map(({ json, offset }) => {
      const heading = headingAt(section, offset, /^### .*\((\d{3})\)\s*$/gm);
      expect(heading, 'a structured body without a "### … (status)" heading').toBeDefined();
      return { json, status: Number(heading![1]) };
    });
    expect(bodies.map((body) => body.status)).toEqual([412, 412, 416]);
    const structured = s2.entries.filter((entry) => entry.structured);
    const matched = new Set<string | number>();
    for (const body of bodies) {
      const keys = keyPaths(body.json).sort();
      const candidates = structured.filter(
        (entry) =>
          entry.status === body.status &&
          JSON.stringify(schemaPaths(entry.details).sort()) === JSON.stringify(keys),
      );
      expect(
        candidates.map((entry) => entry.code),
        JSON.stringify(body.json),
      ).toHaveLength(1);
      const entry = candidates[0]!;
      expect(validate(entry.details!, body.json)).toEqual([]);
      matched.add(entry.code);
    }
    expect(matched.size).toBe(structured.length);
  });
});

describe('seed 001: Sequin', () => {
  it('has every status row, named as in the table', () => {
    const rows = lines(seed('sequin'))
      .map((line) => line.match(/^\|\s*(\d{3})\s*\|\s*\*\*(.+?)\*\*\s*\|/))
      .filter((match) => match !== null);
    expect(rows).toHaveLength(8);
    for (const [, status, name] of rows) {
      const entry = entryOf(sequin, Number(status));
      expect(entry.status).toBe(Number(status));
      expect(entry.name).toBe(name);
    }
    expect(sequin.entries).toHaveLength(rows.length);
  });

  it('has an entry for every status of the body table', () => {
    const bodies = lines(seed('sequin'))
      .map((line) => line.match(/^\|\s*(\d{3})\s*\|\s*`(\{.*\})`\s*\|$/))
      .filter((match) => match !== null);
    expect(bodies).toHaveLength(8);
    for (const [, status, body] of bodies) {
      entryOf(sequin, Number(status));
      expect(JSON.parse(body!)).toHaveProperty('summary');
    }
  });
});

describe('seed 002: event store', () => {
  interface Row {
    code: number;
    name: string;
    meaning: string;
    section: string;
    range: [number, number];
  }

  function rows(): Row[] {
    const out: Row[] = [];
    let section: { name: string; range: [number, number] } | undefined;
    for (const line of lines(seed('eventStore'))) {
      const thousands = line.match(/^([^|].*?) \((\d+)xxx\)$/);
      const span = line.match(/^([^|].*?) \((\d+)-(\d+)\)$/);
      if (thousands) {
        const low = Number(thousands[2]) * 1000;
        section = { name: thousands[1]!, range: [low, low + 999] };
      } else if (span) {
        section = { name: span[1]!, range: [Number(span[2]), Number(span[3])] };
      }
      const row = line.match(/^\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*(.+?)\s*\|$/);
      if (!row) continue;
      expect(section, `row ${row[1]} before any category heading`).toBeDefined();
      out.push({
        code: Number(row[1]),
        name: row[2]!,
        meaning: row[3]!,
        section: section!.name,
        range: section!.range,
      });
    }
    return out;
  }

  it('has 68 code rows in 12 categories, and the catalog has no others', () => {
    const all = rows();
    expect(all).toHaveLength(68);
    expect(new Set(all.map((row) => row.section)).size).toBe(12);
    expect(eventStore.codes.sort((a, b) => a - b)).toEqual(all.map((row) => row.code));
  });

  it('matches every row: code, name, and the category it is listed under', () => {
    for (const row of rows()) {
      const entry = entryOf(eventStore, row.code);
      expect(entry.name, `${row.code}`).toBe(row.name);
      expect(entry.groups, `${row.code}`).toEqual([row.section]);
      expect(eventStore.categoryOf(row.code)?.id, `${row.code}`).toBe(row.section);
      const group = eventStore.groups.find((candidate) => candidate.id === row.section);
      expect(group?.range, row.section).toEqual(row.range);
    }
  });

  it('follows what the meanings say about success, retries and side effects', () => {
    for (const row of rows()) {
      const entry = entryOf(eventStore, row.code);
      const at = `${row.code} ${row.name}`;
      const notSuccess = /do not treat as success/i.test(row.meaning);
      expect(entry.notSuccess !== undefined, at).toBe(notSuccess);
      expect(entry.successEquivalent, at).toBe(
        !notSuccess && /treat as success/i.test(row.meaning),
      );
      if (/\bretry\b/i.test(row.meaning) && !entry.successEquivalent) {
        expect(entry.retry, at).not.toBe('no');
      }
      if (/did not land/i.test(row.meaning)) expect(entry.sideEffect, at).toBe('no');
      if (/not acknowledged/i.test(row.meaning)) expect(entry.sideEffect, at).toBe('maybe');
    }
  });

  it('reserves unlisted codes, as the reference says', () => {
    expect(seed('eventStore')).toMatch(/unlisted values within a range are reserved/i);
    expect(eventStore.unlistedReserved).toBe(true);
  });
});

describe('seed 003: Discord', () => {
  const ROW = /^\|\s*(\d{3}) \(([^)]+)\)\s*\|\s*(.+?)\s*\|$/;

  it('has every HTTP table row, named as in the table', () => {
    const rows = lines(seed('discord'))
      .map((line) => line.match(ROW))
      .filter((match) => match !== null);
    expect(rows).toHaveLength(21);
    for (const [, status, description, text] of rows) {
      const entry = entryOf(discord, Number(status));
      expect(entry.status).toBe(Number(status));
      expect(squash(entry.name), status).toBe(squash(description!));
      expect(entry.groups).toEqual(['HTTP']);
      if (entry.status < 400) {
        expect(entry.successEquivalent || entry.pending, status).toBe(true);
        expect(entry.pending, status).toBe(/retry_after/.test(text!));
      }
    }
  });

  it('represents the generic 5xx row as 500', () => {
    const row = lines(seed('discord'))
      .map((line) => line.match(/^\|\s*5xx \(([^)]+)\)/))
      .find((match) => match !== null);
    expect(row).toBeDefined();
    expect(squash(entryOf(discord, 500).name)).toBe(squash(row![1]!));
  });

  it('retries every status the footnote says to retry with backoff', () => {
    const footnote = seed('discord').match(/^1 ([\d, ]+) should be retried/m);
    expect(footnote).not.toBeNull();
    const statuses = footnote![1]!.split(',').map((part) => Number(part.trim()));
    expect(statuses).toHaveLength(6);
    for (const status of statuses) {
      const entry = entryOf(discord, status);
      expect([entry.status, entry.retry]).toEqual([status, 'yes']);
    }
  });

  it('knows the JSON code of the example response', () => {
    const example = lines(seed('discord')).find((line) => line.startsWith('{"message"'));
    expect(example).toBeDefined();
    const body = JSON.parse(example!) as { code: number; message: string };
    const entry = entryOf(discord, body.code);
    expect(entry.message).toBe(body.message);
    expect(entry.groups).toEqual(['JSON']);
  });
});

describe('seed 004: Jan Server', () => {
  function serviceRows() {
    const text = seed('jan');
    const start = text.indexOf('## Service-Specific Error Codes');
    expect(start).toBeGreaterThan(0);
    const end = text.indexOf('\n## ', start + 1);
    const out: { code: string; status: number; group: string }[] = [];
    let group: string | undefined;
    for (const line of lines(text.slice(start, end))) {
      const heading = line.match(/^### (.+)$/);
      if (heading) group = heading[1];
      const row = line.match(/^\|\s*([A-Z_]+)\s*\|\s*(\d{3})\s*\|\s*(.+?)\s*\|$/);
      if (!row) continue;
      expect(group, `row ${row[1]} before any service heading`).toBeDefined();
      out.push({ code: row[1]!, status: Number(row[2]), group: group! });
    }
    return out;
  }

  it('has the 19 service-table rows', () => {
    expect(serviceRows()).toHaveLength(19);
  });

  it('matches every service row: code, status, and the service that lists it', () => {
    for (const row of serviceRows()) {
      const entry = entryOf(jan, row.code);
      expect(entry.status, row.code).toBe(row.status);
      expect(entry.groups, row.code).toContain(row.group);
      expect(entry.groupMeanings[row.group] ?? entry.meaning, row.code).toBeTruthy();
    }
  });

  it('knows every code of the example responses, with the status of its section', () => {
    const text = seed('jan');
    const fieldCodes = new Set<string>();
    const topLevel: string[] = [];
    let template: string | undefined;
    for (const { json, offset } of jsonBlocks(text)) {
      if (typeof json !== 'object' || json === null) continue;
      const body = json as { code?: unknown; error?: unknown; errors?: unknown };
      for (const item of Array.isArray(body.errors) ? body.errors : []) {
        if (typeof item?.code === 'string') fieldCodes.add(item.code);
      }
      if (typeof body.code !== 'string') continue;
      // The generic envelope shows placeholders, not a real code.
      if (body.error === 'Error Name') {
        template = body.code;
        continue;
      }
      topLevel.push(body.code);
      const entry = entryOf(jan, body.code);
      // Examples under a "### 429 Too Many Requests" heading must carry that status.
      const status = headingAt(text, offset, /^### (.+)$/gm)?.[1]?.match(/^(\d{3}) /)?.[1];
      if (status !== undefined) expect(entry.status, body.code).toBe(Number(status));
      const retryAfter = (json as { retry_after?: unknown }).retry_after;
      if (typeof retryAfter === 'number') expect(entry.retryAfter, body.code).toBe(retryAfter);
    }
    expect(new Set(topLevel).size).toBe(9);
    expect(template).toBe('ERROR_CODE');
    // Field-level reason codes (errors[].code) are not response codes.
    expect([...fieldCodes].sort()).toEqual(['INVALID_FORMAT', 'OUT_OF_RANGE']);
    for (const code of fieldCodes) expect(jan.get(code)).toBeUndefined();

    // Every `"code": "…"` anywhere (code samples included) is one of the above.
    const mentioned = [...text.matchAll(/"code":\s*"([^"]+)"/g)].map((match) => match[1]!);
    expect(mentioned.length).toBeGreaterThanOrEqual(topLevel.length);
    for (const code of mentioned) {
      if (code === template || fieldCodes.has(code)) continue;
      entryOf(jan, code);
    }
  });
});
