import { readFile } from 'node:fs/promises';
import { extname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { Catalog, CatalogDefinitionError, catalogFromJSON } from '../core/catalog.js';
import { locateInJson, locateInSource, type Position, positionOf } from './locate.js';

/** One problem in a catalog file, with where it is. */
export interface LoadIssue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** The path inside the catalog, such as `entries[3].status`. */
  readonly path?: string;
  readonly message: string;
}

/** A catalog file could not be loaded: every problem, each with file and line where known. */
export class CatalogLoadError extends Error {
  override name = 'CatalogLoadError';
  readonly issues: readonly LoadIssue[];
  constructor(issues: readonly LoadIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** `file:line:column: path: message`, the form editors and CI annotate. */
export function formatIssue(issue: LoadIssue): string {
  const where =
    issue.line === undefined
      ? issue.file
      : `${issue.file}:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  return `${where}: ${issue.path === undefined ? '' : `${issue.path}: `}${issue.message}`;
}

/** A loaded catalog and where it came from. */
export interface LoadedCatalog {
  readonly catalog: Catalog;
  /** The file as given on the command line, for messages. */
  readonly file: string;
  readonly kind: 'json' | 'module';
  /** The file's text (JSON or module source), for locating later findings (lint) in it. */
  readonly text?: string;
}

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx']);

/** The largest catalog file read, so a wrong path (a log, a dump) fails fast. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Whether `value` is a catalog, also one built by another copy of faultline. */
function isCatalogLike(value: unknown): value is Catalog {
  if (value instanceof Catalog) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.name === 'string' &&
    Array.isArray(candidate.entries) &&
    typeof candidate.toJSON === 'function' &&
    typeof candidate.get === 'function'
  );
}

function isCatalogDocument(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).faultline === 'number' &&
    Array.isArray((value as Record<string, unknown>).entries)
  );
}

/**
 * Loads a catalog from a JSON document or a TypeScript/JavaScript module exporting one
 * (its default export, or its only exported catalog, or the export named `exportName`).
 *
 * @throws {CatalogLoadError} with file and line for every problem.
 */
export async function loadCatalog(
  file: string,
  options: { exportName?: string; cwd?: string } = {},
): Promise<LoadedCatalog> {
  const absolute = resolve(options.cwd ?? process.cwd(), file);
  const extension = extname(absolute).toLowerCase();
  if (MODULE_EXTENSIONS.has(extension)) return loadModule(file, absolute, options.exportName);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new CatalogLoadError([{ file, message: `cannot read the file (${codeOf(error)})` }]);
  }
  if (text.length > MAX_FILE_BYTES) {
    throw new CatalogLoadError([{ file, message: 'the file is too large to be a catalog' }]);
  }
  return { catalog: fromJsonText(file, text), file, kind: 'json', text };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'unreadable';
}

/** Parses and builds a catalog from JSON text, locating every problem in the text. */
export function fromJsonText(file: string, text: string): Catalog {
  const body = text.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    // The native parser keeps `__proto__` an own key and does not recurse on deep nesting.
    value = JSON.parse(body);
  } catch (error) {
    throw new CatalogLoadError(jsonSyntaxIssues(file, body, error));
  }
  let catalog: Catalog;
  try {
    catalog = catalogFromJSON(value);
  } catch (error) {
    if (!(error instanceof CatalogDefinitionError)) throw error;
    throw new CatalogLoadError(
      error.issues.map((issue) => ({
        file,
        ...locateInJson(body, issue.path),
        path: issue.path,
        message: issue.message,
      })),
    );
  }
  return catalog;
}

/** Where a JSON text breaks, from a tolerant parser that reports every error's offset. */
function jsonSyntaxIssues(file: string, text: string, thrown: unknown): LoadIssue[] {
  const errors: ParseError[] = [];
  try {
    parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch {
    // Nesting too deep for the tolerant parser: only the native message is left.
  }
  if (errors.length === 0) {
    const message = thrown instanceof Error ? thrown.message : 'not JSON';
    return [{ file, message: `invalid JSON: ${message}` }];
  }
  return errors.slice(0, 20).map((error) => ({
    file,
    ...positionOf(text, error.offset),
    message: `invalid JSON: ${printParseErrorCode(error.error)}`,
  }));
}

async function loadModule(
  file: string,
  absolute: string,
  exportName: string | undefined,
): Promise<LoadedCatalog> {
  // Stack traces through the transpiled module then point at the user's own lines.
  process.setSourceMapsEnabled?.(true);
  const jiti = createJiti(import.meta.url, {
    moduleCache: false,
    sourceMaps: true,
  });
  let namespace: unknown;
  try {
    namespace = await jiti.import(pathToFileURL(absolute).href);
  } catch (error) {
    throw await moduleError(file, absolute, error);
  }
  const exports = (namespace ?? {}) as Record<string, unknown>;
  const text = await readFile(absolute, 'utf8').catch(() => undefined);
  const loaded = (catalog: Catalog): LoadedCatalog =>
    text === undefined
      ? { catalog, file, kind: 'module' }
      : { catalog, file, kind: 'module', text };
  if (exportName !== undefined) {
    if (!Object.hasOwn(exports, exportName)) {
      throw new CatalogLoadError([{ file, message: `the module has no export "${exportName}"` }]);
    }
    return loaded(toCatalog(file, exports[exportName], exportName));
  }
  const fallback = exports.default;
  if (isCatalogLike(fallback) || isCatalogDocument(fallback)) {
    return loaded(toCatalog(file, fallback, 'default'));
  }
  const named = Object.keys(exports).filter(
    (name) =>
      name !== 'default' && (isCatalogLike(exports[name]) || isCatalogDocument(exports[name])),
  );
  if (named.length === 1) {
    return loaded(toCatalog(file, exports[named[0]!], named[0]!));
  }
  throw new CatalogLoadError([
    {
      file,
      message:
        named.length === 0
          ? 'the module exports no catalog (export one as default, or as a named export)'
          : `the module exports several catalogs (${named.join(', ')}); choose one with --export <name>`,
    },
  ]);
}

function toCatalog(file: string, value: unknown, name: string): Catalog {
  if (value instanceof Catalog) return value;
  try {
    // A catalog from another copy of faultline (or a plain document) is rebuilt from its
    // JSON, so every check runs and the CLI works with its own classes.
    if (isCatalogLike(value)) return catalogFromJSON(value.toJSON());
    if (isCatalogDocument(value)) return catalogFromJSON(value);
  } catch (error) {
    if (error instanceof CatalogDefinitionError) {
      throw new CatalogLoadError(
        error.issues.map((issue) => ({ file, path: issue.path, message: issue.message })),
      );
    }
    throw error;
  }
  throw new CatalogLoadError([{ file, message: `export "${name}" is not a catalog` }]);
}

/** The first stack frame in the module itself: where its `defineCatalog` call is. */
function frameIn(error: unknown, absolute: string): Position | undefined {
  const stack = (error as { stack?: unknown })?.stack;
  if (typeof stack !== 'string') return undefined;
  const href = pathToFileURL(absolute).href;
  for (const line of stack.split('\n')) {
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!match) continue;
    const where = match[1]!.startsWith('file://') ? safePath(match[1]!) : match[1]!;
    if (where === absolute || match[1] === href) {
      return { line: Number(match[2]), column: Number(match[3]) };
    }
  }
  return undefined;
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

async function moduleError(
  file: string,
  absolute: string,
  error: unknown,
): Promise<CatalogLoadError> {
  const call = frameIn(error, absolute);
  if (
    error instanceof CatalogDefinitionError ||
    (error as Error)?.name === 'CatalogDefinitionError'
  ) {
    const issues = (error as CatalogDefinitionError).issues ?? [];
    let text = '';
    try {
      text = await readFile(absolute, 'utf8');
    } catch {
      // Without the source, the call's line is the best there is.
    }
    const from = call ? offsetOf(text, call) : 0;
    return new CatalogLoadError(
      issues.map((issue) => ({
        file,
        ...(locateInSource(text, issue.path, from) ?? call),
        path: issue.path,
        message: issue.message,
      })),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const rel = relative(process.cwd(), absolute);
  return new CatalogLoadError([
    {
      file,
      ...call,
      message: `the module failed to load: ${message.replaceAll(absolute, rel).split('\n')[0]}`,
    },
  ]);
}

function offsetOf(text: string, position: Position): number {
  let offset = 0;
  for (let line = 1; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + position.column - 1;
}
