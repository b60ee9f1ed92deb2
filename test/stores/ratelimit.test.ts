import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRateLimitStore } from '../../src/postgres/ratelimit.js';
import { MemoryRateLimitStore } from '../../src/ratelimit/memory.js';
import type { RateLimitPolicy } from '../../src/ratelimit/types.js';
import { RedisScript } from '../../src/redis/client.js';
import { GCRA_LUA, RedisRateLimitStore } from '../../src/redis/ratelimit.js';
import { rateLimitConformance } from './ratelimit-conformance.js';
import {
  connectIoRedis,
  connectNodeRedis,
  connectPostgres,
  dropPostgresTables,
  dropRedisPrefix,
  sleep,
  uniqueId,
} from './services.js';

/**
 * Connects an ioredis client and a store under a fresh key prefix before the tests of the
 * calling `describe` block (handing both to `use`), and drops the prefix after them.
 * @returns the prefix.
 */
function useIoRedisStore(
  tag: string,
  use: (client: Redis, store: RedisRateLimitStore) => void,
): string {
  const prefix = `${uniqueId(tag)}:`;
  let client: Redis | undefined;
  beforeAll(async () => {
    client = await connectIoRedis();
    use(client, new RedisRateLimitStore({ client, prefix }));
  });
  afterAll(async () => {
    if (!client) return;
    await dropRedisPrefix(client, prefix);
    client.disconnect();
  });
  return prefix;
}

describe('rate-limit store conformance: memory', () => {
  const store = new MemoryRateLimitStore();
  rateLimitConformance(() => store);
});

describe('rate-limit store conformance: Redis (ioredis)', () => {
  let client: Redis;
  let store: RedisRateLimitStore;
  const prefix = useIoRedisStore('rl', (c, s) => {
    client = c;
    store = s;
  });
  rateLimitConformance(() => store);

  it('reloads its script after the server forgets it (NOSCRIPT)', async () => {
    const checks = [{ key: 'noscript', policy: { limit: 5, windowMs: 60_000 } }];
    expect((await store.consume(checks)).allowed).toBe(true);
    await client.script('FLUSH');
    const after = await store.consume(checks);
    expect(after.results[0]!.remaining).toBe(3);
  });

  it('spends exactly one round trip (one EVALSHA) per decision, whatever the policies', async () => {
    const checks = [
      { key: 'rtt', policy: { limit: 5, windowMs: 1000 } },
      { key: 'rtt', policy: { limit: 50, windowMs: 60_000 } },
      { key: 'rtt-2', policy: { limit: 500, windowMs: 3_600_000 } },
    ];
    await store.consume(checks);
    const sent: string[] = [];
    const monitored = new RedisRateLimitStore({
      client: {
        send: (command, args) => {
          sent.push(command);
          return client.call(command, args as string[]);
        },
      },
      prefix,
    });
    for (let i = 0; i < 10; i++) await monitored.consume(checks);
    expect(sent).toEqual(Array(10).fill('EVALSHA'));
  });
});

describe('Redis rate-limit keys: format, migration, expiry', () => {
  let client: Redis;
  let store: RedisRateLimitStore;
  const prefix = useIoRedisStore('rlk', (c, s) => {
    client = c;
    store = s;
  });

  /** 5 per hour: one unit every 720 s, a full bucket an hour after it was emptied. */
  const hourly5: RateLimitPolicy = { limit: 5, windowMs: 3_600_000 };
  const INTERVAL = 720_000;
  const keyOf = (key: string, policy: RateLimitPolicy) =>
    `${prefix}{${key}}${policy.limit}/${policy.windowMs}/${policy.burst ?? policy.limit}`;

  /** The Redis server's clock (the one the script uses), in milliseconds since the epoch. */
  async function serverNow(): Promise<number> {
    const [seconds, micros] = await client.time();
    return Number(seconds) * 1000 + Number(micros) / 1000;
  }

  /** A key's value in this version's format: TAT and expiry, two little-endian doubles. */
  function pack(tat: number, expires: number): Buffer {
    const value = Buffer.alloc(16);
    value.writeDoubleLE(tat, 0);
    value.writeDoubleLE(expires, 8);
    return value;
  }

  async function unpack(key: string): Promise<{ tat: number; expires: number }> {
    const value = await client.getBuffer(key);
    expect(value, `${key} should hold a binary TAT`).toHaveLength(16);
    return { tat: value!.readDoubleLE(0), expires: value!.readDoubleLE(8) };
  }

  /**
   * Writes a TAT as the decimal-format version did: a Lua number, which Redis turns into text
   * with 17 significant digits, and a TTL until the bucket is full again.
   */
  const DECIMAL_WRITE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = now + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tat, 'PX', math.ceil(tat - now))
return redis.call('GET', KEYS[1])`;

  /** Ways an earlier version's key may read, each `aheadMs` (at most) ahead of the server's now. */
  const decimalForms: Record<string, (key: string, aheadMs: number) => Promise<string>> = {
    'written by the decimal-format script': async (key, aheadMs) =>
      String(await client.eval(DECIMAL_WRITE, 1, key, aheadMs)),
    // The length of this version's binary values: told apart by content, not length.
    'of 16 characters': async (key, aheadMs) => {
      const text = `${Math.floor(await serverNow()) - 1 + aheadMs}.25`;
      expect(text).toHaveLength(16);
      await client.set(key, text, 'PX', aheadMs);
      return text;
    },
    'without decimals': async (key, aheadMs) => {
      const text = String(Math.floor(await serverNow()) + aheadMs);
      await client.set(key, text, 'PX', aheadMs);
      return text;
    },
    'with four decimals': async (key, aheadMs) => {
      const text = `${Math.floor(await serverNow()) - 1 + aheadMs}.9375`;
      await client.set(key, text, 'PX', aheadMs);
      return text;
    },
  };

  describe.each(Object.entries(decimalForms))('reads a decimal TAT %s', (_, write) => {
    it.each([1, 2, 4])(
      'with %i of 5 units spent: consumes, then stores it in binary',
      async (spent) => {
        const key = `legacy-${spent}-${randomBytes(4).toString('hex')}`;
        await write(keyOf(key, hourly5), spent * INTERVAL);
        const decision = await store.consume([{ key, policy: hourly5 }]);
        expect(decision.results[0]).toMatchObject({ allowed: true, remaining: 4 - spent });
        expect(decision.results[0]!.resetMs).toBeGreaterThan((spent + 1) * INTERVAL - 5_000);
        expect(decision.results[0]!.resetMs).toBeLessThanOrEqual((spent + 1) * INTERVAL);
        const { tat, expires } = await unpack(keyOf(key, hourly5));
        const now = await serverNow();
        expect(tat - now).toBeGreaterThan((spent + 1) * INTERVAL - 5_000);
        expect(expires).toBeGreaterThanOrEqual(tat);
        expect(await client.pttl(keyOf(key, hourly5))).toBeGreaterThan(
          (spent + 1) * INTERVAL - 5_000,
        );
      },
    );

    it('with the bucket empty: refuses with the exact wait, and leaves the key as it was', async () => {
      const key = `legacy-full-${randomBytes(4).toString('hex')}`;
      const text = await write(keyOf(key, hourly5), 5 * INTERVAL);
      const refused = await store.consume([{ key, policy: hourly5 }]);
      expect(refused.results[0]).toMatchObject({ allowed: false, remaining: 0 });
      expect(refused.results[0]!.retryAfterMs).toBeGreaterThan(INTERVAL - 5_000);
      expect(refused.results[0]!.retryAfterMs).toBeLessThanOrEqual(INTERVAL);
      expect(await client.get(keyOf(key, hourly5))).toBe(text);
    });

    it('in decisions over several policies and in refunds', async () => {
      const key = `legacy-multi-${randomBytes(4).toString('hex')}`;
      const hourly3: RateLimitPolicy = { limit: 3, windowMs: 3_600_000 };
      await write(keyOf(key, hourly5), 2 * INTERVAL);
      const both = await store.consume([
        { key, policy: hourly5 },
        { key, policy: hourly3 },
      ]);
      expect(both.results.map((r) => r.remaining)).toEqual([2, 2]);
      await write(keyOf(key, hourly5), 3 * INTERVAL);
      const back = await store.refund([{ key, policy: hourly5 }], 2);
      expect(back.results[0]!.remaining).toBe(4);
      await unpack(keyOf(key, hourly5));
    });
  });

  it('reads anything else as a full bucket and overwrites it', async () => {
    for (const junk of ['not a number', '', Buffer.from([1, 2, 3]), Buffer.alloc(16, 0xff)]) {
      const key = `junk-${randomBytes(4).toString('hex')}`;
      await client.set(keyOf(key, hourly5), junk, 'PX', 60_000);
      const decision = await store.consume([{ key, policy: hourly5 }]);
      expect(decision.results[0]).toMatchObject({ allowed: true, remaining: 4 });
      await unpack(keyOf(key, hourly5));
    }
  });

  it('reads a TAT beyond the tolerance (the clock went back) as an empty bucket', async () => {
    const now = await serverNow();
    const ahead = 10 * 3_600_000;
    const binary = `clock-${randomBytes(4).toString('hex')}`;
    await client.set(keyOf(binary, hourly5), pack(now + ahead, now + ahead), 'PX', 60_000);
    const decimal = `clock-${randomBytes(4).toString('hex')}`;
    await client.set(keyOf(decimal, hourly5), String(now + ahead), 'PX', 60_000);
    for (const key of [binary, decimal]) {
      for (const checks of [
        [{ key, policy: hourly5 }],
        [
          { key, policy: hourly5 },
          { key: `${key}-other`, policy: hourly5 },
        ],
      ]) {
        const refused = await store.consume(checks);
        expect(refused.results[0]).toMatchObject({ allowed: false, remaining: 0 });
        // Not ten hours: one unit's interval, and a full bucket an hour from now.
        expect(refused.results[0]!.retryAfterMs).toBeLessThanOrEqual(INTERVAL);
        expect(refused.results[0]!.resetMs).toBeLessThanOrEqual(3_600_000);
      }
    }
  });

  it('keeps the TTL while the TAT stays inside it, and moves it once the TAT passes it', async () => {
    const key = `renew-${randomBytes(4).toString('hex')}`;
    const redisKey = keyOf(key, hourly5);
    const now = await serverNow();
    // As if written a while ago: the TAT 5 s ahead, the key expiring in 10 s.
    const expires = Math.ceil(now) + 10_000;
    await client.set(redisKey, pack(now + 5_000, expires), 'PXAT', expires);
    await store.consume([{ key, policy: hourly5 }]);
    const renewed = await unpack(redisKey);
    expect(renewed.tat).toBe(now + 5_000 + INTERVAL);
    expect(renewed.expires).toBe(Math.ceil(renewed.tat) + 3_600_000);
    const ttl = await client.pttl(redisKey);
    expect(ttl).toBeGreaterThan(renewed.expires - (await serverNow()) - 5_000);
    await store.consume([{ key, policy: hourly5 }]);
    const kept = await unpack(redisKey);
    expect(kept.tat).toBe(renewed.tat + INTERVAL);
    expect(kept.expires).toBe(renewed.expires);
    expect(await client.pttl(redisKey)).toBeLessThanOrEqual(ttl);
  });

  /**
   * A store whose every EVALSHA runs in one MULTI with a PTTL of each of its keys right after:
   * the TTLs as the decision left them.
   */
  function ttlWatchingStore(seen: number[][]): RedisRateLimitStore {
    return new RedisRateLimitStore({
      prefix,
      client: {
        send: async (command, args) => {
          const strings = args.map(String);
          if (command !== 'EVALSHA') return client.call(command, strings);
          const keys = strings.slice(2, 2 + Number(strings[1]));
          const multi = client.multi().call('EVALSHA', strings);
          for (const key of keys) multi.pttl(key);
          const replies = (await multi.exec())!;
          for (const [error] of replies) if (error) throw error;
          seen.push(replies.slice(1).map(([, ttl]) => Number(ttl)));
          return replies[0]![1];
        },
      },
    });
  }

  it('gives every key a TTL no shorter than its time to a full bucket and no longer than two refills (property)', async () => {
    // Short windows so that real time moves the TATs past their keys' expiry during a run.
    const policies: RateLimitPolicy[] = [
      { limit: 4, windowMs: 40, burst: 2 },
      { limit: 3, windowMs: 90 },
      hourly5,
    ];
    const choices = [[0], [2], [0, 1], [1, 2]];
    const seen: number[][] = [];
    const watched = ttlWatchingStore(seen);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('consume', 'consume', 'consume', 'refund'),
            which: fc.integer({ min: 0, max: choices.length - 1 }),
            cost: fc.integer({ min: 0, max: 3 }),
            pauseMs: fc.constantFrom(0, 0, 5, 15, 30),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (ops) => {
          const key = `ttl-${randomBytes(4).toString('hex')}`;
          for (const { op, which, cost, pauseMs } of ops) {
            const checks = choices[which]!.map((i) => ({ key, policy: policies[i]! }));
            const decision =
              op === 'consume'
                ? await watched.consume(checks, cost)
                : await watched.refund(checks, cost);
            const ttls = seen.at(-1)!;
            checks.forEach(({ policy }, i) => {
              const { resetMs } = decision.results[i]!;
              const toleranceMs = ((policy.burst ?? policy.limit) * policy.windowMs) / policy.limit;
              const where = JSON.stringify({ op, cost, policy, resetMs, ttl: ttls[i] });
              // -1 would be a key without a TTL; -2 a missing key, fine only for a full bucket.
              expect(ttls[i], where).not.toBe(-1);
              if (resetMs > 0)
                expect(ttls[i], where).toBeGreaterThanOrEqual(Math.max(0, resetMs - 1));
              expect(ttls[i], where).toBeLessThanOrEqual(2 * toleranceMs + 2);
            });
            if (pauseMs > 0) await sleep(pauseMs);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('lets every key expire within two refills of its last write', async () => {
    const policy = { limit: 10, windowMs: 50, burst: 2 }; // interval 5 ms, tolerance 10 ms
    const key = `expire-${randomBytes(4).toString('hex')}`;
    await store.consume([{ key, policy }], 2);
    await store.consume([
      { key: `${key}-a`, policy },
      { key: `${key}-b`, policy: { limit: 1, windowMs: 5 } },
    ]);
    const keys = [keyOf(key, policy), keyOf(`${key}-a`, policy), `${prefix}{${key}-b}1/5/1`];
    expect(await client.exists(...keys)).toBe(3);
    await sleep(2 * 10 + 2 + 30);
    expect(await client.exists(...keys)).toBe(0);
  });

  it('works with a client that answers integers as text (ioredis stringNumbers)', async () => {
    const textual = await connectIoRedis(undefined, { stringNumbers: true });
    try {
      const viaText = new RedisRateLimitStore({ client: textual, prefix });
      const checks = [{ key: `text-${randomBytes(4).toString('hex')}`, policy: hourly5 }];
      for (let left = 4; left >= 0; left--) {
        expect((await viaText.consume(checks)).results[0]).toMatchObject({
          allowed: true,
          remaining: left,
        });
      }
      expect((await viaText.consume(checks)).allowed).toBe(false);
    } finally {
      textual.disconnect();
    }
  });

  it('checks the server version when it loads its script (setup)', async () => {
    await client.script('FLUSH');
    await store.setup();
    expect(await client.script('EXISTS', new RedisScript(GCRA_LUA).sha)).toEqual([1]);
  });
});

describe('rate-limit store conformance: Redis (node-redis)', () => {
  let client: Awaited<ReturnType<typeof connectNodeRedis>>;
  let store: RedisRateLimitStore;
  const prefix = `${uniqueId('rln')}:`;
  beforeAll(async () => {
    client = await connectNodeRedis();
    store = new RedisRateLimitStore({ client, prefix });
  });
  afterAll(async () => {
    if (!client) return;
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });
  rateLimitConformance(() => store);
});

describe('rate-limit store conformance: PostgreSQL', () => {
  let pool: pg.Pool;
  let store: PostgresRateLimitStore;
  const table = uniqueId('fl_rl');
  beforeAll(async () => {
    pool = await connectPostgres();
    store = new PostgresRateLimitStore({ pool, table });
  });
  afterAll(async () => {
    if (!pool) return;
    await dropPostgresTables(pool, table);
    await pool.end();
  });
  rateLimitConformance(() => store);

  it('sweeps rows whose bucket is full again', async () => {
    const policy = { limit: 10, windowMs: 100, burst: 1 };
    await store.consume([{ key: 'sweep-a', policy }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${table}" WHERE key LIKE '%sweep-a'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('sets its schema up once even when many processes start together', async () => {
    const racing = uniqueId('fl_rl_race');
    const stores = Array.from(
      { length: 8 },
      () => new PostgresRateLimitStore({ pool, table: racing }),
    );
    const decisions = await Promise.all(
      stores.map((s) => s.consume([{ key: 'k', policy: { limit: 100, windowMs: 60_000 } }])),
    );
    expect(decisions.every((d) => d.allowed)).toBe(true);
    await dropPostgresTables(pool, racing);
  });

  it('refuses table names that are not plain identifiers', () => {
    expect(() => new PostgresRateLimitStore({ pool, table: 'x; DROP TABLE y' })).toThrow(TypeError);
  });
});
