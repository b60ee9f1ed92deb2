/**
 * Reads the seed error references (the acceptance fixtures in `../shared/seeds/`) and parses
 * their code tables, so tests can check catalogs and rendered docs against them.
 *
 * Seeds are identified by their content, not their file names. A missing seed folder or
 * seed is an error: the tests that use this must fail, never skip.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The seed references, named after the preset that models each. */
export type SeedId = 's2' | 'sequin' | 'eventStore' | 'discord' | 'jan';

/** One Markdown-style table of a text: the heading above it, its header and body cells. */
export interface TextTable {
  /** The nearest heading line above the table (`#` stripped), or the nearest line of prose. */
  readonly heading: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line of the header row. */
  readonly line: number;
}

/** One code row of a seed, with the columns that seed has. */
export interface SeedRow {
  readonly seed: SeedId;
  /** The code as the seed writes it: a string, a number, or a status class such as `5xx`. */
  readonly code: string | number;
  readonly status?: number;
  /** The seed's Retryable column, read as a yes/no. */
  readonly retryable?: boolean;
  readonly sideEffect?: 'no' | 'maybe' | 'yes';
  readonly name?: string;
  /** The heading of the table the row is in (a service or category title). */
  readonly table: string;
}

/** The folder holding the seeds: `<repo>/../shared/seeds`. */
export const SEEDS_DIR = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));

const SIGNATURES: readonly [SeedId, RegExp][] = [
  ['s2', /S2 API|s2\.dev/],
  ['sequin', /Sequin API|sequinstream/],
  ['eventStore', /AggregateNotExists/],
  ['discord', /X-Failed-Requests/],
  ['jan', /Jan Server/],
];

/**
 * The text of every seed, keyed by what it documents.
 *
 * @throws {Error} when the folder or one of the five seeds is missing.
 */
export function loadSeeds(dir: string = SEEDS_DIR): Record<SeedId, { file: string; text: string }> {
  if (!existsSync(dir)) throw new Error(`seed folder not found: ${dir}`);
  const found: Partial<Record<SeedId, { file: string; text: string }>> = {};
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const match = SIGNATURES.find(([, pattern]) => pattern.test(text));
    if (match && !found[match[0]]) found[match[0]] = { file, text };
  }
  const missing = SIGNATURES.map(([id]) => id).filter((id) => !found[id]);
  if (missing.length > 0) throw new Error(`seeds not found in ${dir}: ${missing.join(', ')}`);
  return found as Record<SeedId, { file: string; text: string }>;
}

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char === '\\' && body[i + 1] === '|') {
      current += '|';
      i++;
    } else if (char === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current.trim());
  return cells;
}

/** Every pipe table of a Markdown-like text, with the heading it sits under. */
export function parseTables(text: string): TextTable[] {
  const lines = text.split(/\r?\n/);
  const tables: TextTable[] = [];
  let heading = '';
  let category = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const next = lines[i + 1]?.trim() ?? '';
    if (line.startsWith('|') && /^\|[\s:|-]+\|$/.test(next) && next.includes('-')) {
      const header = splitRow(line);
      const rows: string[][] = [];
      let j = i + 2;
      while (j < lines.length && lines[j]!.trim().startsWith('|')) {
        rows.push(splitRow(lines[j]!));
        j++;
      }
      tables.push({ heading: heading || category, header, rows, line: i + 1 });
      i = j - 1;
      continue;
    }
    if (line.startsWith('#')) {
      heading = line.replace(/^#+\s*/, '');
    } else if (/\(\d+x+\)$|\(\d+-\d+\)$/.test(line)) {
      // Plain-text seeds put a category title, such as "Read (1xxx)", on its own line.
      category = line;
    }
  }
  return tables;
}

/** Text of a cell with Markdown and HTML markup removed: tags, links, emphasis, code spans. */
export function plainCell(cell: string): string {
  return cell
    .replace(/<[^>]*>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '')
    .replace(/\*\*/g, '')
    .trim();
}

/** A name reduced to lower-case letters and digits, so `BAD REQUEST` equals `BadRequest`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function yesNo(cell: string): boolean {
  return /^yes/i.test(plainCell(cell));
}

function sideEffect(cell: string): 'no' | 'maybe' | 'yes' {
  const text = plainCell(cell).toLowerCase();
  return text.startsWith('maybe') ? 'maybe' : text.startsWith('yes') ? 'yes' : 'no';
}

function codeOf(cell: string): string | number {
  const text = plainCell(cell);
  return /^\d+$/.test(text) ? Number(text) : text;
}

function column(header: readonly string[], pattern: RegExp): number {
  return header.findIndex((cell) => pattern.test(plainCell(cell)));
}

/** The code rows of one seed, read from its own tables. */
export function seedRows(seed: SeedId, text: string): SeedRow[] {
  const out: SeedRow[] = [];
  for (const table of parseTables(text)) {
    const h = table.header.map(plainCell);
    const heading = table.heading.replace(/\s*\(.*\)\s*$/, '').trim();
    if (seed === 's2' && h[0] === 'Code' && h.includes('Retryable')) {
      const status = column(h, /HTTP Status/);
      const retry = column(h, /Retryable/);
      const effect = column(h, /Side Effect/);
      for (const row of table.rows) {
        out.push({
          seed,
          table: heading,
          code: codeOf(row[0]!),
          status: Number(plainCell(row[status]!)),
          retryable: yesNo(row[retry]!),
          sideEffect: sideEffect(row[effect]!),
        });
      }
    } else if (seed === 'sequin' && /HTTP status code/i.test(h[0] ?? '')) {
      const description = column(h, /^Description$/);
      for (const row of table.rows) {
        const code = codeOf(row[0]!);
        const base = { seed, table: heading, code, status: Number(code) };
        out.push(description >= 0 ? { ...base, name: plainCell(row[description]!) } : base);
      }
    } else if (seed === 'eventStore' && h[0] === 'Code' && h[1] === 'Name') {
      for (const row of table.rows) {
        out.push({ seed, table: heading, code: codeOf(row[0]!), name: plainCell(row[1]!) });
      }
    } else if (seed === 'discord' && h[0] === 'Code' && h[1] === 'Description') {
      for (const row of table.rows) {
        const match = /^(\d+|\dxx)\s*\(([^)]*)\)/i.exec(plainCell(row[0]!));
        if (!match) continue;
        const code = /^\d+$/.test(match[1]!) ? Number(match[1]) : match[1]!;
        const base = { seed, table: heading, code, name: match[2]!.trim() };
        out.push(typeof code === 'number' ? { ...base, status: code } : base);
      }
    } else if (seed === 'jan' && h[0] === 'Code' && h[1] === 'HTTP') {
      for (const row of table.rows) {
        out.push({
          seed,
          table: heading,
          code: codeOf(row[0]!),
          status: Number(plainCell(row[1]!)),
        });
      }
    }
  }
  return out;
}
