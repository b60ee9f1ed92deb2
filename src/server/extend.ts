import {
  type Catalog,
  type CatalogJson,
  catalogFromJSON,
  defineCatalog,
  type EntryJson,
} from '../core/catalog.js';
import type {
  CatalogDefinition,
  Code,
  CodesOf,
  EntryDefinition,
  EntryOf,
  GroupDefinition,
} from '../core/types.js';

type OwnEntries<D extends CatalogDefinition> =
  D['entries'] extends Readonly<Record<Code, EntryDefinition>> ? D['entries'] : unknown;

type Inherited<B extends CatalogDefinition, D extends CatalogDefinition> = {
  readonly [C in Exclude<CodesOf<B>, CodesOf<D>>]: EntryOf<B, C>;
};

type Merged<B extends CatalogDefinition, D extends CatalogDefinition> = {
  readonly name: string;
  readonly entries: Inherited<B, D> & OwnEntries<D>;
} & (D['groups'] extends Readonly<Record<string, GroupDefinition>>
  ? { readonly groups: D['groups'] }
  : unknown);

/**
 * The definition type of `D` extended with the entries of `B` that `D` does not override:
 * every code of both is known to `create`, `is` and `CatalogError`, with its details.
 */
export type Extended<B extends CatalogDefinition, D extends CatalogDefinition> =
  Merged<B, D> extends CatalogDefinition ? Merged<B, D> : never;

function codeKey(code: Code): string {
  return `${typeof code}:${code}`;
}

/**
 * A catalog holding every entry of `definition` and every entry of `base` that `definition`
 * does not override (same code). The new catalog takes its name, version and `typeBase` from
 * `definition`; base entries are re-rooted under that `typeBase` (or keep their own type URIs
 * when it has none), so the team's docs list them too.
 *
 * @example
 * ```ts
 * const api = extendCatalog(baseCatalog, {
 *   name: 'orders',
 *   entries: {
 *     not_found: { name: 'OrderNotFound', status: 404, retry: 'no', sideEffect: 'no', message: 'No such order' },
 *     out_of_stock: { name: 'OutOfStock', status: 409, retry: 'after-change', sideEffect: 'no', message: 'Sold out' },
 *   },
 * });
 * api.create('rate_limited'); // from the base catalog
 * ```
 * @throws {CatalogDefinitionError} when `definition` is invalid or the merge is (for example
 *   a team code whose docs anchor collides with a base code's).
 */
export function extendCatalog<B extends CatalogDefinition, const D extends CatalogDefinition>(
  base: Catalog<B>,
  definition: D,
): Catalog<Extended<B, D>> {
  const team = defineCatalog(definition).toJSON();
  const own = new Set(team.entries.map((entry) => codeKey(entry.code)));
  const baseJson = base.toJSON();
  const inherited: EntryJson[] = [];
  for (const [i, entry] of base.entries.entries()) {
    if (own.has(codeKey(entry.code))) continue;
    const json = baseJson.entries[i]!;
    if (team.typeBase === undefined && json.type === undefined && entry.type !== 'about:blank') {
      json.type = entry.type;
    }
    inherited.push(json);
  }
  const groupIds = new Set((team.groups ?? []).map((group) => group.id));
  const groups = [
    ...(team.groups ?? []),
    ...(baseJson.groups ?? []).filter((group) => !groupIds.has(group.id)),
  ];
  const merged: CatalogJson = { ...team, entries: [...team.entries, ...inherited] };
  if (groups.length > 0) merged.groups = groups;
  return catalogFromJSON(merged) as unknown as Catalog<Extended<B, D>>;
}
