import {
  type ClaimResult,
  checkClaim,
  type Lease,
  newToken,
  type StoredResponse,
  type TransactionalIdempotencyStore,
} from '../idempotency/types.js';
import {
  derivedName,
  type PgPoolClientLike,
  type PgPoolLike,
  type PgQueryable,
  quoteName,
  SchemaSetup,
} from './sql.js';

/** Options of {@link PostgresIdempotencyStore}. */
export interface PostgresIdempotencyStoreOptions {
  /**
   * A `pg` Pool; the store never ends it. Transactional mode borrows clients from it with
   * `connect()`.
   */
  readonly pool: PgQueryable | PgPoolLike;
  /** The table (default `faultline_idempotency`), optionally `schema.table`. */
  readonly table?: string;
  /** Create the table and functions on first use (default `true`). */
  readonly autoSetup?: boolean;
}

/** The DDL of the idempotency table and its claim and completion functions. */
export function idempotencySchemaSql(table = 'faultline_idempotency'): string {
  const t = quoteName(table);
  const claim = derivedName(table, '_claim');
  const complete = derivedName(table, '_complete');
  const index = derivedName(table, '_expires').split('.').pop();
  return `
CREATE TABLE IF NOT EXISTS ${t} (
  scope_key text PRIMARY KEY,
  token text NOT NULL,
  fingerprint text NOT NULL,
  completed boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL,
  status integer,
  headers jsonb,
  body bytea
);
CREATE INDEX IF NOT EXISTS ${index} ON ${t} (expires_at);
CREATE OR REPLACE FUNCTION ${claim}(p_key text, p_token text, p_fp text, p_lease_ms float8)
RETURNS TABLE (outcome text, status integer, headers jsonb, body bytea)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_now timestamptz := clock_timestamp();
  v_row record;
BEGIN
  FOR attempt IN 1..2 LOOP
    -- A live record answers without taking a lock, so a burst of duplicates never queues on
    -- the row; each statement takes a fresh snapshot and sees rows committed since.
    SELECT x.fingerprint, x.completed, x.status, x.headers, x.body INTO v_row
      FROM ${t} AS x WHERE x.scope_key = p_key AND x.expires_at > v_now;
    IF FOUND THEN
      IF v_row.fingerprint <> p_fp THEN
        outcome := 'mismatch';
      ELSIF v_row.completed THEN
        outcome := 'completed';
        status := v_row.status;
        headers := v_row.headers;
        body := v_row.body;
      ELSE
        outcome := 'in-flight';
      END IF;
      RETURN NEXT;
      RETURN;
    END IF;
    -- The claim: a new row, or the takeover of an expired one (a crashed request's lease, an
    -- old completed record). A live row committed meanwhile is left alone.
    INSERT INTO ${t} AS x (scope_key, token, fingerprint, completed, expires_at)
      VALUES (p_key, p_token, p_fp, false, v_now + p_lease_ms * interval '1 millisecond')
    ON CONFLICT (scope_key) DO UPDATE
      SET token = EXCLUDED.token, fingerprint = EXCLUDED.fingerprint, completed = false,
          expires_at = EXCLUDED.expires_at, status = NULL, headers = NULL, body = NULL
      WHERE x.expires_at <= v_now;
    IF FOUND THEN
      outcome := 'claimed';
      RETURN NEXT;
      RETURN;
    END IF;
    -- Lost the race to a claim committed after the first look: look again.
  END LOOP;
  outcome := 'in-flight';
  RETURN NEXT;
END
$fn$;
CREATE OR REPLACE FUNCTION ${complete}(
  p_key text, p_token text, p_fp text, p_retention_ms float8,
  p_status integer, p_headers jsonb, p_body bytea
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_now timestamptz := clock_timestamp();
BEGIN
  -- Fenced: this token's lease, or a row that expired or vanished; never another writer's
  -- live lease or completed record.
  INSERT INTO ${t} AS x (scope_key, token, fingerprint, completed, expires_at, status, headers, body)
    VALUES (p_key, p_token, p_fp, true, v_now + p_retention_ms * interval '1 millisecond',
            p_status, p_headers, p_body)
  ON CONFLICT (scope_key) DO UPDATE
    SET token = EXCLUDED.token, fingerprint = EXCLUDED.fingerprint, completed = true,
        expires_at = EXCLUDED.expires_at, status = EXCLUDED.status,
        headers = EXCLUDED.headers, body = EXCLUDED.body
    WHERE (x.token = p_token AND NOT x.completed) OR x.expires_at <= v_now;
  RETURN FOUND;
END
$fn$`;
}

/**
 * The PostgreSQL idempotency store: one statement per claim, completion or release. It is
 * transactional: {@link PostgresIdempotencyStore.runInTransaction} completes the lease in the
 * handler's own transaction, so the effect and the record commit together or not at all.
 *
 * @example
 * ```ts
 * const store = new PostgresIdempotencyStore({ pool });
 * app.use(idempotency({ store, transactional: true }));
 * ```
 */
export class PostgresIdempotencyStore implements TransactionalIdempotencyStore<PgPoolClientLike> {
  readonly #db: PgQueryable | PgPoolLike;
  readonly #table: string;
  readonly #claimSql: string;
  readonly #completeSql: string;
  readonly #schema: string;
  readonly #setup: SchemaSetup;
  readonly #autoSetup: boolean;

  constructor(options: PostgresIdempotencyStoreOptions) {
    const table = options.table ?? 'faultline_idempotency';
    this.#db = options.pool;
    this.#table = quoteName(table);
    this.#claimSql = `SELECT outcome, status, headers, body FROM ${derivedName(table, '_claim')}($1, $2, $3, $4)`;
    this.#completeSql = `SELECT ${derivedName(table, '_complete')}($1, $2, $3, $4, $5, $6, $7) AS ok`;
    this.#schema = idempotencySchemaSql(table);
    this.#setup = new SchemaSetup(this.#db, this.#schema);
    this.#autoSetup = options.autoSetup ?? true;
  }

  /** The SQL that creates the table and functions, for migrations. */
  get schemaSql(): string {
    return this.#schema;
  }

  /** Creates the table and functions if they do not exist yet. */
  setup(): Promise<void> {
    return this.#setup.run();
  }

  async claim(
    scopeKey: string,
    fingerprint: string,
    leaseMs: number,
    retentionMs: number,
  ): Promise<ClaimResult> {
    checkClaim(scopeKey, fingerprint, leaseMs, retentionMs);
    if (this.#autoSetup) await this.#setup.run();
    const token = newToken();
    const { rows } = await this.#db.query(this.#claimSql, [scopeKey, token, fingerprint, leaseMs]);
    const row = rows[0];
    switch (row?.outcome) {
      case 'claimed':
        return { kind: 'claimed', lease: { scopeKey, token, fingerprint, leaseMs, retentionMs } };
      case 'in-flight':
        return { kind: 'in-flight' };
      case 'mismatch':
        return { kind: 'mismatch' };
      case 'completed':
        return {
          kind: 'completed',
          response: {
            status: Number(row.status),
            headers: row.headers as [string, string][],
            body: new Uint8Array(row.body as Uint8Array),
          },
        };
      default:
        throw new TypeError('Unexpected reply from the claim function');
    }
  }

  complete(lease: Lease, response: StoredResponse): Promise<boolean> {
    return this.#completeWith(this.#db, lease, response);
  }

  async release(lease: Lease): Promise<boolean> {
    if (this.#autoSetup) await this.#setup.run();
    const result = await this.#db.query(
      `DELETE FROM ${this.#table} WHERE scope_key = $1 AND token = $2 AND NOT completed`,
      [lease.scopeKey, lease.token],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Runs `work` in a transaction on a client of the pool, completes the lease in that same
   * transaction, and commits. A thrown error rolls everything back and is rethrown; a lease
   * lost to another writer rolls back too (`committed: false`).
   *
   * @throws {TypeError} when the store was given a single client rather than a pool.
   */
  async runInTransaction(
    lease: Lease,
    work: (transaction: PgPoolClientLike) => Promise<StoredResponse>,
  ): Promise<{ committed: boolean; response: StoredResponse }> {
    const pool = this.#db as Partial<PgPoolLike>;
    if (typeof pool.connect !== 'function') {
      throw new TypeError('Transactional idempotency needs a pg Pool (with connect())');
    }
    if (this.#autoSetup) await this.#setup.run();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      let response: StoredResponse;
      try {
        response = await work(client);
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      const committed = await this.#completeWith(client, lease, response);
      await client.query(committed ? 'COMMIT' : 'ROLLBACK');
      return { committed, response };
    } catch (error) {
      // A client whose transaction state is unknown must not go back to the pool.
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').then(
        () => {
          broken = undefined;
        },
        () => undefined,
      );
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Deletes expired records (finished leases and records past their retention). */
  async sweep(): Promise<number> {
    if (this.#autoSetup) await this.#setup.run();
    const result = await this.#db.query(
      `DELETE FROM ${this.#table} WHERE expires_at <= clock_timestamp()`,
    );
    return result.rowCount ?? 0;
  }

  async #completeWith(db: PgQueryable, lease: Lease, response: StoredResponse): Promise<boolean> {
    if (this.#autoSetup) await this.#setup.run();
    const { rows } = await db.query(this.#completeSql, [
      lease.scopeKey,
      lease.token,
      lease.fingerprint,
      lease.retentionMs,
      response.status,
      JSON.stringify(response.headers),
      Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength),
    ]);
    return rows[0]?.ok === true;
  }
}
