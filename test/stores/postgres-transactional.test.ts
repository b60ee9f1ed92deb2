import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotency, idempotencyTransaction } from '../../src/idempotency/middleware.js';
import { PostgresIdempotencyStore } from '../../src/postgres/idempotency.js';
import type { PgPoolClientLike } from '../../src/postgres/sql.js';
import { connectPostgres, dropPostgresTables, sleep, uniqueId } from './services.js';

describe('transactional idempotency on PostgreSQL', () => {
  let pool: pg.Pool;
  let store: PostgresIdempotencyStore;
  const table = uniqueId('fl_tx');
  const orders = uniqueId('fl_orders');

  beforeAll(async () => {
    pool = await connectPostgres();
    store = new PostgresIdempotencyStore({ pool, table });
    await pool.query(`CREATE TABLE "${orders}" (id serial PRIMARY KEY, sku text NOT NULL)`);
  });
  afterAll(async () => {
    if (!pool) return;
    await dropPostgresTables(pool, table, orders);
    await pool.end();
  });

  const post = (key: string, sku: string) =>
    new Request('http://api.test/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ sku }),
    });

  /** A handler that writes its order through the request's transaction. */
  function handler(options: { delayMs?: number; fail?: boolean } = {}) {
    return async (request: Request) => {
      const client = idempotencyTransaction<PgPoolClientLike>(request);
      if (!client) throw new Error('no transaction');
      const { sku } = (await request.json()) as { sku: string };
      const { rows } = await client.query(
        `INSERT INTO "${orders}" (sku) VALUES ($1) RETURNING id`,
        [sku],
      );
      if (options.delayMs) await sleep(options.delayMs);
      if (options.fail) throw new Error('payment provider said no');
      return Response.json({ id: rows[0].id, sku }, { status: 201 });
    };
  }

  async function count(sku: string): Promise<number> {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${orders}" WHERE sku = $1`, [
      sku,
    ]);
    return rows[0].n;
  }

  it('commits the effect and the record together, and replays without a second effect', async () => {
    const guard = idempotency({ store, transactional: true });
    const first = await guard(post('tx-1', 'apple'), handler());
    expect(first.status).toBe(201);
    const body = await first.text();
    const replay = await guard(post('tx-1', 'apple'), handler());
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(body);
    expect(await count('apple')).toBe(1);
  });

  it('rolls the effect back when the handler throws, and frees the key', async () => {
    const guard = idempotency({ store, transactional: true });
    await expect(guard(post('tx-2', 'pear'), handler({ fail: true }))).rejects.toThrow(/said no/);
    expect(await count('pear')).toBe(0);
    expect((await guard(post('tx-2', 'pear'), handler())).status).toBe(201);
    expect(await count('pear')).toBe(1);
  });

  it('rolls back a writer whose lease was taken over: one effect in all', async () => {
    const slow = idempotency({ store, transactional: true, leaseMs: 150, retentionMs: 60_000 });
    const fast = idempotency({ store, transactional: true, leaseMs: 60_000 });
    const first = slow(post('tx-3', 'plum'), handler({ delayMs: 400 }));
    await sleep(250);
    // The first lease has run out: a retry takes the key over and completes.
    const second = await fast(post('tx-3', 'plum'), handler());
    expect(second.status).toBe(201);
    const secondBody = await second.json();
    const late = await first;
    expect(late.status).toBe(409);
    expect(await count('plum')).toBe(1);
    const replay = await fast(post('tx-3', 'plum'), handler());
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(secondBody);
    expect(slow.metrics().fenced).toBe(1);
  });

  it('refuses transactional mode on a store that cannot do it', () => {
    expect(() => idempotency({ transactional: true })).toThrow(/transactional store/);
  });
});
