import type { Catalog } from '../core/catalog.js';
import type { JsonSchema } from '../core/schema.js';
import type { Code, Entry } from '../core/types.js';

/** Kinds of change between two catalog versions that break clients. */
export type BreakingRule =
  | 'code-removed'
  | 'code-renamed'
  | 'code-renumbered'
  | 'code-moved-range'
  | 'name-changed'
  | 'status-changed'
  | 'retry-changed'
  | 'side-effect-changed'
  | 'type-changed'
  | 'semantics-changed'
  | 'details-field-removed'
  | 'details-field-type-changed'
  | 'details-field-optional'
  | 'code-added-closed';

/** Kinds of change that keep existing clients working. */
export type NonBreakingRule =
  | 'code-added'
  | 'message-changed'
  | 'docs-changed'
  | 'details-field-added'
  | 'deprecated'
  | 'groups-changed'
  | 'retry-after-changed'
  | 'catalog-changed';

/** One difference between two catalog versions. */
export interface Change {
  readonly rule: BreakingRule | NonBreakingRule;
  /** The code concerned (in the new catalog for renames and renumbering). */
  readonly code?: Code;
  readonly message: string;
}

/** The changes between two catalog versions, split by whether they break clients. */
export interface CatalogDiff {
  readonly breaking: readonly Change[];
  readonly nonBreaking: readonly Change[];
}

function key(code: Code): string {
  return `${typeof code}:${code}`;
}

function show(code: Code): string {
  return typeof code === 'number' ? String(code) : JSON.stringify(code);
}

const MAX_SCHEMA_DEPTH = 32;

/** A schema as a stable string: what a client can rely on, with its descriptions if `prose`. */
function shape(schema: JsonSchema | undefined, prose = false): string {
  return JSON.stringify(strip(schema, 0, prose));
}

function strip(schema: unknown, depth: number, prose: boolean): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  // Deeper than any real details schema: compared as equal rather than walked further.
  if (depth > MAX_SCHEMA_DEPTH) return '…';
  if (Array.isArray(schema)) return schema.map((item) => strip(item, depth + 1, prose));
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema).sort()) {
    if (name === 'description' && !prose) continue;
    const value = (schema as Record<string, unknown>)[name];
    out[name] =
      name === 'required' && Array.isArray(value)
        ? [...value].sort()
        : strip(value, depth + 1, prose);
  }
  return out;
}

function isObjectWithFields(schema: JsonSchema | undefined): schema is JsonSchema {
  return schema?.type === 'object' && schema.properties !== undefined;
}

/** Compares two versions of a version string; `undefined` when either is not dotted numbers. */
function compareVersions(a: string, b: string): number | undefined {
  const parse = (v: string) => {
    const match = /^v?(\d+(?:\.\d+)*)(?:[-+].*)?$/.exec(v.trim());
    return match ? match[1]!.split('.').map(Number) : undefined;
  };
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) return undefined;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  // Same numbers: a pre-release or build suffix differs; count any change as a bump.
  return a === b ? 0 : 1;
}

function versionBumped(old: string | undefined, next: string | undefined): boolean {
  if (next === undefined) return false;
  if (old === undefined) return true;
  const order = compareVersions(next, old);
  return order === undefined ? next !== old : order > 0;
}

class Collector {
  readonly breaking: Change[] = [];
  readonly nonBreaking: Change[] = [];
  add(breaking: boolean, rule: Change['rule'], code: Code | undefined, message: string): void {
    const change: Change = code === undefined ? { rule, message } : { rule, code, message };
    (breaking ? this.breaking : this.nonBreaking).push(change);
  }
}

/**
 * The changes from catalog `old` to catalog `next`, split into breaking and non-breaking.
 *
 * Breaking: a code removed or renamed; a numeric code renumbered or moved out of its
 * category range; a changed name, HTTP status, retryability, side effect, problem type URI
 * or success/pending/structured flag; a details field removed, made optional or changed in
 * type; a code added to a closed catalog without a version bump. Non-breaking: added codes
 * and details fields, message and docs edits, deprecations, group membership.
 *
 * @example
 * ```ts
 * const { breaking } = diffCatalogs(catalogFromJSON(before), catalogFromJSON(after));
 * if (breaking.length > 0) process.exitCode = 1;
 * ```
 */
export function diffCatalogs(old: Catalog<any>, next: Catalog<any>): CatalogDiff {
  const out = new Collector();
  const oldEntries = old.entries as readonly Entry[];
  const newEntries = next.entries as readonly Entry[];
  const newByCode = new Map(newEntries.map((entry) => [key(entry.code), entry]));
  const oldByCode = new Map(oldEntries.map((entry) => [key(entry.code), entry]));
  const removed = oldEntries.filter((entry) => !newByCode.has(key(entry.code)));
  const added = newEntries.filter((entry) => !oldByCode.has(key(entry.code)));

  // A removed code whose name reappears under a new code was renamed or renumbered; prefer
  // a partner in the same group with the same status, since names repeat across categories.
  const paired = new Set<Entry>();
  for (const gone of removed) {
    const partners = added.filter((entry) => !paired.has(entry) && entry.name === gone.name);
    const score = (entry: Entry) =>
      (entry.groups.some((g) => gone.groups.includes(g)) ? 2 : 0) +
      (entry.status === gone.status ? 1 : 0);
    const partner = partners.sort((a, b) => score(b) - score(a))[0];
    if (!partner) {
      out.add(
        true,
        'code-removed',
        gone.code,
        `code ${show(gone.code)} (${gone.name}) was removed`,
      );
      continue;
    }
    paired.add(partner);
    if (typeof gone.code === 'number' && typeof partner.code === 'number') {
      out.add(
        true,
        'code-renumbered',
        partner.code,
        `${gone.name} was renumbered from ${gone.code} to ${partner.code}`,
      );
      const before = old.categoryOf(gone.code);
      const after = next.categoryOf(partner.code);
      if (before && before.id !== after?.id) {
        out.add(
          true,
          'code-moved-range',
          partner.code,
          `${gone.name} moved out of the range of "${before.title}" (${gone.code} → ${partner.code})`,
        );
      }
    } else {
      out.add(
        true,
        'code-renamed',
        partner.code,
        `code ${show(gone.code)} was renamed to ${show(partner.code)} (${gone.name})`,
      );
    }
    compareEntries(old, next, gone, partner, out);
  }

  const closed = old.closed || next.closed;
  const bumped = versionBumped(old.version, next.version);
  for (const entry of added) {
    if (paired.has(entry)) continue;
    out.add(false, 'code-added', entry.code, `code ${show(entry.code)} (${entry.name}) was added`);
    if (closed && !bumped) {
      out.add(
        true,
        'code-added-closed',
        entry.code,
        `code ${show(entry.code)} was added to a closed catalog without a version bump (version ${next.version ?? 'unset'})`,
      );
    }
  }

  for (const before of oldEntries) {
    const after = newByCode.get(key(before.code));
    if (after) compareEntries(old, next, before, after, out);
  }

  if (old.version !== next.version) {
    out.add(
      false,
      'catalog-changed',
      undefined,
      `version ${old.version ?? 'unset'} → ${next.version ?? 'unset'}`,
    );
  }
  if (old.closed !== next.closed) {
    out.add(
      false,
      'catalog-changed',
      undefined,
      next.closed ? 'the set of codes is now closed' : 'the set of codes is no longer closed',
    );
  }
  return { breaking: out.breaking, nonBreaking: out.nonBreaking };
}

function compareEntries(
  oldCatalog: Catalog<any>,
  newCatalog: Catalog<any>,
  before: Entry,
  after: Entry,
  out: Collector,
): void {
  const code = after.code;
  const c = show(code);
  const renamed = key(before.code) !== key(after.code);
  if (before.name !== after.name) {
    out.add(
      true,
      'name-changed',
      code,
      `code ${c} was renamed from ${before.name} to ${after.name}`,
    );
  }
  if (!renamed && typeof code === 'number') {
    const was = oldCatalog.categoryOf(code);
    const now = newCatalog.categoryOf(code);
    if (was && was.id !== now?.id) {
      out.add(
        true,
        'code-moved-range',
        code,
        `code ${c} is no longer in the range of "${was.title}"${now ? ` (now "${now.title}")` : ''}`,
      );
    }
  }
  if (before.status !== after.status) {
    out.add(
      true,
      'status-changed',
      code,
      `code ${c}: HTTP status ${before.status} → ${after.status}`,
    );
  }
  if (before.retry !== after.retry) {
    out.add(true, 'retry-changed', code, `code ${c}: retry ${before.retry} → ${after.retry}`);
  }
  if (before.sideEffect !== after.sideEffect) {
    out.add(
      true,
      'side-effect-changed',
      code,
      `code ${c}: side effect ${before.sideEffect} → ${after.sideEffect}`,
    );
  }
  // A renamed code gets a new anchor, so its derived type URI changes too; that is part of
  // the rename already reported.
  if (before.type !== after.type && !(renamed && !before.ownType && !after.ownType)) {
    out.add(true, 'type-changed', code, `code ${c}: type URI ${before.type} → ${after.type}`);
  }
  for (const flag of ['successEquivalent', 'pending', 'structured'] as const) {
    if (before[flag] !== after[flag]) {
      out.add(
        true,
        'semantics-changed',
        code,
        `code ${c}: ${flag} ${String(before[flag])} → ${String(after[flag])}`,
      );
    }
  }
  if ((before.notSuccess === undefined) !== (after.notSuccess === undefined)) {
    out.add(
      true,
      'semantics-changed',
      code,
      `code ${c}: ${after.notSuccess === undefined ? 'may now be treated as success' : 'must no longer be treated as success'}`,
    );
  }
  compareDetails(before.details, after.details, '', code, out, 0);
  if (before.message !== after.message) {
    out.add(false, 'message-changed', code, `code ${c}: message changed`);
  }
  const docs: string[] = [];
  if (before.title !== after.title) docs.push('title');
  if (before.meaning !== after.meaning) docs.push('meaning');
  if (before.fix !== after.fix) docs.push('fix');
  if (JSON.stringify(before.groupMeanings) !== JSON.stringify(after.groupMeanings)) {
    docs.push('group meanings');
  }
  if (before.since !== after.since) docs.push('since');
  if (before.notSuccess !== undefined && after.notSuccess !== undefined) {
    if (before.notSuccess !== after.notSuccess) docs.push('not-success reason');
  }
  if (docs.length > 0)
    out.add(false, 'docs-changed', code, `code ${c}: ${docs.join(', ')} changed`);
  if (before.deprecated !== after.deprecated) {
    out.add(
      false,
      'deprecated',
      code,
      after.deprecated === undefined || after.deprecated === false
        ? `code ${c} is no longer deprecated`
        : `code ${c} is deprecated${typeof after.deprecated === 'string' ? `: ${after.deprecated}` : ''}`,
    );
  }
  if (JSON.stringify(before.groups) !== JSON.stringify(after.groups)) {
    out.add(
      false,
      'groups-changed',
      code,
      `code ${c}: groups [${before.groups.join(', ')}] → [${after.groups.join(', ')}]`,
    );
  }
  if (before.retryAfter !== after.retryAfter) {
    out.add(
      false,
      'retry-after-changed',
      code,
      `code ${c}: default Retry-After ${before.retryAfter ?? 'unset'} → ${after.retryAfter ?? 'unset'}`,
    );
  }
}

function compareDetails(
  before: JsonSchema | undefined,
  after: JsonSchema | undefined,
  prefix: string,
  code: Code,
  out: Collector,
  depth: number,
): void {
  if (depth > MAX_SCHEMA_DEPTH) return;
  const c = show(code);
  const oldFields = before?.properties ?? {};
  const newFields = after?.properties ?? {};
  const oldRequired = new Set(before?.required ?? []);
  const newRequired = new Set(after?.required ?? []);
  let described = false;
  if (depth === 0 && before !== undefined && after !== undefined) {
    const { properties: _a, required: _b, description: _c, ...wasRest } = before;
    const { properties: _d, required: _e, description: _f, ...nowRest } = after;
    if (shape(wasRest) !== shape(nowRest)) {
      out.add(true, 'details-field-type-changed', code, `code ${c}: details changed shape`);
    }
  }
  for (const name of Object.keys(oldFields)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const was = oldFields[name]!;
    if (!Object.hasOwn(newFields, name)) {
      out.add(true, 'details-field-removed', code, `code ${c}: details field ${path} was removed`);
      continue;
    }
    const now = newFields[name]!;
    if (oldRequired.has(name) && !newRequired.has(name)) {
      out.add(
        true,
        'details-field-optional',
        code,
        `code ${c}: details field ${path} may now be absent`,
      );
    }
    if (isObjectWithFields(was) && isObjectWithFields(now)) {
      const { properties: _a, required: _b, ...wasRest } = was;
      const { properties: _c, required: _d, ...nowRest } = now;
      if (shape(wasRest) !== shape(nowRest)) {
        out.add(
          true,
          'details-field-type-changed',
          code,
          `code ${c}: details field ${path} changed type`,
        );
      }
      compareDetails(was, now, path, code, out, depth + 1);
    } else if (shape(was) !== shape(now)) {
      out.add(
        true,
        'details-field-type-changed',
        code,
        `code ${c}: details field ${path} changed type (${shape(was)} → ${shape(now)})`,
      );
    } else if (shape(was, true) !== shape(now, true)) {
      described = true;
    }
  }
  for (const name of Object.keys(newFields)) {
    if (Object.hasOwn(oldFields, name)) continue;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    out.add(false, 'details-field-added', code, `code ${c}: details field ${path} was added`);
  }
  if (described) {
    out.add(false, 'docs-changed', code, `code ${c}: details descriptions changed`);
  }
}
