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
   * Whether a request may be sent now: `[wait, ticket]`. A ticket (above 0) lets it go now;
   * pass it to {@link settle} with the response. Without one the request is held: it waits
   * `wait` ms, asks again with `held` set, and goes then unless a pause began meanwhile. A
   * request is not held past `latest` (epoch ms): when `now + wait` is later, it took no
   * turn and should fail rather than wait.
   */
  take(now: number, held?: boolean, latest?: number): [wait: number, ticket: number];
  /** Reads the quota the response to a request {@link take} let through reported, if any. */
  settle(quota: Quota | undefined, now: number, ticket: number): void;
  /** Holds every request until `until` (epoch ms). */
  pause(until: number): void;
}

/**
 * Holds requests to one origin back while the server has asked clients to wait: a pause
 * (the hint of a 429) and a quota (the `RateLimit` fields: what remains until when).
 *
 * Requests go at once while the quota has units left, so nothing is slowed far from the
 * limit, and are counted down locally. A response's `remaining` is the server's count when
 * it took that request: the requests sent after it are taken off, not those before (the
 * server has mostly counted them already). Answers lower the estimate; only an answer to a
 * request sent after the answer the estimate came from may raise it (a new window, or a
 * bucket filling up), since the server may take requests sent together in any order. The
 * reset time is read from the answer that set the window and kept: later ones round the
 * time left up to whole seconds again and would only push it back. Once the window has
 * passed, the next one holds the policy's quota.
 *
 * Requests held (the quota spent, or a pause) are not released all at once when the wait
 * ends: they leave one after another at the policy's rate, `window / limit` apart, and
 * requests that come meanwhile queue behind them. Sends at that rate cannot overrun the
 * policy, whatever its algorithm and however its windows are aligned, so they do not use
 * the estimate up, and a server that reports its window spent while they go only stops
 * requests that would come faster. After a burst that spent the quota, the server's window
 * may hold the burst too: held requests then wait until a window after it. Without a
 * known policy (`RateLimit-Policy` `q` and `w`) the rate is unknown, and held requests go
 * together when the wait ends, counted like any other. Errs on the side of waiting: a 429
 * costs a retry, a wait only time.
 *
 * One gate paces every request to its origin (and partition) by the tightest quota any
 * response reported, whichever route it came from: for a server with separate quotas per
 * route, a client `partition` per route keeps them apart (and its pauses, budget and
 * breaker too).
 *
 * @example
 * ```ts
 * import { gate } from 'faultline/client';
 *
 * const g = gate();
 * const [wait, ticket] = g.take(Date.now());
 * // wait > 0: sleep that long, then g.take(Date.now(), true) until a ticket comes.
 * g.settle({ remaining: 0, reset: 1, limit: 4, window: 1 }, Date.now(), ticket);
 * g.take(Date.now()); // [~1000, 0]: held until the reset, and the next 250 ms later
 * ```
 */
export function gate(): Gate {
  let until = 0;
  let left = Infinity;
  let reset = 0;
  let limit = 0;
  let window = 0;
  // When the next held request may go, when the last request went, and the last one that
  // went in a burst.
  let next = 0;
  let last = 0;
  let burst = -Infinity;
  // Tickets given out, and the last one out when the estimate was set.
  let sent = 0;
  let mark = 0;
  return {
    take(now, held, latest = Infinity) {
      const gap = limit && window / limit;
      if (now >= reset && reset) {
        // The window passed: with the policy known, the next one holds its quota.
        left = limit || Infinity;
        reset = window && now + window;
      }
      // A held request goes when its turn comes, unless a pause began meanwhile; timers that
      // fire late together still leave a gap between them. Held requests sent together, at
      // no known rate, use the quota up like any other.
      if (held && now >= until) {
        if (now < last + gap) return [last + gap - now, 0];
        if (!gap) left--;
        last = now;
        return [0, ++sent];
      }
      // With the quota spent, requests wait for the reset, unless held ones are still going
      // out at the policy's rate: the next in line follows them.
      const at = Math.max(now, until, next, left < 1 && next <= now ? reset : 0);
      if (at > latest) return [at - now, 0];
      if (at > now) {
        next = at + gap;
        return [at - now, 0];
      }
      left--;
      // A request closer than the rate allows to the one before is part of a burst.
      if (now < last + gap) burst = now;
      last = now;
      return [0, ++sent];
    },
    settle(q, now, ticket) {
      if (!q) return;
      // What remains, less the requests sent after this one (not those before: the server
      // has mostly counted them already).
      const estimate = q.remaining - sent + ticket;
      if (reset <= now || (ticket > mark && estimate > left)) {
        // The window passed, or an answer newer than the estimate (its request left after
        // the answer the estimate came from) says more remains: a new window, or a bucket
        // filling up.
        reset = now + q.reset * 1000;
        left = estimate;
        mark = sent;
      } else if (estimate < left) {
        left = estimate;
        mark = sent;
      }
      limit = q.limit || limit;
      window = (q.window ?? 0) * 1000 || window;
      // Spent within a window of a burst: the server's window (or bucket) may hold the burst,
      // so the rate no longer says what it takes. That window ends (the bucket is full again)
      // a window after the burst at the latest.
      if (left < 1 && now - burst < window) until = Math.max(until, burst + window);
    },
    pause(at) {
      until = Math.max(until, at);
    },
  };
}
