import { ApiError, type ApiErrorInit, type FieldError } from './error.js';
import { isHttpStatus } from './http.js';
import { type JsonSchema, objectSchema, validate } from './schema.js';
import type {
  CatalogDefinition,
  Code,
  CodesOf,
  DetailsOf,
  Entry,
  EntryDefinition,
  Group,
  Retry,
  SideEffect,
} from './types.js';

/** Version of the JSON catalog document format. */
export const CATALOG_FORMAT_VERSION = 1;

/** Where the published JSON Schema of catalog documents lives. */
export const CATALOG_SCHEMA_ID = 'https://faultline.dev/schema/catalog.schema.json';

const RETRY_VALUES: readonly Retry[] = ['yes', 'no', 'after-change'];
const SIDE_EFFECT_VALUES: readonly SideEffect[] = ['no', 'maybe', 'yes'];

/**
 * Member names that wire formats use for their own fields. A details field with one of
 * these names would be ambiguous on the wire, so definitions may not use them.
 */
export const RESERVED_DETAIL_NAMES: ReadonlySet<string> = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'message',
  'errors',
  'error',
  'details',
  'request_id',
  'retry_after',
  'timestamp',
  'summary',
  'validation_errors',
  '__proto__',
  'constructor',
  'prototype',
]);

/** One problem found in a catalog definition or JSON document. */
export interface CatalogIssue {
  /** Where, such as `groups["LLM API"].entries.TIMEOUT.status`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown when a catalog definition or document is invalid; lists every problem at once. */
export class CatalogDefinitionError extends Error {
  override name = 'CatalogDefinitionError';
  readonly issues: readonly CatalogIssue[];
  constructor(catalogName: string, issues: readonly CatalogIssue[]) {
    super(
      `Invalid catalog "${catalogName}" (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n'),
    );
    this.issues = issues;
  }
}

/** Options for creating one error from a catalog. */
export interface CreateOptions {
  /** Replaces the entry's message. */
  message?: string;
  cause?: unknown;
  requestId?: string;
  /** Seconds before a retry may succeed. */
  retryAfter?: number;
  instance?: string;
  fieldErrors?: readonly FieldError[];
  headers?: Readonly<Record<string, string>>;
}

// biome-ignore lint/complexity/noBannedTypes: `{} extends T` is the test for "every field optional".
type CreateArgs<Details> = {} extends Details
  ? [details?: Details, options?: CreateOptions]
  : [details: Details, options?: CreateOptions];

/** The error type of code `C` of catalog `K`. */
export type ErrorFor<K, C> =
  K extends Catalog<infer D>
    ? C extends CodesOf<D>
      ? ApiError<C, DetailsOf<D, C>>
      : never
    : never;

/** The union of every error of catalog `K`, discriminated on `code`. */
export type CatalogError<K> =
  K extends Catalog<infer D>
    ? { [C in CodesOf<D>]: ApiError<C, DetailsOf<D, C>> }[CodesOf<D>]
    : never;

/** The union of codes of catalog `K`. */
export type CodeOf<K> = K extends Catalog<infer D> ? CodesOf<D> : never;

/** A catalog group in the JSON document. */
export interface GroupJson {
  id: string;
  title?: string;
  description?: string;
  range?: [number, number];
  reserved?: (number | [number, number])[];
}

/** A catalog entry in the JSON document. */
export interface EntryJson {
  code: Code;
  name: string;
  status: number;
  retry: Retry;
  sideEffect: SideEffect;
  message: string;
  title?: string;
  details?: JsonSchema;
  meaning?: string;
  fix?: string;
  type?: string;
  groups?: string[];
  groupMeanings?: Record<string, string>;
  successEquivalent?: boolean;
  notSuccess?: string;
  pending?: boolean;
  structured?: boolean;
  retryAfter?: number;
  since?: string;
  deprecated?: boolean | string;
}

/** A catalog as a JSON document (validated by `schema/catalog.schema.json`). */
export interface CatalogJson {
  $schema?: string;
  faultline: number;
  name: string;
  version?: string;
  title?: string;
  description?: string;
  typeBase?: string;
  closed?: boolean;
  unlistedReserved?: boolean;
  groups?: GroupJson[];
  entries: EntryJson[];
}

/** A stable key for a code: numbers and strings never collide. */
function codeKey(code: Code): string {
  return typeof code === 'number' ? `n:${code}` : `s:${code}`;
}

const CANONICAL_INTEGER = /^(0|[1-9][0-9]{0,15})$/;

/**
 * Every entry under its code, and under the other spelling of that code where there is no
 * exact entry: a non-negative integer code also under its decimal string, and a string of
 * digits also as a number. So a lookup is one map read, with no string building.
 */
function indexCodes(entries: readonly Entry[]): Map<Code, Entry> {
  const index = new Map<Code, Entry>();
  for (const entry of entries) index.set(entry.code, entry);
  for (const entry of entries) {
    const code = entry.code;
    const alias =
      typeof code === 'number'
        ? Number.isSafeInteger(code) && code >= 0
          ? String(code)
          : undefined
        : CANONICAL_INTEGER.test(code)
          ? Number(code)
          : undefined;
    if (alias !== undefined && !index.has(alias)) index.set(alias, entry);
  }
  return index;
}

/** Fills `{field}` placeholders of a message template from details. */
export function formatMessage(template: string, details: unknown): string {
  if (!template.includes('{')) return template;
  const record =
    typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, key: string) => {
    if (!Object.hasOwn(record, key)) return whole;
    const value = record[key];
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  });
}

/** The placeholders a message template uses. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]!);
}

/** The docs anchor of a code: letters, digits, `_`, `-` and `.` kept, anything else `-`. */
export function anchorOf(code: Code): string {
  return String(code).replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * An error catalog: every error an API can answer, keyed by stable code.
 *
 * Build one with {@link defineCatalog} (typed) or {@link catalogFromJSON} (from a document).
 */
// `D` defaults to `any` so that a bare `Catalog` accepts every catalog: the derived types use
// conditional types, which make TypeScript treat `D` as invariant.
export class Catalog<D extends CatalogDefinition = any> {
  readonly name: string;
  readonly version: string | undefined;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly typeBase: string | undefined;
  readonly closed: boolean;
  readonly unlistedReserved: boolean;
  /** Every entry, in definition order. */
  readonly entries: readonly Entry<CodesOf<D>>[];
  readonly groups: readonly Group[];
  /** Codes as they are, plus decimal-string and numeric aliases (exact codes win). */
  readonly #byCode: Map<Code, Entry>;
  readonly #byType: Map<string, Entry>;
  /**
   * The last code looked up and its entry: a client or gateway mostly sees the same few codes,
   * and comparing a freshly parsed string is cheaper than hashing it for the map.
   */
  #lastCode: unknown = undefined;
  #lastEntry: Entry | undefined = undefined;

  /** @internal Use {@link defineCatalog} or {@link catalogFromJSON}. */
  constructor(built: BuiltCatalog) {
    this.name = built.name;
    this.version = built.version;
    this.title = built.title;
    this.description = built.description;
    this.typeBase = built.typeBase;
    this.closed = built.closed;
    this.unlistedReserved = built.unlistedReserved;
    this.entries = built.entries as Entry<CodesOf<D>>[];
    this.groups = built.groups;
    this.#byCode = indexCodes(built.entries);
    this.#byType = new Map(
      built.entries.filter((entry) => entry.type !== 'about:blank').map((e) => [e.type, e]),
    );
    Object.freeze(this);
  }

  /** The codes, in definition order. */
  get codes(): CodesOf<D>[] {
    return this.entries.map((entry) => entry.code);
  }

  /**
   * The entry of `code`. A numeric code also matches its decimal string (wire formats that
   * carry codes as strings), and a string of digits matches a numeric code.
   */
  get(code: unknown): Entry<CodesOf<D>> | undefined {
    if (code === this.#lastCode) {
      return this.#lastEntry as Entry<CodesOf<D>> | undefined;
    }
    let entry: Entry | undefined;
    if (typeof code === 'string') entry = this.#byCode.get(code);
    else if (typeof code === 'number') {
      entry = this.#byCode.get(code) ?? this.#byCode.get(String(code));
    } else return undefined;
    this.#lastCode = code;
    this.#lastEntry = entry;
    return entry as Entry<CodesOf<D>> | undefined;
  }

  /** Whether `code` is one of this catalog's codes. */
  has(code: unknown): code is CodesOf<D> {
    return this.get(code)?.code === code;
  }

  /** The entry whose problem type URI is `type`. */
  getByType(type: string): Entry<CodesOf<D>> | undefined {
    return this.#byType.get(type) as Entry<CodesOf<D>> | undefined;
  }

  /** The entries answered with HTTP `status`, in definition order. */
  byStatus(status: number): Entry<CodesOf<D>>[] {
    return this.entries.filter((entry) => entry.status === status);
  }

  /** The group (category) whose range holds the numeric `code`, the narrowest first. */
  categoryOf(code: number): Group | undefined {
    let best: Group | undefined;
    for (const group of this.groups) {
      if (!group.range || code < group.range[0] || code > group.range[1]) continue;
      if (!best?.range || group.range[1] - group.range[0] < best.range[1] - best.range[0]) {
        best = group;
      }
    }
    return best;
  }

  /**
   * Creates the error of `code`, with its details (required when the entry declares required
   * details), message from the entry's template, and the entry's status and semantics.
   *
   * @example
   * ```ts
   * throw s2.create('seq_num_mismatch', { seq_num_mismatch: 42 });
   * ```
   * @throws {TypeError} when `code` is not in the catalog.
   */
  create<C extends CodesOf<D>>(
    code: C,
    ...[details, options]: CreateArgs<DetailsOf<D, C>>
  ): ApiError<C, DetailsOf<D, C>> {
    const entry = this.get(code);
    if (!entry || entry.code !== code) {
      throw new TypeError(`Code ${JSON.stringify(code)} is not in catalog "${this.name}"`);
    }
    const init: ApiErrorInit<C, DetailsOf<D, C>> = {
      code,
      status: entry.status,
      message: options?.message ?? formatMessage(entry.message, details),
      entry,
      details: (details ?? {}) as DetailsOf<D, C>,
    };
    if (options?.cause !== undefined) init.cause = options.cause;
    if (options?.requestId !== undefined) init.requestId = options.requestId;
    const retryAfter = options?.retryAfter ?? entry.retryAfter;
    if (retryAfter !== undefined) init.retryAfter = retryAfter;
    if (options?.instance !== undefined) init.instance = options.instance;
    if (options?.fieldErrors !== undefined) init.fieldErrors = options.fieldErrors;
    if (options?.headers !== undefined) init.headers = options.headers;
    return new ApiError(init);
  }

  /**
   * Whether `value` is an error of this catalog (of `code`, when given) whose details match
   * the entry's schema, so the narrowed details type is true at run time too.
   */
  is<C extends CodesOf<D>>(value: unknown, code: C): value is ApiError<C, DetailsOf<D, C>>;
  is(value: unknown): value is CatalogError<Catalog<D>>;
  is(value: unknown, code?: Code): boolean {
    if (!ApiError.is(value)) return false;
    const entry = this.get(value.code);
    if (!entry || entry.code !== value.code) return false;
    if (code !== undefined && entry.code !== code) return false;
    return !entry.details || validate(entry.details, value.details).length === 0;
  }

  /** The catalog as a JSON document. */
  toJSON(): CatalogJson {
    return catalogToJSON(this);
  }
}

/** @internal The normalised parts a {@link Catalog} is built from. */
export interface BuiltCatalog {
  name: string;
  version: string | undefined;
  title: string | undefined;
  description: string | undefined;
  typeBase: string | undefined;
  closed: boolean;
  unlistedReserved: boolean;
  entries: Entry[];
  groups: Group[];
}

/**
 * Defines an error catalog. Types flow from the definition: `create` requires each code's
 * details, `is(err, code)` narrows to them, and `CatalogError<typeof catalog>` is a union
 * discriminated on `code` for exhaustive `switch`es.
 *
 * @example
 * ```ts
 * const api = defineCatalog({
 *   name: 'orders',
 *   typeBase: 'https://api.example.com/errors#',
 *   entries: {
 *     out_of_stock: {
 *       name: 'OutOfStock', status: 409, retry: 'after-change', sideEffect: 'no',
 *       message: 'Only {available} left', details: { available: t.integer() },
 *     },
 *   },
 * });
 * throw api.create('out_of_stock', { available: 2 });
 * ```
 * @throws {CatalogDefinitionError} listing every problem: duplicate codes, codes outside
 *   their range or inside a reserved one, invalid statuses, one code in two groups with
 *   different semantics, unknown message placeholders, reserved detail names.
 */
export function defineCatalog<const D extends CatalogDefinition>(definition: D): Catalog<D> {
  return new Catalog<D>(buildFromDefinition(definition));
}

// ---- building and validation ---------------------------------------------------------------

interface Occurrence {
  code: Code;
  group: string | undefined;
  path: string;
  fields: NormalisedFields;
  /** The group's own meaning, where a document lists it apart from the entry's. */
  groupMeaning?: string;
}

type NormalisedFields = Omit<EntryJson, 'code' | 'groups' | 'groupMeanings'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyToCode(key: string, mode: 'auto' | 'string'): Code {
  return mode === 'auto' && /^(0|[1-9][0-9]{0,15})$/.test(key) ? Number(key) : key;
}

function pathKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function normaliseDefinitionEntry(def: EntryDefinition): NormalisedFields {
  const fields: NormalisedFields = {
    name: def.name,
    status: def.status,
    retry: def.retry,
    sideEffect: def.sideEffect,
    message: def.message,
  };
  if (def.title !== undefined) fields.title = def.title;
  if (def.details !== undefined) {
    fields.details = isRecord(def.details) ? objectSchema(def.details) : (def.details as never);
  }
  copyOptional(def as unknown as Record<string, unknown>, fields as Record<string, unknown>);
  return fields;
}

const OPTIONAL_FIELDS = [
  'meaning',
  'fix',
  'type',
  'successEquivalent',
  'notSuccess',
  'pending',
  'structured',
  'retryAfter',
  'since',
  'deprecated',
] as const;

function copyOptional(from: Record<string, unknown>, to: Record<string, unknown>): void {
  for (const field of OPTIONAL_FIELDS) {
    if (from[field] !== undefined) to[field] = from[field];
  }
}

function buildFromDefinition(definition: CatalogDefinition): BuiltCatalog {
  const issues: CatalogIssue[] = [];
  const name = typeof definition?.name === 'string' ? definition.name : '(unnamed)';
  if (!isRecord(definition)) {
    throw new CatalogDefinitionError(name, [{ path: '$', message: 'must be an object' }]);
  }
  const mode = definition.codes ?? 'auto';
  const occurrences: Occurrence[] = [];
  const groups: GroupJson[] = [];
  const collect = (entries: unknown, group: string | undefined, base: string): void => {
    if (entries === undefined) return;
    if (!isRecord(entries)) {
      issues.push({ path: base, message: 'must be an object keyed by code' });
      return;
    }
    for (const key of Object.keys(entries)) {
      const path = `${base}${pathKey(key)}`;
      const def = entries[key];
      if (!isRecord(def)) {
        issues.push({ path, message: 'must be an entry object' });
        continue;
      }
      occurrences.push({
        code: keyToCode(key, mode),
        group,
        path,
        fields: normaliseDefinitionEntry(def as unknown as EntryDefinition),
      });
    }
  };
  collect(definition.entries, undefined, 'entries');
  if (definition.groups !== undefined) {
    if (!isRecord(definition.groups)) {
      issues.push({ path: 'groups', message: 'must be an object keyed by group name' });
    } else {
      for (const id of Object.keys(definition.groups)) {
        const group = definition.groups[id] as unknown;
        const path = `groups${pathKey(id)}`;
        if (!isRecord(group)) {
          issues.push({ path, message: 'must be a group object' });
          continue;
        }
        const json: GroupJson = { id };
        if (group.title !== undefined) json.title = group.title as string;
        if (group.description !== undefined) json.description = group.description as string;
        if (group.range !== undefined) json.range = group.range as [number, number];
        if (group.reserved !== undefined) {
          json.reserved = group.reserved as (number | [number, number])[];
        }
        groups.push(json);
        collect(group.entries, id, `${path}.entries`);
      }
    }
  }
  return build(
    {
      name: definition.name,
      version: definition.version,
      title: definition.title,
      description: definition.description,
      typeBase: definition.typeBase,
      closed: definition.closed,
      unlistedReserved: definition.unlistedReserved,
    },
    groups,
    occurrences,
    issues,
  );
}

interface Header {
  name: unknown;
  version: unknown;
  title: unknown;
  description: unknown;
  typeBase: unknown;
  closed: unknown;
  unlistedReserved: unknown;
}

function optionalString(value: unknown, path: string, issues: CatalogIssue[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') issues.push({ path, message: 'must be a string' });
  return typeof value === 'string' ? value : undefined;
}

function optionalBoolean(value: unknown, path: string, issues: CatalogIssue[]): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') issues.push({ path, message: 'must be true or false' });
  return value === true;
}

function isAbsoluteUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(value);
}

function checkGroups(groups: GroupJson[], issues: CatalogIssue[]): Group[] {
  const seen = new Set<string>();
  return groups.map((group) => {
    const path = `groups${pathKey(group.id)}`;
    if (seen.has(group.id)) issues.push({ path, message: 'group is defined twice' });
    seen.add(group.id);
    let range: [number, number] | undefined;
    if (group.range !== undefined) {
      const r = group.range as unknown;
      if (
        !Array.isArray(r) ||
        r.length !== 2 ||
        !r.every((n) => Number.isSafeInteger(n)) ||
        (r[0] as number) > (r[1] as number)
      ) {
        issues.push({
          path: `${path}.range`,
          message: 'must be [low, high] integers, low <= high',
        });
      } else {
        range = [r[0] as number, r[1] as number];
      }
    }
    const reserved: [number, number][] = [];
    for (const [i, item] of (Array.isArray(group.reserved) ? group.reserved : []).entries()) {
      const span = typeof item === 'number' ? [item, item] : item;
      if (
        !Array.isArray(span) ||
        span.length !== 2 ||
        !span.every((n) => Number.isSafeInteger(n)) ||
        span[0]! > span[1]!
      ) {
        issues.push({
          path: `${path}.reserved[${i}]`,
          message: 'must be an integer or [low, high]',
        });
        continue;
      }
      if (range && (span[0]! < range[0] || span[1]! > range[1])) {
        issues.push({
          path: `${path}.reserved[${i}]`,
          message: `lies outside the group's range ${range[0]}–${range[1]}`,
        });
      }
      reserved.push([span[0]!, span[1]!]);
    }
    if (group.reserved !== undefined && !Array.isArray(group.reserved)) {
      issues.push({ path: `${path}.reserved`, message: 'must be an array' });
    }
    return {
      id: group.id,
      title: typeof group.title === 'string' ? group.title : group.id,
      description: typeof group.description === 'string' ? group.description : undefined,
      range,
      reserved,
      codes: [],
    };
  });
}

function checkFields(fields: NormalisedFields, path: string, issues: CatalogIssue[]): void {
  if (typeof fields.name !== 'string' || fields.name.trim() === '') {
    issues.push({ path: `${path}.name`, message: 'must be a non-empty string' });
  }
  const success = fields.successEquivalent === true || fields.pending === true;
  if (!isHttpStatus(fields.status)) {
    issues.push({
      path: `${path}.status`,
      message: `${JSON.stringify(fields.status)} is not an HTTP status (an integer 100–599)`,
    });
  } else if (!success && fields.status < 400) {
    issues.push({
      path: `${path}.status`,
      message: `${fields.status} is not an error status (4xx or 5xx); mark the entry successEquivalent or pending to use it`,
    });
  }
  if (!RETRY_VALUES.includes(fields.retry)) {
    issues.push({ path: `${path}.retry`, message: `must be one of ${RETRY_VALUES.join(', ')}` });
  }
  if (!SIDE_EFFECT_VALUES.includes(fields.sideEffect)) {
    issues.push({
      path: `${path}.sideEffect`,
      message: `must be one of ${SIDE_EFFECT_VALUES.join(', ')}`,
    });
  }
  if (typeof fields.message !== 'string') {
    issues.push({ path: `${path}.message`, message: 'must be a string' });
  }
  for (const key of ['title', 'meaning', 'fix', 'notSuccess', 'since'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') {
      issues.push({ path: `${path}.${key}`, message: 'must be a string' });
    }
  }
  for (const key of ['successEquivalent', 'pending', 'structured'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'boolean') {
      issues.push({ path: `${path}.${key}`, message: 'must be true or false' });
    }
  }
  if (
    fields.deprecated !== undefined &&
    typeof fields.deprecated !== 'boolean' &&
    typeof fields.deprecated !== 'string'
  ) {
    issues.push({ path: `${path}.deprecated`, message: 'must be true, false or a string' });
  }
  if (
    fields.retryAfter !== undefined &&
    (typeof fields.retryAfter !== 'number' ||
      !Number.isFinite(fields.retryAfter) ||
      fields.retryAfter < 0)
  ) {
    issues.push({
      path: `${path}.retryAfter`,
      message: 'must be a non-negative number of seconds',
    });
  }
  if (fields.successEquivalent && fields.notSuccess !== undefined) {
    issues.push({
      path: `${path}.notSuccess`,
      message: 'an entry cannot be success-equivalent and never-success at once',
    });
  }
  if (
    fields.type !== undefined &&
    (typeof fields.type !== 'string' || !isAbsoluteUri(fields.type))
  ) {
    issues.push({ path: `${path}.type`, message: 'must be an absolute URI' });
  }
  const details = fields.details;
  const detailKeys = new Set<string>();
  if (details !== undefined) {
    if (!isRecord(details) || details.type !== 'object') {
      issues.push({ path: `${path}.details`, message: 'must be an object schema' });
    } else {
      for (const key of Object.keys(details.properties ?? {})) {
        detailKeys.add(key);
        if (RESERVED_DETAIL_NAMES.has(key)) {
          issues.push({
            path: `${path}.details.${key}`,
            message: `"${key}" is a wire-format member name; choose another field name`,
          });
        }
      }
    }
  }
  if (typeof fields.message === 'string') {
    for (const name of placeholders(fields.message)) {
      if (!detailKeys.has(name)) {
        issues.push({
          path: `${path}.message`,
          message: `placeholder {${name}} is not a details field`,
        });
      }
    }
  }
  if (fields.structured && detailKeys.size === 0) {
    issues.push({ path: `${path}.structured`, message: 'a structured body needs details fields' });
  }
}

/** The fields that must agree when one code is listed in several groups. */
function semantics(fields: NormalisedFields): string {
  return JSON.stringify([
    fields.name,
    fields.status,
    fields.retry,
    fields.sideEffect,
    fields.details ?? null,
    fields.successEquivalent ?? false,
    fields.structured ?? false,
  ]);
}

function build(
  header: Header,
  groupJson: GroupJson[],
  occurrences: Occurrence[],
  issues: CatalogIssue[],
): BuiltCatalog {
  const name = typeof header.name === 'string' ? header.name : '(unnamed)';
  if (typeof header.name !== 'string' || header.name.trim() === '') {
    issues.push({ path: 'name', message: 'must be a non-empty string' });
  }
  const version = optionalString(header.version, 'version', issues);
  const title = optionalString(header.title, 'title', issues);
  const description = optionalString(header.description, 'description', issues);
  const typeBase = optionalString(header.typeBase, 'typeBase', issues);
  if (typeBase !== undefined && !isAbsoluteUri(typeBase)) {
    issues.push({ path: 'typeBase', message: 'must be an absolute URI prefix' });
  }
  const closed = optionalBoolean(header.closed, 'closed', issues);
  const unlistedReserved = optionalBoolean(header.unlistedReserved, 'unlistedReserved', issues);
  const groups = checkGroups(groupJson, issues);
  const groupById = new Map(groups.map((group) => [group.id, group]));

  const merged = new Map<
    string,
    { first: Occurrence; groups: string[]; meanings: Record<string, string> }
  >();
  for (const occurrence of occurrences) {
    const { code, path, fields, group } = occurrence;
    if (typeof code === 'number' && !Number.isSafeInteger(code)) {
      issues.push({ path, message: 'a numeric code must be a safe integer' });
    }
    if (typeof code === 'string' && code.trim() === '') {
      issues.push({ path, message: 'a code must not be empty' });
    }
    checkFields(fields, path, issues);
    const range = group === undefined ? undefined : groupById.get(group);
    if (range?.range) {
      if (typeof code !== 'number') {
        issues.push({
          path,
          message: `group "${group}" has a numeric range; its codes must be numbers`,
        });
      } else if (code < range.range[0] || code > range.range[1]) {
        issues.push({
          path,
          message: `code ${code} lies outside the range ${range.range[0]}–${range.range[1]} of group "${group}"`,
        });
      } else {
        const hit = range.reserved.find(([low, high]) => code >= low && code <= high);
        if (hit) {
          issues.push({
            path,
            message: `code ${code} is inside the reserved range ${hit[0]}–${hit[1]} of group "${group}"`,
          });
        }
      }
    }
    const key = codeKey(code);
    const existing = merged.get(key);
    if (!existing) {
      const meanings: Record<string, string> = {};
      const meaning = occurrence.groupMeaning ?? fields.meaning;
      if (group !== undefined && meaning !== undefined) meanings[group] = meaning;
      merged.set(key, { first: occurrence, groups: group === undefined ? [] : [group], meanings });
      continue;
    }
    if (
      group === undefined ||
      existing.groups.includes(group) ||
      existing.first.group === undefined
    ) {
      issues.push({
        path,
        message: `duplicate code ${JSON.stringify(code)} (first defined at ${existing.first.path})`,
      });
      continue;
    }
    if (semantics(fields) !== semantics(existing.first.fields)) {
      issues.push({
        path,
        message: `code ${JSON.stringify(code)} is also in group "${existing.groups[0]}" with different semantics (name, status, retry, side effect, details and flags must agree)`,
      });
      continue;
    }
    existing.groups.push(group);
    const meaning = occurrence.groupMeaning ?? fields.meaning;
    if (meaning !== undefined) existing.meanings[group] = meaning;
  }

  const entries: Entry[] = [];
  const anchors = new Map<string, Code>();
  const types = new Map<string, Code>();
  for (const { first, groups: memberOf, meanings } of merged.values()) {
    const { code, fields } = first;
    const anchor = anchorOf(code);
    const clash = anchors.get(anchor);
    if (clash !== undefined) {
      issues.push({
        path: first.path,
        message: `docs anchor "${anchor}" is the same as that of code ${JSON.stringify(clash)}`,
      });
    }
    anchors.set(anchor, code);
    const type = fields.type ?? (typeBase === undefined ? 'about:blank' : `${typeBase}${anchor}`);
    const typeClash = types.get(type);
    if (type !== 'about:blank' && typeClash !== undefined) {
      issues.push({
        path: first.path,
        message: `type URI "${type}" is already used by code ${JSON.stringify(typeClash)}`,
      });
    }
    types.set(type, code);
    const groupMeanings: Record<string, string> = {};
    for (const [group, meaning] of Object.entries(meanings)) {
      if (meaning !== fields.meaning) groupMeanings[group] = meaning;
    }
    for (const group of memberOf) (groupById.get(group)?.codes as Code[] | undefined)?.push(code);
    entries.push(
      Object.freeze({
        code,
        name: fields.name,
        status: fields.status,
        retry: fields.retry,
        sideEffect: fields.sideEffect,
        message: fields.message,
        title: fields.title ?? fields.name,
        details: fields.details,
        meaning: fields.meaning,
        fix: fields.fix,
        type,
        ownType: fields.type !== undefined,
        anchor,
        groups: Object.freeze([...memberOf]),
        groupMeanings: Object.freeze(groupMeanings),
        successEquivalent: fields.successEquivalent === true,
        notSuccess: fields.notSuccess,
        pending: fields.pending === true,
        structured: fields.structured === true,
        retryAfter: fields.retryAfter,
        since: fields.since,
        deprecated: fields.deprecated,
      }),
    );
  }
  if (issues.length > 0) throw new CatalogDefinitionError(name, issues);
  return {
    name,
    version,
    title,
    description,
    typeBase,
    closed,
    unlistedReserved,
    entries,
    groups: groups.map((group) =>
      Object.freeze({ ...group, codes: Object.freeze([...group.codes]) }),
    ),
  };
}

// ---- JSON ------------------------------------------------------------------------------------

/** The catalog as a JSON document. */
export function catalogToJSON(catalog: Catalog): CatalogJson {
  const json: CatalogJson = {
    $schema: CATALOG_SCHEMA_ID,
    faultline: CATALOG_FORMAT_VERSION,
    name: catalog.name,
    entries: [],
  };
  if (catalog.version !== undefined) json.version = catalog.version;
  if (catalog.title !== undefined) json.title = catalog.title;
  if (catalog.description !== undefined) json.description = catalog.description;
  if (catalog.typeBase !== undefined) json.typeBase = catalog.typeBase;
  if (catalog.closed) json.closed = true;
  if (catalog.unlistedReserved) json.unlistedReserved = true;
  if (catalog.groups.length > 0) {
    json.groups = catalog.groups.map((group) => {
      const out: GroupJson = { id: group.id };
      if (group.title !== group.id) out.title = group.title;
      if (group.description !== undefined) out.description = group.description;
      if (group.range) out.range = [group.range[0], group.range[1]];
      if (group.reserved.length > 0) {
        out.reserved = group.reserved.map(([low, high]) => (low === high ? low : [low, high]));
      }
      return out;
    });
  }
  json.entries = catalog.entries.map((entry) => {
    const out: EntryJson = {
      code: entry.code,
      name: entry.name,
      status: entry.status,
      retry: entry.retry,
      sideEffect: entry.sideEffect,
      message: entry.message,
    };
    if (entry.title !== entry.name) out.title = entry.title;
    if (entry.details !== undefined) out.details = structuredClone(entry.details) as JsonSchema;
    if (entry.meaning !== undefined) out.meaning = entry.meaning;
    if (entry.fix !== undefined) out.fix = entry.fix;
    if (entry.ownType) out.type = entry.type;
    if (entry.groups.length > 0) out.groups = [...entry.groups];
    if (Object.keys(entry.groupMeanings).length > 0) out.groupMeanings = { ...entry.groupMeanings };
    if (entry.successEquivalent) out.successEquivalent = true;
    if (entry.notSuccess !== undefined) out.notSuccess = entry.notSuccess;
    if (entry.pending) out.pending = true;
    if (entry.structured) out.structured = true;
    if (entry.retryAfter !== undefined) out.retryAfter = entry.retryAfter;
    if (entry.since !== undefined) out.since = entry.since;
    if (entry.deprecated !== undefined) out.deprecated = entry.deprecated;
    return out;
  });
  return json;
}

/**
 * Loads a catalog from its JSON document (an object, or its text).
 *
 * @throws {CatalogDefinitionError} listing every structural or semantic problem.
 */
export function catalogFromJSON(document: unknown): Catalog<CatalogDefinition> {
  let json = document;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (error) {
      throw new CatalogDefinitionError('(unparsed)', [
        { path: '$', message: `is not JSON: ${(error as Error).message}` },
      ]);
    }
  }
  if (!isRecord(json)) {
    throw new CatalogDefinitionError('(unnamed)', [{ path: '$', message: 'must be an object' }]);
  }
  const issues: CatalogIssue[] = [];
  if (json.faultline !== CATALOG_FORMAT_VERSION) {
    issues.push({
      path: 'faultline',
      message: `must be ${CATALOG_FORMAT_VERSION} (the document format version)`,
    });
  }
  const groups: GroupJson[] = [];
  if (json.groups !== undefined) {
    if (!Array.isArray(json.groups)) issues.push({ path: 'groups', message: 'must be an array' });
    else {
      for (const [i, group] of json.groups.entries()) {
        if (!isRecord(group) || typeof group.id !== 'string') {
          issues.push({ path: `groups[${i}]`, message: 'must be an object with a string id' });
          continue;
        }
        groups.push(group as unknown as GroupJson);
      }
    }
  }
  const knownGroups = new Set(groups.map((group) => group.id));
  const occurrences: Occurrence[] = [];
  if (!Array.isArray(json.entries)) {
    issues.push({ path: 'entries', message: 'must be an array' });
  } else {
    for (const [i, raw] of json.entries.entries()) {
      const path = `entries[${i}]`;
      if (!isRecord(raw)) {
        issues.push({ path, message: 'must be an entry object' });
        continue;
      }
      const code = raw.code;
      if (typeof code !== 'string' && typeof code !== 'number') {
        issues.push({ path: `${path}.code`, message: 'must be a string or a number' });
        continue;
      }
      const fields: NormalisedFields = {
        name: raw.name as string,
        status: raw.status as number,
        retry: raw.retry as Retry,
        sideEffect: raw.sideEffect as SideEffect,
        message: raw.message as string,
      };
      if (raw.title !== undefined) fields.title = raw.title as string;
      if (raw.details !== undefined) fields.details = raw.details as JsonSchema;
      copyOptional(raw, fields as Record<string, unknown>);
      const memberOf = raw.groups === undefined ? [] : raw.groups;
      if (!Array.isArray(memberOf) || !memberOf.every((g) => typeof g === 'string')) {
        issues.push({ path: `${path}.groups`, message: 'must be an array of group ids' });
        continue;
      }
      const meanings = isRecord(raw.groupMeanings) ? raw.groupMeanings : {};
      if (memberOf.length === 0) {
        occurrences.push({ code, group: undefined, path, fields });
      }
      for (const group of memberOf as string[]) {
        if (!knownGroups.has(group)) {
          issues.push({
            path: `${path}.groups`,
            message: `group "${group}" is not defined in groups`,
          });
        }
        const meaning = meanings[group];
        occurrences.push(
          typeof meaning === 'string'
            ? { code, group, path, fields, groupMeaning: meaning }
            : { code, group, path, fields },
        );
      }
    }
  }
  return new Catalog(
    build(
      {
        name: json.name,
        version: json.version,
        title: json.title,
        description: json.description,
        typeBase: json.typeBase,
        closed: json.closed,
        unlistedReserved: json.unlistedReserved,
      },
      groups,
      occurrences,
      issues,
    ),
  );
}
