/**
 * One suite every rate-limit store passes: memory, Redis (ioredis and node-redis) and
 * PostgreSQL give the same decisions and numbers for the same requests.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/ratelimit/memory.js';
import type { RateLimitPolicy, RateLimitStore } from '../../src/ratelimit/types.js';
import { sleep } from './services.js';

/** A key no other test uses. */
function freshKey(label: string): string {
  return `${label}:${randomBytes(6).toString('hex')}`;
}

/** Registers the conformance tests for the store `getStore()` returns (set up in beforeAll). */
export function rateLimitConformance(getStore: () => RateLimitStore): void {
  // Windows of an hour keep real time out of the numbers: a test takes milliseconds, in which
  // no unit of an hourly quota comes back.
  const hourly = (limit: number, burst?: number): RateLimitPolicy =>
    burst === undefined
      ? { name: `h${limit}`, limit, windowMs: 3_600_000 }
      : { name: `h${limit}b${burst}`, limit, windowMs: 3_600_000, burst };

  it('admits the burst, counts down, then refuses with the exact wait', async () => {
    const store = getStore();
    const checks = [{ key: freshKey('burst'), policy: hourly(5) }];
    for (let left = 4; left >= 0; left--) {
      const decision = await store.consume(checks);
      expect(decision.allowed).toBe(true);
      expect(decision.results[0]).toMatchObject({ allowed: true, limit: 5, remaining: left });
    }
    const refused = await store.consume(checks);
    expect(refused.allowed).toBe(false);
    expect(refused.results[0]).toMatchObject({ allowed: false, remaining: 0, limit: 5 });
    // One unit of 5 per hour comes back every 720 s.
    expect(refused.results[0]!.retryAfterMs).toBeGreaterThan(720_000 - 2_000);
    expect(refused.results[0]!.retryAfterMs).toBeLessThanOrEqual(720_000);
    expect(refused.results[0]!.resetMs).toBeGreaterThan(3_600_000 - 2_000);
  });

  it('decides several policies atomically: a refusal by one charges none', async () => {
    const store = getStore();
    const key = freshKey('multi');
    const checks = [
      { key, policy: hourly(2) },
      { key, policy: hourly(3) },
    ];
    expect((await store.consume(checks)).allowed).toBe(true);
    expect((await store.consume(checks)).allowed).toBe(true);
    const refused = await store.consume(checks);
    expect(refused.allowed).toBe(false);
    expect(refused.results.map((r) => r.allowed)).toEqual([false, true]);
    expect(refused.results[1]!.remaining).toBe(1);
    // The second policy alone still has its third unit: nothing was charged above.
    const alone = await store.consume([{ key, policy: hourly(3) }]);
    expect(alone.results[0]).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('charges the cost, and never admits a cost above the burst', async () => {
    const store = getStore();
    const key = freshKey('cost');
    const policy = hourly(10, 4);
    expect((await store.consume([{ key, policy }], 3)).results[0]!.remaining).toBe(1);
    const tooMuch = await store.consume([{ key, policy }], 5);
    expect(tooMuch.allowed).toBe(false);
    expect(tooMuch.results[0]!.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
    expect(tooMuch.results[0]!.remaining).toBe(1);
    expect((await store.consume([{ key, policy }], 1)).results[0]!.remaining).toBe(0);
    expect((await store.consume([{ key, policy }], 0)).allowed).toBe(true);
  });

  it('refunds units, never above the capacity', async () => {
    const store = getStore();
    const checks = [{ key: freshKey('refund'), policy: hourly(3) }];
    await store.consume(checks, 3);
    expect((await store.consume(checks)).allowed).toBe(false);
    const back = await store.refund(checks, 2);
    expect(back.results[0]!.remaining).toBe(2);
    expect((await store.consume(checks)).results[0]).toMatchObject({ allowed: true, remaining: 1 });
    const full = await store.refund(checks, 100);
    expect(full.results[0]!.remaining).toBe(3);
    const unknown = await store.refund([{ key: freshKey('never'), policy: hourly(3) }]);
    expect(unknown.results[0]!.remaining).toBe(3);
  });

  it('admits a refused request once its retry time has passed (real clock)', async () => {
    const store = getStore();
    const checks = [
      { key: freshKey('clock'), policy: { name: 'fast', limit: 10, windowMs: 1000, burst: 1 } },
    ];
    expect((await store.consume(checks)).allowed).toBe(true);
    const refused = await store.consume(checks);
    expect(refused.allowed).toBe(false);
    const wait = refused.results[0]!.retryAfterMs;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(100);
    await sleep(wait + 20);
    expect((await store.consume(checks)).allowed).toBe(true);
  });

  it('keeps keys, odd characters included, and policies apart', async () => {
    const store = getStore();
    const base = freshKey('odd');
    const keys = [base, `${base}}`, `{${base}`, `${base}|x`, `${base} ünïcödé 🔑`, `${base}\n`];
    for (const key of keys) {
      expect((await store.consume([{ key, policy: hourly(1) }])).allowed).toBe(true);
    }
    for (const key of keys) {
      expect((await store.consume([{ key, policy: hourly(1) }])).allowed).toBe(false);
      expect((await store.consume([{ key, policy: hourly(2) }])).allowed).toBe(true);
    }
    const long = `${base}:${'x'.repeat(4000)}`;
    expect((await store.consume([{ key: long, policy: hourly(1) }])).allowed).toBe(true);
  });

  it('admits exactly the quota under concurrent requests', async () => {
    const store = getStore();
    const checks = [{ key: freshKey('race'), policy: hourly(50) }];
    const decisions = await Promise.all(Array.from({ length: 200 }, () => store.consume(checks)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
  });

  it('rejects bad costs and policies before asking the server', async () => {
    const store = getStore();
    const checks = [{ key: freshKey('bad'), policy: hourly(1) }];
    await expect(store.consume(checks, -1)).rejects.toThrow(RangeError);
    await expect(store.consume(checks, Number.NaN)).rejects.toThrow(RangeError);
    await expect(store.consume([{ key: 'x', policy: { limit: 1, windowMs: 0 } }])).rejects.toThrow(
      RangeError,
    );
    expect(await store.consume([])).toEqual({ allowed: true, results: [] });
  });

  it('gives the same decisions as the reference memory store (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('consume', 'consume', 'consume', 'refund'),
            which: fc.integer({ min: 0, max: 2 }),
            cost: fc.integer({ min: 0, max: 4 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (ops) => {
          const store = getStore();
          const reference = new MemoryRateLimitStore({ now: () => 0 });
          const key = freshKey('prop');
          const policies = [hourly(4), hourly(6, 3), hourly(9, 9)];
          const choices = [[policies[0]!], [policies[1]!], [policies[0]!, policies[2]!]];
          for (const { op, which, cost } of ops) {
            const checks = choices[which]!.map((policy) => ({ key, policy }));
            const refChecks = choices[which]!.map((policy) => ({ key: 'ref', policy }));
            const got =
              op === 'consume'
                ? await store.consume(checks, cost)
                : await store.refund(checks, cost);
            const want =
              op === 'consume'
                ? reference.consumeSync(refChecks, cost)
                : reference.refundSync(refChecks, cost);
            expect(got.allowed).toBe(want.allowed);
            expect(got.results.map((r) => [r.allowed, r.remaining, r.limit])).toEqual(
              want.results.map((r) => [r.allowed, r.remaining, r.limit]),
            );
          }
        },
      ),
      { numRuns: 25 },
    );
  });
}
