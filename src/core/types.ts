import type { InferFields, JsonSchema, Schema } from './schema.js';

/** A stable error code: a string such as `rate_limited` or a number such as `2003`. */
export type Code = string | number;

/**
 * Whether repeating the same request can help.
 * - `yes`: transient; the same request may succeed later.
 * - `no`: the request itself is wrong; repeating it cannot help.
 * - `after-change`: the same request will succeed once some state changes (a resource is
 *   created, a deletion completes, the caller re-reads): not retried automatically.
 */
export type Retry = 'yes' | 'no' | 'after-change';

/**
 * Whether a request that failed this way may already have taken effect.
 * - `no`: nothing happened; any retry is safe.
 * - `maybe`: it may have happened; only an idempotent retry is safe.
 * - `yes`: it happened.
 */
export type SideEffect = 'no' | 'maybe' | 'yes';

/** The fields of one catalog entry, as written by the API team. */
export interface EntryDefinition {
  /** A stable, human-friendly name such as `AggregateNotExists`. Not unique across groups. */
  readonly name: string;
  /** The HTTP status sent with this error. */
  readonly status: number;
  readonly retry: Retry;
  readonly sideEffect: SideEffect;
  /** The default message; `{field}` placeholders are filled from the details. */
  readonly message: string;
  /** Short summary (problem+json `title`); defaults to the name. */
  readonly title?: string;
  /** The typed details this error carries. */
  readonly details?: Readonly<Record<string, Schema<any>>>;
  /** What the error means, for the docs. */
  readonly meaning?: string;
  /** How a caller fixes it, for the docs. */
  readonly fix?: string;
  /** A problem type URI for this code, instead of the catalog's `typeBase` + anchor. */
  readonly type?: string;
  /** The outcome is success: the operation already landed (event store 2002). */
  readonly successEquivalent?: boolean;
  /** Why this code must never be treated as success although it looks like one (2013). */
  readonly notSuccess?: string;
  /** Accepted but not ready: poll again after `retry_after` (Discord's 202). */
  readonly pending?: boolean;
  /** The wire body is the details object alone (S2's 412 and 416 bodies). */
  readonly structured?: boolean;
  /** Default `Retry-After`, in seconds. */
  readonly retryAfter?: number;
  /** The catalog version that introduced the code. */
  readonly since?: string;
  /** `true` or what to use instead. */
  readonly deprecated?: boolean | string;
}

/** A group of entries: a service (Jan's "LLM API") or a numeric category range. */
export interface GroupDefinition {
  readonly title?: string;
  readonly description?: string;
  /** Inclusive numeric range every code of the group must fall in. */
  readonly range?: readonly [number, number];
  /** Codes (or inclusive ranges) inside the range that must not be used. */
  readonly reserved?: readonly (number | readonly [number, number])[];
  readonly entries: Readonly<Record<Code, EntryDefinition>>;
}

/** A whole catalog, as written by the API team. */
export interface CatalogDefinition {
  /** A short identifier such as `s2`. */
  readonly name: string;
  readonly version?: string;
  readonly title?: string;
  readonly description?: string;
  /** Prefix of problem type URIs, such as `https://api.example.com/docs/errors#`. */
  readonly typeBase?: string;
  /** The set of codes is closed: adding one needs a version bump. */
  readonly closed?: boolean;
  /** Unlisted values inside a group's range are reserved for future codes. */
  readonly unlistedReserved?: boolean;
  /** Whether object keys that look like integers are numeric codes (default `auto`: yes). */
  readonly codes?: 'auto' | 'string';
  /** Ungrouped entries. */
  readonly entries?: Readonly<Record<Code, EntryDefinition>>;
  readonly groups?: Readonly<Record<string, GroupDefinition>>;
}

/** A normalised catalog entry, as the runtime sees it. */
export interface Entry<C extends Code = Code> {
  readonly code: C;
  readonly name: string;
  readonly status: number;
  readonly retry: Retry;
  readonly sideEffect: SideEffect;
  readonly message: string;
  readonly title: string;
  /** JSON Schema of the details object, when the entry declares details. */
  readonly details: JsonSchema | undefined;
  readonly meaning: string | undefined;
  readonly fix: string | undefined;
  /** The resolved problem type URI. */
  readonly type: string;
  /** Whether `type` was set on the entry itself rather than derived from the catalog. */
  readonly ownType: boolean;
  /** The docs anchor of the code. */
  readonly anchor: string;
  /** The groups the code is listed in, in definition order. */
  readonly groups: readonly string[];
  /** Per-group meanings where they differ from `meaning` (one code listed in two services). */
  readonly groupMeanings: Readonly<Record<string, string>>;
  readonly successEquivalent: boolean;
  readonly notSuccess: string | undefined;
  readonly pending: boolean;
  readonly structured: boolean;
  readonly retryAfter: number | undefined;
  readonly since: string | undefined;
  readonly deprecated: boolean | string | undefined;
}

/** A normalised group. */
export interface Group {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly range: readonly [number, number] | undefined;
  readonly reserved: readonly (readonly [number, number])[];
  readonly codes: readonly Code[];
}

// ---- type-level derivation ---------------------------------------------------------------

type GroupsOf<D extends CatalogDefinition> = NonNullable<D['groups']>[keyof NonNullable<
  D['groups']
>];

type OwnEntries<D extends CatalogDefinition> = NonNullable<D['entries']>;

/**
 * The entry maps of a definition as a union: the ungrouped entries and each group's. A union
 * (not an intersection) so that one code listed in two groups with different meanings keeps
 * its type instead of collapsing to `never`.
 */
type EntryMaps<D extends CatalogDefinition> = OwnEntries<D> | GroupsOf<D>['entries'];

type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/**
 * The union of codes of a catalog definition; any {@link Code} for the wide
 * `CatalogDefinition` (a catalog loaded from JSON).
 */
export type CodesOf<D extends CatalogDefinition> = KeysOfUnion<EntryMaps<D>> & Code;

/** The entry definition(s) of code `C`: one per group that lists it. */
export type EntryOf<D extends CatalogDefinition, C> =
  EntryMaps<D> extends infer M
    ? M extends unknown
      ? C extends keyof M
        ? M[C]
        : never
      : never
    : never;

/** Every entry definition of a catalog definition, keyed by code. */
export type EntriesOf<D extends CatalogDefinition> = { [C in CodesOf<D>]: EntryOf<D, C> };

/** Details of an entry definition with no details. */
export type NoDetails = Record<string, never>;

/** The details type of an entry definition (any details for the wide `EntryDefinition`). */
export type DetailsOfEntry<E> = EntryDefinition extends E
  ? Record<string, unknown>
  : E extends {
        readonly details: infer F extends Readonly<Record<string, Schema<any>>>;
      }
    ? InferFields<F>
    : NoDetails;

/** The details type of code `C` in catalog definition `D`. */
export type DetailsOf<D extends CatalogDefinition, C extends CodesOf<D>> = DetailsOfEntry<
  EntryOf<D, C>
>;
