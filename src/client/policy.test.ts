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
  type Gate = ReturnType<typeof gate>;
  /** Asks for `count` new requests at `now`: the wait and ticket of each. */
  const take = (g: Gate, now: number, count: number) =>
    Array.from({ length: count }, () => g.take(now));
  const waits = (taken: [number, number][]) => taken.map(([wait]) => wait);
  /** A gate whose quota is spent until 1 s, with a policy of `limit` a second. */
  const spent = (limit: number) => {
    const g = gate();
    g.take(0);
    g.settle({ remaining: 0, reset: 1, limit, window: 1 }, 0, 1);
    return g;
  };

  it('lets requests go at once while the quota has units left, however many at a time', () => {
    const g = gate();
    expect(waits(take(g, 0, 30))).toEqual(Array(30).fill(0));
    g.settle({ remaining: 70, reset: 60, limit: 100, window: 60 }, 10, 30);
    expect(waits(take(g, 20, 70))).toEqual(Array(70).fill(0));
    expect(g.take(20)).toEqual([59_990, 0]);
  });

  it('holds everything until a pause ends', () => {
    const g = gate();
    g.pause(1000);
    expect(g.take(400)).toEqual([600, 0]);
    g.pause(500);
    expect(g.take(400)).toEqual([600, 0]);
    expect(g.take(1000, true)).toEqual([0, 1]);
  });

  it('takes the requests sent after the answered one off what remains, not those before', () => {
    const g = gate();
    expect(take(g, 0, 5).map(([, ticket]) => ticket)).toEqual([1, 2, 3, 4, 5]);
    // The server had counted requests 1 to 3 when it answered the third: 4 remain, less
    // requests 4 and 5 on their way. Requests 1 and 2, not answered yet, are not taken off
    // again: 2 more go now, the third waits for the reset.
    g.settle({ remaining: 4, reset: 5 }, 10, 3);
    expect(waits(take(g, 10, 3))).toEqual([0, 0, 5000]);
  });

  it('regression: does not count a request twice when answers arrive out of order', () => {
    const g = gate();
    take(g, 0, 2);
    // The server took the first request, then the second; the second's answer comes first.
    g.settle({ remaining: 8, reset: 1 }, 5, 2);
    g.settle({ remaining: 9, reset: 1 }, 6, 1);
    expect(waits(take(g, 6, 9))).toEqual([...Array(8).fill(0), 999]);
  });

  it('lets answers to older requests only lower the estimate within a window', () => {
    const g = gate();
    take(g, 0, 2);
    g.settle({ remaining: 1, reset: 2 }, 0, 2);
    // Sent before the answer the estimate came from, the server may have taken it first.
    g.settle({ remaining: 50, reset: 2 }, 0, 1);
    expect(waits(take(g, 0, 2))).toEqual([0, 2000]);
  });

  it('raises the estimate on an answer to a request sent after it was set', () => {
    const g = gate();
    g.take(0);
    g.settle({ remaining: 1, reset: 2 }, 10, 1);
    expect(g.take(20)).toEqual([0, 2]);
    // Sent after that answer came, so taken after it: the server's window turned over (or
    // its bucket filled up), and 5 remain.
    g.settle({ remaining: 5, reset: 1 }, 30, 2);
    expect(waits(take(g, 30, 6))).toEqual([0, 0, 0, 0, 0, 1000]);
  });

  it('releases held requests at the policy rate, not all at once when the quota resets', () => {
    const g = spent(4);
    // A quota of 4 a second: one every 250 ms from the reset on, past the window's quota too.
    expect(waits(take(g, 100, 6))).toEqual([900, 1150, 1400, 1650, 1900, 2150]);
    // A request that comes while they wait queues behind them.
    expect(g.take(1200)[0]).toBe(1300);
    expect(g.take(1000, true)).toEqual([0, 2]);
    expect(g.take(1250, true)).toEqual([0, 3]);
  });

  it('staggers the requests held by a pause at the known rate', () => {
    const g = gate();
    g.take(0);
    g.settle({ remaining: 30, reset: 10, limit: 40, window: 10 }, 0, 1);
    g.pause(2000);
    expect(waits(take(g, 1000, 4))).toEqual([1000, 1250, 1500, 1750]);
  });

  it('sends held requests together when the rate is unknown, and counts them', () => {
    const g = gate();
    g.take(0);
    g.settle({ remaining: 2, reset: 1 }, 0, 1);
    g.pause(500);
    expect(waits(take(g, 0, 3))).toEqual([500, 500, 500]);
    expect([1, 2, 3].map(() => g.take(500, true)[1])).toEqual([2, 3, 4]);
    // The three used the 2 units left: the next request waits for the reset.
    expect(g.take(500)).toEqual([500, 0]);
  });

  it('keeps a gap between held requests whose timers fire late together', () => {
    const g = spent(4);
    take(g, 0, 2);
    expect(g.take(1300, true)).toEqual([0, 2]);
    expect(g.take(1300, true)).toEqual([250, 0]);
    expect(g.take(1550, true)).toEqual([0, 3]);
  });

  it('holds a request again when a pause begins while it waits, and books nothing too late', () => {
    const g = gate();
    g.pause(100);
    expect(g.take(0)).toEqual([100, 0]);
    g.pause(400);
    expect(g.take(100, true)).toEqual([300, 0]);
    expect(g.take(400, true)).toEqual([0, 1]);
    const s = spent(4);
    // A request that may not wait until 1 s takes no turn: the next one gets the first.
    expect(s.take(0, false, 500)).toEqual([1000, 0]);
    expect(waits(take(s, 0, 2))).toEqual([1000, 1250]);
  });

  it('lets held requests go on at the rate when the server reports its window spent', () => {
    const g = spent(4);
    take(g, 0, 2);
    expect(g.take(1000, true)).toEqual([0, 2]);
    // The last of the server's window: its windows need not line up with the client's.
    g.settle({ remaining: 0, reset: 1 }, 1010, 2);
    // At the rate, the next request is in the server's next window: it follows the held ones.
    expect(g.take(1100)).toEqual([400, 0]);
    expect(g.take(1250, true)).toEqual([0, 3]);
    expect(g.take(1500, true)).toEqual([0, 4]);
    // Once none is held, a request waits for the reset.
    expect(g.take(1800)).toEqual([200, 0]);
  });

  it('holds requests a window after a burst that spent the quota', () => {
    const g = gate();
    g.take(0);
    g.settle({ remaining: 9, reset: 1, limit: 10, window: 1 }, 10, 1);
    expect(waits(take(g, 500, 9))).toEqual(Array(9).fill(0));
    // The server's window (not the client's) holds the burst and is spent. Requests at the
    // rate from the client's reset on would overrun it: they wait until it has surely ended.
    g.settle({ remaining: 0, reset: 1 }, 510, 10);
    expect(g.take(510)).toEqual([990, 0]);
  });

  it("gives each new window the policy's quota", () => {
    const g = spent(2);
    expect(waits(take(g, 1000, 3))).toEqual([0, 0, 1000]);
  });
});
