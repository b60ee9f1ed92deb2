/**
 * The per-origin state of the client: a retry budget, a circuit breaker and a rate-limit
 * gate. Each takes the time as an argument, so tests drive them with fake timers.
 */

/** Options of the per-origin retry budget (a token bucket). */
export interface BudgetOptions {
  /** Tokens each request adds; a retry costs one. `0.2` lets retries be 20% of requests. */
  ratio?: number;
  /** Tokens added per second whatever the traffic, so that a quiet client can still retry. */
  minPerSecond?: number;
  /** Most tokens the bucket holds, and holds at the start (default 10). */
  max?: number;
}

/** A retry budget: see {@link retryBudget}. */
export interface RetryBudget {
  /** Counts one request (its first attempt). */
  request(now: number): void;
  /** Takes a token for one retry; `false` when the budget is spent. */
  retry(now: number): boolean;
  /** Tokens left, for metrics and tests. */
  tokens(): number;
}

/** A token bucket that lets retries be at most a share of requests, plus a small floor. */
export function retryBudget(options?: BudgetOptions): RetryBudget {
  const { ratio = 0.2, minPerSecond = 1, max = 10 } = options ?? {};
  let tokens = max;
  let at = 0;
  const fill = (now: number, add: number) => {
    tokens = Math.min(max, tokens + add + (at && (Math.max(0, now - at) * minPerSecond) / 1000));
    at = now;
    return tokens;
  };
  return {
    request: (now) => void fill(now, ratio),
    // Ten deposits of 0.1 add up to 0.999…: a hair of tolerance keeps the ratio exact.
    retry: (now) => fill(now, 0) > 1 - 1e-9 && tokens-- > 0,
    tokens: () => tokens,
  };
}

/** The state of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of the per-origin circuit breaker. */
export interface BreakerOptions {
  /** Failure share over a window that opens the circuit (default 0.5). */
  failureRatio?: number;
  /** Length of the window the ratio is counted over, in ms (default 10 000). */
  window?: number;
  /** Attempts a window needs before its ratio counts (default 10). */
  minRequests?: number;
  /** Consecutive failures that open the circuit whatever the ratio (default 10). */
  consecutive?: number;
  /** How long the circuit stays open before probes are let through, in ms (default 1 000). */
  openFor?: number;
  /** Attempts let through at once while half-open (default 1). */
  probes?: number;
  /** Probe successes that close the circuit again (default 1). */
  closeAfter?: number;
}

/** A circuit breaker: see {@link circuitBreaker}. */
export interface CircuitBreaker {
  state(): BreakerState;
  /** Whether an attempt may go out now; while half-open it takes a probe slot. */
  allow(now: number): boolean;
  /** Epoch ms from which the circuit lets a probe through, while it is open. */
  reopensAt(): number | undefined;
  /**
   * Records the outcome of an attempt {@link allow} let through: `true` failed, `false`
   * succeeded, `undefined` says nothing of the server (the caller aborted) and only frees
   * its probe slot.
   */
  record(failed: boolean | undefined, now: number): void;
}

/**
 * A circuit breaker: opens on a failure ratio over a time window (once the window holds
 * `minRequests` attempts) or on `consecutive` failures; after `openFor` it is half-open and
 * lets `probes` attempts through at once; `closeAfter` probe successes close it, one probe
 * failure opens it again.
 */
export function circuitBreaker(
  options: BreakerOptions | undefined,
  change: (from: BreakerState, to: BreakerState) => void,
): CircuitBreaker {
  const {
    failureRatio = 0.5,
    window = 10_000,
    minRequests = 10,
    // Ten in a row: at a 20% transient failure rate that happens once in ten million attempts,
    // while a full outage at any traffic trips it within ten attempts.
    consecutive = 10,
    // Short, so that the circuit closes soon after the server is back; one probe per second
    // costs an unhealthy server nothing.
    openFor = 1_000,
    probes = 1,
    closeAfter = 1,
  } = options ?? {};
  let state: BreakerState = 'closed';
  // When the state (or the closed state's window) began; counters of the window or probes.
  let since = 0;
  let busy = 0;
  let ok = 0;
  let run = 0;
  let total = 0;
  let failed = 0;
  const to = (next: BreakerState, now: number) => {
    const from = state;
    state = next;
    since = now;
    busy = ok = run = total = failed = 0;
    change(from, next);
  };
  return {
    state: () => state,
    allow(now) {
      if (state === 'open' && now - since >= openFor) to('half-open', now);
      return state === 'closed' || (state === 'half-open' && busy < probes && ++busy > 0);
    },
    reopensAt: () => (state === 'open' ? since + openFor : undefined),
    record(bad, now) {
      if (state === 'half-open') {
        busy--;
        if (bad) to('open', now);
        else if (bad === false && ++ok >= closeAfter) to('closed', now);
      } else if (state === 'closed' && bad !== undefined) {
        if (now - since >= window) {
          since = now;
          total = failed = 0;
        }
        total++;
        run = bad ? run + 1 : 0;
        if (bad) failed++;
        if (run >= consecutive || (bad && total >= minRequests && failed / total >= failureRatio)) {
          to('open', now);
        }
      }
    },
  };
}

/** A rate-limit quota read from response headers. */
export interface Quota {
  /** Units left in the current window. */
  remaining: number;
  /** Seconds until more quota is available. */
  reset: number;
  /** The quota of a whole window, and the window's length in seconds, when the policy says. */
  limit?: number | undefined;
  window?: number | undefined;
}

/** A rate-limit gate: see {@link gate}. */
export interface Gate {
  /**
   * Milliseconds to wait before sending, or 0 when the request may go now; a 0 counts the
   * request as in flight until {@link settle}.
   */
  take(now: number): number;
  /** Ends a request {@link take} let through, with the quota its response reported, if any. */
  settle(quota: Quota | undefined, now: number): void;
  /** Holds every request until `until` (epoch ms). */
  pause(until: number): void;
}

/**
 * Holds requests to one origin back while the server has asked clients to wait: a pause
 * (the hint of a 429) and a quota (the `RateLimit` fields: what remains until when).
 *
 * The quota is counted down locally as requests leave, and every request still in flight
 * is taken off what a response reports, since the server may not have counted it yet (it
 * may process requests out of order). Within a window the estimate only goes down; it
 * starts again, at the policy's quota (less what is in flight) when known, once the window
 * has passed. The reset time is read from the first response of a window and kept: later
 * ones round the time left up to whole seconds again and would only push it back. The
 * estimate errs on the side of waiting: a 429 costs a retry, a wait only time.
 */
export function gate(): Gate {
  let until = 0;
  let left = Infinity;
  let reset = 0;
  let inFlight = 0;
  let limit: number | undefined;
  let window = 0;
  return {
    take(now) {
      if (now < until) return until - now;
      if (left <= 0) {
        if (now < reset) return reset - now;
        // The window passed: with the policy known, the next one holds its quota.
        left = (limit ?? Infinity) - inFlight;
        reset = now + window;
      }
      left--;
      inFlight++;
      return 0;
    },
    settle(q, now) {
      inFlight = Math.max(0, inFlight - 1);
      if (!q) return;
      const estimate = q.remaining - inFlight;
      if (estimate < left) {
        left = estimate;
        if (reset <= now) reset = now + q.reset * 1000;
      }
      limit = q.limit ?? limit;
      window = (q.window ?? 0) * 1000 || window;
    },
    pause(at) {
      until = Math.max(until, at);
    },
  };
}
