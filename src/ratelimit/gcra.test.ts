import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicyName, gcraRefund, gcraStep, normalizePolicy } from './gcra.js';

describe('normalizePolicy', () => {
  it('derives the emission interval and tolerance from limit, window and burst', () => {
    const policy = normalizePolicy({ limit: 10, windowMs: 1000, burst: 4 });
    expect(policy).toMatchObject({
      name: '10-per-1s',
      limit: 10,
      windowMs: 1000,
      burst: 4,
      intervalMs: 100,
      toleranceMs: 400,
      id: '10/1000/4',
    });
  });

  it('defaults burst to limit and names sub-second windows in milliseconds', () => {
    expect(normalizePolicy({ limit: 5, windowMs: 250 })).toMatchObject({
      burst: 5,
      name: '5-per-250ms',
    });
    expect(defaultPolicyName(100, 3_600_000)).toBe('100-per-3600s');
  });

  it.each([
    [{ limit: 0, windowMs: 1000 }, /limit/],
    [{ limit: 1.5, windowMs: 1000 }, /limit/],
    [{ limit: 10, windowMs: -1 }, /windowMs/],
    [{ limit: 10, windowMs: Number.NaN }, /windowMs/],
    [{ limit: 10, windowMs: 1000, burst: 0 }, /burst/],
    [{ limit: 10, windowMs: 1000, name: 'bad\nname' }, /name/],
  ])('rejects invalid policy %o', (policy, message) => {
    expect(() => normalizePolicy(policy)).toThrow(message);
  });
});

describe('gcraStep', () => {
  const policy = normalizePolicy({ limit: 10, windowMs: 1000 });

  it('admits a full burst at once, then one unit per interval', () => {
    let tat: number | undefined;
    for (let i = 0; i < 10; i++) {
      const step = gcraStep(tat, 0, policy, 1);
      expect(step.allowed).toBe(true);
      expect(step.remaining).toBe(9 - i);
      tat = step.tat;
    }
    const refused = gcraStep(tat, 0, policy, 1);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 100 });
    expect(refused.resetMs).toBe(1000);
    expect(gcraStep(tat, 99, policy, 1).allowed).toBe(false);
    expect(gcraStep(tat, 100, policy, 1)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('charges the cost in units and computes the exact wait for it', () => {
    const first = gcraStep(undefined, 0, policy, 7);
    expect(first).toMatchObject({ allowed: true, remaining: 3, resetMs: 700 });
    const second = gcraStep(first.tat, 0, policy, 5);
    expect(second).toMatchObject({ allowed: false, remaining: 3, retryAfterMs: 200 });
    expect(gcraStep(first.tat, 200, policy, 5)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('never admits a cost above the capacity and says so with an infinite wait', () => {
    const step = gcraStep(undefined, 0, policy, 11);
    expect(step.allowed).toBe(false);
    expect(step.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
    expect(step.remaining).toBe(10);
  });

  it('admits a cost of zero without moving the state', () => {
    const step = gcraStep(undefined, 50, policy, 0);
    expect(step).toMatchObject({ allowed: true, remaining: 10, resetMs: 0, tat: 50 });
  });

  it('treats a TAT in the past as a full bucket', () => {
    expect(gcraStep(10, 5000, policy, 1)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('refunds units without exceeding the capacity', () => {
    const spent = gcraStep(undefined, 0, policy, 4);
    const back = gcraRefund(spent.tat, 0, policy, 3);
    expect(back).toMatchObject({ remaining: 9, tat: 100 });
    expect(gcraRefund(back.tat, 0, policy, 50)).toMatchObject({ remaining: 10, tat: 0 });
    expect(gcraRefund(undefined, 0, policy, 1)).toMatchObject({ remaining: 10 });
  });

  it('never admits more than burst + elapsed / interval units (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 5 })), {
          maxLength: 300,
        }),
        (limit, windowMs, burst, requests) => {
          const p = normalizePolicy({ limit, windowMs, burst });
          let tat: number | undefined;
          let now = 0;
          let admitted = 0;
          for (const [gap, cost] of requests) {
            now += gap;
            const step = gcraStep(tat, now, p, cost);
            if (step.allowed) {
              admitted += cost;
              tat = step.tat;
            }
          }
          expect(admitted).toBeLessThanOrEqual(burst + now / p.intervalMs + 1e-6);
        },
      ),
    );
  });

  it('admits a refused request exactly at its retry time (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 100 }),
        (limit, windowMs, costs) => {
          const p = normalizePolicy({ limit, windowMs, burst: Math.max(5, limit) });
          let tat: number | undefined;
          const now = 1_000_000;
          for (const cost of costs) {
            const step = gcraStep(tat, now, p, cost);
            if (step.allowed) {
              tat = step.tat;
              continue;
            }
            expect(step.retryAfterMs).toBeGreaterThan(0);
            expect(gcraStep(tat, now + step.retryAfterMs, p, cost).allowed).toBe(true);
            expect(gcraStep(tat, now + step.retryAfterMs - 0.01, p, cost).allowed).toBe(false);
          }
        },
      ),
    );
  });
});
