/** The part of a `pg` Pool or Client used here. */
export interface PgQueryable {
  query(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: any[]; rowCount: number | null }>;
}

/** A `pg` Pool: a queryable that also lends clients for transactions. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgPoolClientLike>;
}

/** A client lent by a `pg` Pool. */
export interface PgPoolClientLike extends PgQueryable {
  release(error?: Error | boolean): void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/**
 * Quotes a possibly schema-qualified table name (`faultline_limits`, `app.faultline_limits`).
 * @throws {TypeError} for anything but plain identifiers: names end up in SQL text.
 */
export function quoteName(name: string): string {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => NAME.test(part))) {
    throw new TypeError(
      `Invalid table name ${JSON.stringify(name)}: use letters, digits and _, optionally schema.table`,
    );
  }
  return parts.map((part) => `"${part}"`).join('.');
}

/** A name derived from a table name, such as the `_gcra` function of a limits table. */
export function derivedName(table: string, suffix: string): string {
  const parts = table.split('.');
  parts[parts.length - 1] = `${parts[parts.length - 1]}${suffix}`;
  return quoteName(parts.join('.'));
}

/** A stable 31-bit number for `pg_advisory_xact_lock`, so concurrent setups take turns. */
export function lockId(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash & 0x7fffffff;
}

/**
 * Runs DDL once per store, in one transaction under an advisory lock (several processes
 * starting together would otherwise race on `CREATE OR REPLACE FUNCTION`).
 */
export class SchemaSetup {
  #done: Promise<void> | undefined;
  readonly #db: PgQueryable;
  readonly #sql: string;
  readonly #lock: number;

  constructor(db: PgQueryable, sql: string) {
    this.#db = db;
    this.#sql = sql;
    this.#lock = lockId(sql);
  }

  /** Creates the objects (once; later calls share the first run unless it failed). */
  run(): Promise<void> {
    // One simple-protocol query with several statements runs as one implicit transaction,
    // rolled back whole on error, whichever pooled connection it lands on.
    this.#done ??= this.#db.query(`SELECT pg_advisory_xact_lock(${this.#lock}); ${this.#sql}`).then(
      () => undefined,
      (error: unknown) => {
        this.#done = undefined;
        throw error;
      },
    );
    return this.#done;
  }
}
