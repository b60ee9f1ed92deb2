import { describe, expect, it, vi } from 'vitest';
import type { GuardEvent } from './guard.js';
import { RateLimiter } from './limiter.js';
import { MemoryRateLimitStore } from './memory.js';
import type { RateLimitStore } from './types.js';

const checks = [{ key: 'k', policy: { limit: 2, windowMs: 60_000 } }];

/** A store that works, fails or hangs on command. */
function switchableStore() {
  const inner = new MemoryRateLimitStore();
  const state = { mode: 'up' as 'up' | 'down' | 'slow', calls: 0 };
  const store: RateLimitStore = {
    consume(c, cost) {
      state.calls++;
      if (state.mode === 'down') return Promise.reject(new Error('ECONNREFUSED'));
      if (state.mode === 'slow') return new Promise(() => undefined);
      return inner.consume(c, cost);
    },
    refund(c, cost) {
      return state.mode === 'up' ? inner.refund(c, cost) : Promise.reject(new Error('down'));
    },
  };
  return { store, state };
}

function logger() {
  return { warn: vi.fn(), info: vi.fn() };
}

describe('RateLimiter', () => {
  it('decides with the store while it answers', async () => {
    const { store } = switchableStore();
    const limiter = new RateLimiter({ store });
    expect(await limiter.consume(checks)).toMatchObject({ kind: 'decision', source: 'store' });
    await limiter.consume(checks);
    const third = await limiter.consume(checks);
    expect(third.kind === 'decision' && third.decision.allowed).toBe(false);
    expect(limiter.metrics()).toMatchObject({
      decisions: 3,
      allowed: 2,
      limited: 1,
      degraded: false,
    });
  });

  it('fails open while the store is down, logging the switch once and the recovery once', async () => {
    const { store, state } = switchableStore();
    const log = logger();
    const events: GuardEvent[] = [];
    let now = 0;
    const limiter = new RateLimiter({
      store,
      logger: log,
      onEvent: (event) => events.push(event),
      probeIntervalMs: 1000,
      now: () => now,
    });
    state.mode = 'down';
    for (let i = 0; i < 5; i++) expect(await limiter.consume(checks)).toEqual({ kind: 'open' });
    // One failed call, then no store calls until the probe interval has passed.
    expect(state.calls).toBe(1);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]![1]).toMatch(/rate-limit store is unavailable.*fail-open/);
    now = 1000;
    expect(await limiter.consume(checks)).toEqual({ kind: 'open' });
    expect(state.calls).toBe(2);
    expect(log.warn).toHaveBeenCalledTimes(1);
    state.mode = 'up';
    now = 2000;
    expect((await limiter.consume(checks)).kind).toBe('decision');
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(limiter.metrics()).toMatchObject({
      failedOpen: 6,
      storeErrors: 2,
      degradations: 1,
      recoveries: 1,
      degraded: false,
    });
    expect(events.map((e) => e.type)).toEqual([
      'store-error',
      'degraded',
      'store-error',
      'recovered',
    ]);
  });

  it('fails closed when asked to', async () => {
    const { store, state } = switchableStore();
    const limiter = new RateLimiter({ store, onStoreFailure: 'fail-closed' });
    state.mode = 'down';
    expect(await limiter.consume(checks)).toEqual({ kind: 'closed' });
    expect(limiter.metrics().failedClosed).toBe(1);
  });

  it('falls back to a local limiter that enforces the same policies', async () => {
    const { store, state } = switchableStore();
    const limiter = new RateLimiter({ store, onStoreFailure: 'fallback' });
    state.mode = 'down';
    const verdicts = [];
    for (let i = 0; i < 3; i++) verdicts.push(await limiter.consume(checks));
    expect(verdicts.map((v) => v.kind === 'decision' && v.source)).toEqual([
      'fallback',
      'fallback',
      'fallback',
    ]);
    expect(verdicts.map((v) => v.kind === 'decision' && v.decision.allowed)).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.metrics().fallbackDecisions).toBe(3);
  });

  it('treats a slow store as down after the time limit', async () => {
    const { store, state } = switchableStore();
    const limiter = new RateLimiter({ store, timeoutMs: 30 });
    state.mode = 'slow';
    const started = performance.now();
    expect(await limiter.consume(checks)).toEqual({ kind: 'open' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(limiter.metrics()).toMatchObject({ storeTimeouts: 1, degraded: true });
  });

  it('throws bad input instead of blaming the store', async () => {
    const { store } = switchableStore();
    const limiter = new RateLimiter({ store });
    await expect(limiter.consume(checks, -2)).rejects.toThrow(RangeError);
    await expect(
      limiter.consume([{ key: 'k', policy: { limit: 0, windowMs: 1 } }]),
    ).rejects.toThrow(RangeError);
    expect(limiter.metrics().degraded).toBe(false);
    expect(() => new RateLimiter({ onStoreFailure: 'maybe' as never })).toThrow(RangeError);
  });

  it('refunds through the store that decided, best effort', async () => {
    const { store, state } = switchableStore();
    const limiter = new RateLimiter({ store });
    await limiter.consume(checks);
    await limiter.consume(checks);
    expect((await limiter.refund(checks))?.results[0]?.remaining).toBe(1);
    state.mode = 'down';
    expect(await limiter.refund(checks)).toBeUndefined();
    expect(limiter.metrics().refunds).toBe(2);
  });
});
