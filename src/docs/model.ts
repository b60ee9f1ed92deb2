import type { Catalog } from '../core/catalog.js';
import { reasonPhrase } from '../core/http.js';
import type { JsonSchema } from '../core/schema.js';
import type { Code, Entry, Retry, SideEffect } from '../core/types.js';
import { type ExampleResponse, exampleResponse, type WireFormatId } from './examples.js';
import { boundedSchema, detailFields, type FieldDoc } from './sample.js';

/** Rate-limit policy of the API, as the server enforces it, for the docs. */
export interface RateLimitPolicyDoc {
  /** Short name of the policy, such as `burst` or `per-day`. */
  readonly name?: string;
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowSeconds: number;
  /** What the limit is counted per: `api-key`, `ip`, or free text. */
  readonly key?: string;
}

/** Rate-limit and idempotency policies, supplied by the server configuration. */
export interface DocsPolicies {
  readonly rateLimit?: {
    readonly policies?: readonly RateLimitPolicyDoc[];
    /** Which headers carry the limit: the IETF `RateLimit` fields, legacy `X-RateLimit-*`, or both. */
    readonly headers?: 'ietf' | 'legacy' | 'both';
    /** What happens when the limiter's store is down. */
    readonly onStoreFailure?: 'open' | 'closed' | 'local';
    readonly description?: string;
  };
  readonly idempotency?: {
    /** How long a completed request is kept for replay. */
    readonly retentionSeconds: number;
    /** How long a claimed key is held while its request runs. */
    readonly leaseSeconds: number;
    /** Header name; `Idempotency-Key` when absent. */
    readonly header?: string;
    /** Whether non-idempotent requests must carry a key. */
    readonly required?: boolean;
  };
}

/** Options for the error reference (Markdown, HTML and JSON). */
export interface DocsOptions {
  /** Wire format of the example bodies; `problem` (RFC 9457) when absent. */
  readonly format?: WireFormatId;
  /** Rate-limit and idempotency policies to document. */
  readonly policies?: DocsPolicies;
  /** Page title; the catalog's title or name when absent. */
  readonly title?: string;
  /** Name of the request id header, for the body shape section; `X-Request-Id` when absent. */
  readonly requestIdHeader?: string;
}

/** One row of a code table. */
export interface DocsRow {
  readonly code: Code;
  readonly anchor: string;
  readonly name: string;
  readonly status: number;
  readonly retry: Retry;
  readonly retryable: string;
  readonly sideEffect: SideEffect;
  readonly sideEffectLabel: string;
  readonly meaning: string;
  /** Whether this row carries the code's anchor (a code listed in two groups has one). */
  readonly primary: boolean;
  /** Whether the code has a section of its own below the tables. */
  readonly hasSection: boolean;
}

/** One code table: a group, a category range, or the ungrouped codes. */
export interface DocsTable {
  /** The group id, or `""` for ungrouped codes. */
  readonly id: string;
  readonly anchor: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly range: readonly [number, number] | undefined;
  readonly reserved: readonly (readonly [number, number])[];
  readonly rows: readonly DocsRow[];
}

/** Everything the reference says about one code. */
export interface DocsEntry {
  readonly code: Code;
  readonly anchor: string;
  readonly name: string;
  readonly title: string;
  readonly status: number;
  readonly statusText: string;
  readonly retry: Retry;
  readonly retryable: string;
  readonly sideEffect: SideEffect;
  readonly sideEffectLabel: string;
  readonly message: string;
  readonly meaning: string | undefined;
  readonly groupMeanings: Readonly<Record<string, string>>;
  readonly fix: string | undefined;
  readonly type: string;
  readonly groups: readonly string[];
  readonly details: JsonSchema | undefined;
  readonly fields: readonly FieldDoc[];
  readonly successEquivalent: boolean;
  readonly notSuccess: string | undefined;
  readonly pending: boolean;
  readonly structured: boolean;
  readonly retryAfter: number | undefined;
  readonly since: string | undefined;
  readonly deprecated: boolean | string | undefined;
  readonly example: ExampleResponse;
  /** Whether the entry earns a section of its own (details, flags, a fix or a deprecation). */
  readonly hasSection: boolean;
}

/** One piece of retry guidance and the codes it covers. */
export interface GuidanceItem {
  readonly id:
    | 'retry'
    | 'retry-idempotent'
    | 'after-change'
    | 'no-retry'
    | 'success'
    | 'not-success'
    | 'pending';
  readonly title: string;
  readonly text: string;
  readonly codes: readonly { readonly code: Code; readonly anchor: string }[];
}

/** The data behind the error reference, the same for Markdown, HTML and JSON output. */
export interface DocsModel {
  readonly name: string;
  readonly title: string;
  readonly version: string | undefined;
  readonly description: string | undefined;
  readonly closed: boolean;
  readonly unlistedReserved: boolean;
  readonly typeBase: string | undefined;
  readonly format: WireFormatId;
  readonly codeKind: 'string' | 'number' | 'mixed';
  readonly tables: readonly DocsTable[];
  readonly entries: readonly DocsEntry[];
  readonly bodyShape: ExampleResponse;
  readonly guidance: readonly GuidanceItem[];
  readonly statusFallback: string;
  readonly policies: DocsPolicies | undefined;
  readonly requestIdHeader: string;
}

/** How `retry` reads in a table: `after-change` is not retryable as such. */
export function retryLabel(retry: Retry): string {
  return retry === 'yes' ? 'Yes' : retry === 'no' ? 'No' : 'No (after change)';
}

/** How `sideEffect` reads in a table. */
export function sideEffectLabel(sideEffect: SideEffect): string {
  return sideEffect === 'yes' ? 'Yes' : sideEffect === 'maybe' ? 'Maybe' : 'No';
}

/** The slug of a group heading, prefixed and made unique so it cannot clash with an anchor. */
function groupAnchor(id: string, taken: Set<string>): string {
  let anchor = `group-${id.replace(/[^A-Za-z0-9_.-]+/g, '-').toLowerCase()}`;
  while (taken.has(anchor)) anchor = `${anchor}-group`;
  taken.add(anchor);
  return anchor;
}

function hasSection(entry: Entry): boolean {
  return (
    entry.details !== undefined ||
    entry.structured ||
    entry.successEquivalent ||
    entry.notSuccess !== undefined ||
    entry.pending ||
    entry.fix !== undefined ||
    entry.deprecated !== undefined
  );
}

function row(entry: Entry, meaning: string | undefined, primary: boolean): DocsRow {
  return {
    code: entry.code,
    anchor: entry.anchor,
    name: entry.name,
    status: entry.status,
    retry: entry.retry,
    retryable: retryLabel(entry.retry),
    sideEffect: entry.sideEffect,
    sideEffectLabel: sideEffectLabel(entry.sideEffect),
    meaning: meaning ?? '',
    primary,
    hasSection: hasSection(entry),
  };
}

/**
 * Builds the data of the error reference from a catalog: tables per group (or category
 * range), a section per code, the standard body shape and retry guidance.
 */
export function buildDocsModel(catalog: Catalog<any>, options: DocsOptions = {}): DocsModel {
  const format = options.format ?? 'problem';
  const entries = catalog.entries as readonly Entry[];
  const anchored = new Set<string>();
  const taken = new Set(entries.map((entry) => entry.anchor));
  const tables: DocsTable[] = [];
  const ungrouped = entries.filter((entry) => entry.groups.length === 0);
  if (ungrouped.length > 0 || catalog.groups.length === 0) {
    tables.push({
      id: '',
      anchor: groupAnchor('general', taken),
      title: catalog.groups.length === 0 ? 'Error codes' : 'General errors',
      description: undefined,
      range: undefined,
      reserved: [],
      rows: ungrouped.map((entry) => {
        anchored.add(entry.anchor);
        return row(entry, entry.meaning, true);
      }),
    });
  }
  const byCode = new Map(entries.map((entry) => [`${typeof entry.code}:${entry.code}`, entry]));
  for (const group of catalog.groups) {
    const rows: DocsRow[] = [];
    for (const code of group.codes) {
      const entry = byCode.get(`${typeof code}:${code}`);
      if (!entry) continue;
      const primary = !anchored.has(entry.anchor);
      anchored.add(entry.anchor);
      rows.push(row(entry, entry.groupMeanings[group.id] ?? entry.meaning, primary));
    }
    tables.push({
      id: group.id,
      anchor: groupAnchor(group.id, taken),
      title: group.title,
      description: group.description,
      range: group.range,
      reserved: group.reserved,
      rows,
    });
  }

  const docsEntries: DocsEntry[] = entries.map((entry) => ({
    code: entry.code,
    anchor: entry.anchor,
    name: entry.name,
    title: entry.title,
    status: entry.status,
    statusText: reasonPhrase(entry.status),
    retry: entry.retry,
    retryable: retryLabel(entry.retry),
    sideEffect: entry.sideEffect,
    sideEffectLabel: sideEffectLabel(entry.sideEffect),
    message: entry.message,
    meaning: entry.meaning,
    groupMeanings: entry.groupMeanings,
    fix: entry.fix,
    type: entry.type,
    groups: entry.groups,
    details: entry.details === undefined ? undefined : boundedSchema(entry.details),
    fields: detailFields(entry.details),
    successEquivalent: entry.successEquivalent,
    notSuccess: entry.notSuccess,
    pending: entry.pending,
    structured: entry.structured,
    retryAfter: entry.retryAfter,
    since: entry.since,
    deprecated: entry.deprecated,
    example: exampleResponse(catalog, entry, format),
    hasSection: hasSection(entry),
  }));

  const kinds = new Set(entries.map((entry) => typeof entry.code));
  const plain =
    entries.find((e) => !e.structured && !e.successEquivalent && !e.pending && !e.details) ??
    entries.find((e) => !e.structured) ??
    entries[0];
  return {
    name: catalog.name,
    title: options.title ?? catalog.title ?? catalog.name,
    version: catalog.version,
    description: catalog.description,
    closed: catalog.closed,
    unlistedReserved: catalog.unlistedReserved,
    typeBase: catalog.typeBase,
    format,
    codeKind: kinds.size > 1 ? 'mixed' : kinds.has('number') ? 'number' : 'string',
    tables,
    entries: docsEntries,
    bodyShape: plain
      ? exampleResponse(catalog, plain, format)
      : { status: 500, headers: {}, body: '' },
    guidance: guidance(entries),
    statusFallback:
      'A code missing from this reference (an older or newer server) is handled by its HTTP status: 408, 429, 500, 502, 503, 504, 507 and 521–524 may be retried with backoff; 501 and every other status may not.',
    policies: options.policies,
    requestIdHeader: options.requestIdHeader ?? 'X-Request-Id',
  };
}

function guidance(entries: readonly Entry[]): GuidanceItem[] {
  const pick = (test: (entry: Entry) => boolean) =>
    entries.filter(test).map((entry) => ({ code: entry.code, anchor: entry.anchor }));
  const items: GuidanceItem[] = [
    {
      id: 'retry',
      title: 'Retry with backoff',
      text: 'Transient, and nothing took effect: repeat the same request after a delay, with exponential backoff and full jitter. A server hint (`Retry-After`, `RateLimit`, a `retry_after` member) wins over the computed delay.',
      codes: pick((e) => e.retry === 'yes' && e.sideEffect === 'no' && !e.pending),
    },
    {
      id: 'retry-idempotent',
      title: 'Retry only when a repeat is safe',
      text: 'Transient, but the request may already have taken effect. Retry only an idempotent method (GET, PUT, DELETE) or a request that carries an `Idempotency-Key` (the same key on every attempt); otherwise check the state before repeating.',
      codes: pick((e) => e.retry === 'yes' && e.sideEffect !== 'no' && !e.pending),
    },
    {
      id: 'after-change',
      title: 'Retry after a change',
      text: 'The same request succeeds once some state changes (a resource is created, a deletion ends, the caller re-reads). Not retried automatically: make the change, then send the request again.',
      codes: pick((e) => e.retry === 'after-change'),
    },
    {
      id: 'no-retry',
      title: 'Do not retry',
      text: 'The request itself is wrong or not allowed; repeating it cannot help. Fix the request first.',
      codes: pick((e) => e.retry === 'no' && !e.successEquivalent),
    },
    {
      id: 'success',
      title: 'Treat as success',
      text: 'The operation already landed (typically an earlier attempt of the same request). Handle the answer as a success.',
      codes: pick((e) => e.successEquivalent),
    },
    {
      id: 'not-success',
      title: 'Never treat as success',
      text: 'These look like success but are not: the outcome is not yet durable.',
      codes: pick((e) => e.notSuccess !== undefined),
    },
    {
      id: 'pending',
      title: 'Accepted, not ready',
      text: 'The request was accepted but the result is not ready: poll again after `retry_after`.',
      codes: pick((e) => e.pending),
    },
  ];
  return items.filter((item) => item.codes.length > 0);
}
