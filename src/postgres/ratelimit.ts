import { checkCost, normalizePolicy } from '../ratelimit/gcra.js';
import type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitResult,
  RateLimitStore,
} from '../ratelimit/types.js';
import { derivedName, type PgQueryable, quoteName, SchemaSetup } from './sql.js';

/** Options of {@link PostgresRateLimitStore}. */
export interface PostgresRateLimitStoreOptions {
  /** A `pg` Pool (or Client); the store never ends it. */
  readonly pool: PgQueryable;
  /** The table (default `faultline_rate_limits`), optionally `schema.table`. */
  readonly table?: string;
  /**
   * Create the table and function on first use (default `true`). Turn off when migrations
   * own the schema; {@link PostgresRateLimitStore.schemaSql} gives the statements.
   */
  readonly autoSetup?: boolean;
  /**
   * An `UNLOGGED` table (default `true`): faster writes, emptied after a crash of the
   * database, which only forgets how much of their quota clients had used.
   */
  readonly unlogged?: boolean;
}

/** The DDL of the rate-limit table and its GCRA function. */
export function rateLimitSchemaSql(table = 'faultline_rate_limits', unlogged = true): string {
  const t = quoteName(table);
  const fn = derivedName(table, '_gcra');
  return `
CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${t} (
  key text PRIMARY KEY,
  tat double precision NOT NULL
);
CREATE OR REPLACE FUNCTION ${fn}(
  p_keys text[], p_intervals float8[], p_tolerances float8[], p_bursts float8[],
  p_cost float8, p_refund boolean
) RETURNS TABLE (ok boolean, remaining integer, reset_ms float8, retry_ms float8)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_n integer := coalesce(array_length(p_keys, 1), 0);
  v_now float8;
  v_all boolean := true;
  v_base float8[];
  v_next float8[];
  v_ok boolean[];
  v_stored float8;
  v_tat float8;
  i integer;
BEGIN
  IF v_n = 0 THEN RETURN; END IF;
  v_base := array_fill(0::float8, ARRAY[v_n]);
  v_next := array_fill(0::float8, ARRAY[v_n]);
  v_ok := array_fill(true, ARRAY[v_n]);
  -- Lock every row of the decision in key order, so decisions over shared keys never deadlock.
  INSERT INTO ${t} (key, tat) SELECT DISTINCT k, 0 FROM unnest(p_keys) AS k ORDER BY 1
    ON CONFLICT (key) DO NOTHING;
  PERFORM 1 FROM ${t} WHERE key = ANY (p_keys) ORDER BY key FOR UPDATE;
  v_now := extract(epoch FROM clock_timestamp()) * 1000;
  FOR i IN 1..v_n LOOP
    SELECT r.tat INTO v_stored FROM ${t} AS r WHERE r.key = p_keys[i];
    v_base[i] := greatest(coalesce(v_stored, 0), v_now);
    IF p_refund THEN
      v_next[i] := greatest(v_now, v_base[i] - p_cost * p_intervals[i]);
    ELSE
      v_next[i] := v_base[i] + p_cost * p_intervals[i];
      v_ok[i] := v_next[i] - p_tolerances[i] <= v_now + 1e-6;
      IF NOT v_ok[i] THEN v_all := false; END IF;
    END IF;
  END LOOP;
  FOR i IN 1..v_n LOOP
    retry_ms := 0;
    IF p_refund OR v_all THEN
      v_tat := v_next[i];
      IF (p_refund AND v_base[i] > v_now) OR (NOT p_refund AND p_cost > 0) THEN
        -- An upsert, not an UPDATE: a concurrent sweep may have removed the expired row.
        INSERT INTO ${t} (key, tat) VALUES (p_keys[i], v_tat)
          ON CONFLICT (key) DO UPDATE SET tat = EXCLUDED.tat;
      END IF;
    ELSE
      v_tat := v_base[i];
      IF NOT v_ok[i] THEN
        retry_ms := CASE WHEN p_cost > p_bursts[i] THEN -1
                         ELSE v_next[i] - p_tolerances[i] - v_now END;
      END IF;
    END IF;
    ok := v_ok[i];
    remaining := least(p_bursts[i], greatest(0,
      floor((p_tolerances[i] - (v_tat - v_now)) / p_intervals[i] + 1e-6)))::integer;
    reset_ms := v_tat - v_now;
    RETURN NEXT;
  END LOOP;
END
$fn$`;
}

/**
 * The PostgreSQL rate-limit store: one statement per decision (a PL/pgSQL function running
 * GCRA under row locks, on the database's `clock_timestamp()`).
 *
 * Expired rows are harmless (an expired TAT reads as a full bucket); call
 * {@link PostgresRateLimitStore.sweep} now and then to reclaim their space.
 *
 * @example
 * ```ts
 * const store = new PostgresRateLimitStore({ pool: new pg.Pool({ connectionString }) });
 * ```
 */
export class PostgresRateLimitStore implements RateLimitStore {
  readonly #db: PgQueryable;
  readonly #table: string;
  readonly #call: string;
  readonly #setup: SchemaSetup;
  readonly #autoSetup: boolean;
  readonly #schema: string;

  constructor(options: PostgresRateLimitStoreOptions) {
    const table = options.table ?? 'faultline_rate_limits';
    this.#db = options.pool;
    this.#table = quoteName(table);
    this.#call = `SELECT ok, remaining, reset_ms, retry_ms FROM ${derivedName(table, '_gcra')}($1, $2, $3, $4, $5, $6)`;
    this.#schema = rateLimitSchemaSql(table, options.unlogged ?? true);
    this.#setup = new SchemaSetup(this.#db, this.#schema);
    this.#autoSetup = options.autoSetup ?? true;
  }

  /** The SQL that creates the table and function, for migrations. */
  get schemaSql(): string {
    return this.#schema;
  }

  /** Creates the table and function if they do not exist yet. */
  setup(): Promise<void> {
    return this.#setup.run();
  }

  consume(checks: readonly RateLimitCheck[], cost = 1): Promise<RateLimitDecision> {
    return this.#run(checks, cost, false);
  }

  refund(checks: readonly RateLimitCheck[], cost = 1): Promise<RateLimitDecision> {
    return this.#run(checks, cost, true);
  }

  /** Deletes rows whose bucket is full again; resolves with how many. */
  async sweep(): Promise<number> {
    if (this.#autoSetup) await this.#setup.run();
    const result = await this.#db.query(
      `DELETE FROM ${this.#table} WHERE tat < extract(epoch FROM clock_timestamp()) * 1000`,
    );
    return result.rowCount ?? 0;
  }

  async #run(
    checks: readonly RateLimitCheck[],
    cost: number,
    refund: boolean,
  ): Promise<RateLimitDecision> {
    checkCost(cost);
    if (checks.length === 0) return { allowed: true, results: [] };
    const keys: string[] = [];
    const intervals: number[] = [];
    const tolerances: number[] = [];
    const bursts: number[] = [];
    const limits: number[] = [];
    for (const check of checks) {
      const policy = normalizePolicy(check.policy);
      keys.push(`${policy.id}|${check.key}`);
      intervals.push(policy.intervalMs);
      tolerances.push(policy.toleranceMs);
      bursts.push(policy.burst);
      limits.push(policy.limit);
    }
    if (this.#autoSetup) await this.#setup.run();
    const { rows } = await this.#db.query(this.#call, [
      keys,
      intervals,
      tolerances,
      bursts,
      cost,
      refund,
    ]);
    if (rows.length !== checks.length) {
      throw new TypeError('Unexpected reply from the rate-limit function');
    }
    const results: RateLimitResult[] = rows.map((row, i) => {
      const retry = Number(row.retry_ms);
      return {
        allowed: row.ok === true,
        limit: limits[i]!,
        remaining: Number(row.remaining),
        resetMs: Number(row.reset_ms),
        retryAfterMs: retry < 0 ? Number.POSITIVE_INFINITY : retry,
      };
    });
    return { allowed: results.every((result) => result.allowed), results };
  }
}
