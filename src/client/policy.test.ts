import { describe, expect, it } from 'vitest';
import { type BreakerState, circuitBreaker, gate, retryBudget } from './policy.js';

describe('retryBudget', () => {
  it('lets retries be at most the ratio of requests once the starting tokens are spent', () => {
    const budget = retryBudget({ ratio: 0.1, minPerSecond: 0, max: 2 });
    expect(budget.retry(1)).toBe(true);
    expect(budget.retry(1)).toBe(true);
    expect(budget.retry(1)).toBe(false);
    for (let i = 0; i < 9; i++) budget.request(1);
    expect(budget.retry(1)).toBe(false);
    budget.request(1);
    expect(budget.retry(1)).toBe(true);
    expect(budget.tokens()).toBeCloseTo(0);
  });

  it('refills a small floor per second, up to the maximum', () => {
    const budget = retryBudget({ ratio: 0, minPerSecond: 2, max: 3 });
    for (let i = 0; i < 3; i++) budget.retry(1000);
    expect(budget.retry(1000)).toBe(false);
    expect(budget.retry(1500)).toBe(true);
    expect(budget.retry(1500)).toBe(false);
    budget.request(60_000);
    expect(budget.tokens()).toBe(3);
  });
});

describe('circuitBreaker', () => {
  const make = (options: Parameters<typeof circuitBreaker>[0]) => {
    const changes: string[] = [];
    const breaker = circuitBreaker(options, (from: BreakerState, to: BreakerState) =>
      changes.push(`${from}>${to}`),
    );
    return { breaker, changes };
  };

  it('opens on consecutive failures', () => {
    const { breaker, changes } = make({ consecutive: 3 });
    for (const failed of [true, true, false, true, true]) breaker.record(failed, 10);
    expect(breaker.state()).toBe('closed');
    breaker.record(true, 10);
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual(['closed>open']);
    expect(breaker.allow(11)).toBe(false);
  });

  it('opens on the failure ratio only once the window holds enough attempts', () => {
    const { breaker } = make({ consecutive: 100, minRequests: 6, failureRatio: 0.5 });
    for (const failed of [true, false, true, false, true]) breaker.record(failed, 100);
    expect(breaker.state()).toBe('closed');
    breaker.record(true, 100);
    expect(breaker.state()).toBe('open');
  });

  it('starts a fresh window after the window length', () => {
    const { breaker } = make({ consecutive: 100, minRequests: 4, window: 1000 });
    for (const failed of [true, true, false]) breaker.record(failed, 0);
    breaker.record(true, 1500);
    expect(breaker.state()).toBe('closed');
  });

  it('goes half-open after openFor, lets probes through, closes after successes', () => {
    const { breaker, changes } = make({ consecutive: 1, openFor: 500, probes: 2, closeAfter: 2 });
    breaker.record(true, 0);
    expect(breaker.reopensAt()).toBe(500);
    expect(breaker.allow(499)).toBe(false);
    expect(breaker.allow(500)).toBe(true);
    expect(breaker.allow(500)).toBe(true);
    expect(breaker.allow(500)).toBe(false);
    breaker.record(false, 510);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.allow(510)).toBe(true);
    breaker.record(false, 520);
    expect(changes).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('opens again when a probe fails; a probe without a verdict frees its slot', () => {
    const { breaker } = make({ consecutive: 1, openFor: 100 });
    breaker.record(true, 0);
    expect(breaker.allow(100)).toBe(true);
    breaker.record(undefined, 101);
    expect(breaker.allow(101)).toBe(true);
    breaker.record(true, 102);
    expect(breaker.state()).toBe('open');
    expect(breaker.reopensAt()).toBe(202);
  });
});

describe('gate', () => {
  it('holds everything until a pause ends', () => {
    const g = gate();
    g.pause(1000);
    expect(g.take(400)).toBe(600);
    g.pause(500);
    expect(g.take(400)).toBe(600);
    expect(g.take(1000)).toBe(0);
  });

  it('takes every request still in flight off the quota a response reports', () => {
    const g = gate();
    for (let i = 0; i < 3; i++) expect(g.take(0)).toBe(0);
    // 2 remain by the server's count, but 2 more requests are still on their way.
    g.settle({ remaining: 2, reset: 5 }, 10);
    expect(g.take(10)).toBe(5000);
    expect(g.take(5010)).toBe(0);
  });

  it('lets the estimate only go down within a window', () => {
    const g = gate();
    g.take(0);
    g.take(0);
    g.settle({ remaining: 1, reset: 2 }, 0);
    g.settle({ remaining: 50, reset: 2 }, 0);
    expect(g.take(0)).toBe(2000);
  });

  it('gives each new window the policy quota, and holds the rest a window more', () => {
    const g = gate();
    g.take(0);
    g.settle({ remaining: 0, reset: 1, limit: 2, window: 1 }, 0);
    expect(g.take(500)).toBe(500);
    expect(g.take(1000)).toBe(0);
    expect(g.take(1000)).toBe(0);
    expect(g.take(1000)).toBe(1000);
  });

  it('frees in-flight slots of requests that got no quota back', () => {
    const g = gate();
    g.take(0);
    g.take(0);
    g.settle(undefined, 0);
    g.settle({ remaining: 1, reset: 1 }, 0);
    expect(g.take(0)).toBe(0);
    expect(g.take(0)).toBe(1000);
  });
});
