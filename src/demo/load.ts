import { type Attempt, type BreakerState, createClient, RequestError } from '../client/index.js';
import { readEvents } from '../client/stream/index.js';
import { OP_HEADER } from './api.js';
import { LOAD_SKUS, ordersCatalog, type Sku, STREAMS } from './catalog.js';
import { hash32, prng, scheduleFor } from './faults.js';
import { API_KEY_HEADER, RATE_LIMIT_POLICIES } from './policies.js';

/** One logical request of the load: what a user of the API wants done once. */
export interface Operation {
  /** `op-0042`: the operation id (sent as `x-demo-op`) and the order's `ref`. */
  readonly id: string;
  /** When to start it, in ms from the start of the run. */
  readonly at: number;
  readonly kind: 'order' | 'product' | 'stream';
  readonly sku: Sku;
  readonly quantity: number;
  readonly stream: string;
  readonly from: number;
  readonly limit: number;
}

/** The operations of one run, the same for both clients. */
export interface LoadPlan {
  readonly ops: readonly Operation[];
  readonly durationMs: number;
  /** Operations per second of the steady part. */
  readonly rate: number;
  /** When the traffic spikes come, in ms from the start, and how many operations each holds. */
  readonly spikes: readonly number[];
  readonly spikeSize: number;
}

/** Options of {@link planLoad}. */
export interface PlanOptions {
  readonly seed: number;
  readonly durationMs: number;
  /**
   * Steady operations per second (default 12: under a third of the per-second quota, so the
   * client's rate-limit gate lets requests through one by one again soon after a spike).
   */
  readonly rate?: number;
}

/** The per-second quota the spikes are sized against. */
const QUOTA = RATE_LIMIT_POLICIES[0]!.limit;

/**
 * The operations of a run: a steady stream (60% orders, 25% product reads, 15% stream reads)
 * plus, about every five seconds, a traffic spike of twice the per-second quota, all drawn
 * from the seed.
 */
export function planLoad(options: PlanOptions): LoadPlan {
  const { seed, durationMs } = options;
  const rate = options.rate ?? 12;
  const random = prng(hash32(`${seed}:load`));
  const spikeSize = QUOTA * 2;
  const { spikes } = scheduleFor(seed, durationMs);
  const times: number[] = [];
  for (let at = 0; at < durationMs; at += 1000 / rate) times.push(Math.round(at));
  for (const at of spikes) for (let i = 0; i < spikeSize; i++) times.push(at);
  times.sort((a, b) => a - b);
  const ops = times.map((at, i): Operation => {
    const pick = random();
    const kind = pick < 0.6 ? 'order' : pick < 0.85 ? 'product' : 'stream';
    return {
      id: `op-${String(i + 1).padStart(4, '0')}`,
      at,
      kind,
      sku: LOAD_SKUS[Math.floor(random() * LOAD_SKUS.length)]!,
      quantity: 1 + Math.floor(random() * 5),
      stream: STREAMS[Math.floor(random() * STREAMS.length)]!,
      from: Math.floor(random() * 1000),
      limit: 10 + Math.floor(random() * 21),
    };
  });
  return { ops, durationMs, rate, spikes, spikeSize };
}

/** Counters of a run as it goes, read by the progress line. */
export interface LiveCounters {
  /** Operations started and finished. */
  started: number;
  done: number;
  succeeded: number;
  failed: number;
  /** HTTP requests sent, and those of them that repeat an operation already sent. */
  attempts: number;
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** Operations held back by a server hint (`Retry-After`, `RateLimit`) before an attempt. */
  paused: number;
  /** Stream reads taken as complete although records were missing. */
  incompleteStreams: number;
  /** The circuit breaker's state; `undefined` for a client without one. */
  breaker: BreakerState | undefined;
  /** Times the circuit breaker opened. */
  breakerOpened: number;
  /** Why failed operations failed, counted by reason. */
  failures: Record<string, number>;
}

/** The outcome of a run. */
export interface RunResult extends LiveCounters {
  readonly client: 'faultline' | 'naive';
  readonly elapsedMs: number;
}

/** Options of {@link runLoad}. */
export interface RunOptions {
  readonly baseUrl: string;
  /** The caller's API key: its quota and its idempotency keys are its own. */
  readonly apiKey: string;
  readonly plan: LoadPlan;
  /** The counters, updated as the run goes (for the progress line). */
  readonly live?: LiveCounters;
  /** The most operations in flight at once (default 200). */
  readonly maxInFlight?: number;
}

/** What one operation came to. */
interface Outcome {
  readonly ok: boolean;
  readonly paused?: boolean;
  readonly incomplete?: boolean;
  readonly reason?: string;
}

/** Fresh counters. */
export function liveCounters(breaker: BreakerState | undefined): LiveCounters {
  return {
    started: 0,
    done: 0,
    succeeded: 0,
    failed: 0,
    attempts: 0,
    retries: 0,
    rateLimited: 0,
    paused: 0,
    incompleteStreams: 0,
    breaker,
    breakerOpened: 0,
    failures: {},
  };
}

/**
 * Runs the plan with faultline's client: errors decoded against the API's catalog, retries only
 * when the catalog says a retry can help and cannot repeat a side effect (orders carry an
 * `Idempotency-Key`, the same on every attempt), server hints (a 429, a 503 with
 * `Retry-After`) pause every request to the API, the default retry budget and circuit breaker
 * guard the API, and interrupted streams resume at the `next_seq` their terminal error names.
 */
export function runFaultline(options: RunOptions): Promise<RunResult> {
  const live = options.live ?? liveCounters('closed');
  live.breaker = 'closed';
  const api = createClient({
    baseUrl: options.baseUrl,
    catalog: ordersCatalog,
    fetch: counting(live),
    headers: { [API_KEY_HEADER]: options.apiKey },
    retry: { attempts: 4 },
    timeout: ATTEMPT_TIMEOUT_MS,
    deadline: 12_000,
    hooks: {
      onBreakerChange({ to }) {
        live.breaker = to;
        if (to === 'open') live.breakerOpened++;
      },
    },
  });

  const execute = async (op: Operation): Promise<Outcome> => {
    const headers = { [OP_HEADER]: op.id };
    let paused = false;
    // Whether a server hint held this operation back: an attempt answered 429 and retried
    // after its hint, or an attempt that left later than its own schedule (the origin's gate).
    const check = (attempts: readonly Attempt[], startedAt: number) => {
      let due = startedAt;
      for (const attempt of attempts) {
        if (attempt.at - due > PAUSE_MS || (attempt.status === 429 && attempt.reason === 'retry')) {
          paused = true;
        }
        due = attempt.at + attempt.ms + (attempt.delay ?? 0);
      }
    };
    const send = async (
      path: string,
      init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    ) => {
      const startedAt = Date.now();
      try {
        const sent = await api.send(path, { ...init, headers: { ...headers, ...init.headers } });
        check(sent.attempts, startedAt);
        return sent.response;
      } catch (error) {
        if (RequestError.is(error)) check(error.attempts, startedAt);
        throw error;
      }
    };
    try {
      if (op.kind === 'order') {
        const response = await send('/orders', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ref: op.id, sku: op.sku, quantity: op.quantity }),
        });
        await response.arrayBuffer();
        return { ok: true, paused };
      }
      if (op.kind === 'product') {
        await (await send(`/products/${op.sku}`)).json();
        return { ok: true, paused };
      }
      // A stream that breaks off names the record to go on from; reads have no side effect.
      let from = op.from;
      let received = 0;
      for (let resumes = 0; ; resumes++) {
        const response = await send(
          `/streams/${op.stream}/records?from=${from}&limit=${op.limit - received}`,
        );
        try {
          for await (const event of readEvents(response, { catalog: ordersCatalog })) {
            if (Number(event.id) === op.from + received) received++;
          }
          break;
        } catch (error) {
          if (!ordersCatalog.is(error, 'stream_interrupted') || resumes >= 5) throw error;
          from = error.details.next_seq;
        }
      }
      return { ok: true, paused, incomplete: received !== op.limit };
    } catch (error) {
      const reason = RequestError.is(error) ? `${error.reason}` : errorCode(error);
      return { ok: false, paused, reason };
    }
  };
  return drive('faultline', options, live, execute);
}

/**
 * Runs the plan the way many hand-written clients do: `fetch` with a fixed retry loop (three
 * retries 100 ms apart on any 5xx, 429 or network error), no idempotency key, no reading of
 * `Retry-After` or `RateLimit`, and a stream taken as complete when its status is 200.
 */
export function runNaive(options: RunOptions): Promise<RunResult> {
  const live = options.live ?? liveCounters(undefined);
  live.breaker = undefined;
  const fetchCounted = counting(live);
  const base = options.baseUrl.replace(/\/+$/, '');

  const naiveFetch = async (path: string, init: RequestInit): Promise<Response> => {
    for (let retry = 0; ; retry++) {
      try {
        const response = await fetchCounted(`${base}${path}`, {
          ...init,
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        if ((response.status >= 500 || response.status === 429) && retry < 3) {
          await response.arrayBuffer().catch(() => undefined);
          await sleep(100);
          continue;
        }
        return response;
      } catch (error) {
        if (retry >= 3) throw error;
        await sleep(100);
      }
    }
  };

  const execute = async (op: Operation): Promise<Outcome> => {
    const headers: Record<string, string> = {
      [API_KEY_HEADER]: options.apiKey,
      [OP_HEADER]: op.id,
    };
    try {
      let response: Response;
      if (op.kind === 'order') {
        response = await naiveFetch('/orders', {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ ref: op.id, sku: op.sku, quantity: op.quantity }),
        });
      } else if (op.kind === 'product') {
        response = await naiveFetch(`/products/${op.sku}`, { headers });
      } else {
        response = await naiveFetch(
          `/streams/${op.stream}/records?from=${op.from}&limit=${op.limit}`,
          { headers },
        );
      }
      const text = await response.text();
      if (!response.ok) return { ok: false, reason: `HTTP ${response.status}` };
      if (op.kind !== 'stream') return { ok: true };
      // Every `data:` line is taken for a record; the terminal error event goes unnoticed.
      const records = text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)) as { seq?: unknown });
      const good = records.filter((record) => typeof record.seq === 'number').length;
      return { ok: true, incomplete: good !== op.limit };
    } catch (error) {
      return { ok: false, reason: errorCode(error) };
    }
  };
  return drive('naive', options, live, execute);
}

/** How long either client waits for one answer. */
const ATTEMPT_TIMEOUT_MS = 3000;

/** An attempt that leaves this much later than its schedule was held back by the gate. */
const PAUSE_MS = 150;

/** Starts each operation at its time, at most `maxInFlight` at once; waits for them all. */
async function drive(
  client: RunResult['client'],
  options: RunOptions,
  live: LiveCounters,
  execute: (op: Operation) => Promise<Outcome>,
): Promise<RunResult> {
  const maxInFlight = options.maxInFlight ?? 200;
  const started = performance.now();
  const running = new Set<Promise<void>>();
  for (const op of options.plan.ops) {
    const wait = started + op.at - performance.now();
    if (wait > 0) await sleep(wait);
    while (running.size >= maxInFlight) await Promise.race(running);
    live.started++;
    const task: Promise<void> = execute(op).then((outcome) => {
      live.done++;
      if (outcome.ok) live.succeeded++;
      else {
        live.failed++;
        const reason = outcome.reason ?? 'failed';
        live.failures[reason] = (live.failures[reason] ?? 0) + 1;
      }
      if (outcome.paused) live.paused++;
      if (outcome.incomplete) live.incompleteStreams++;
      running.delete(task);
    });
    running.add(task);
  }
  await Promise.all(running);
  return {
    ...live,
    failures: { ...live.failures },
    client,
    elapsedMs: performance.now() - started,
  };
}

/** `fetch` that counts attempts, retries (a repeat of an operation already sent) and 429s. */
function counting(live: LiveCounters): (input: string, init: RequestInit) => Promise<Response> {
  const seen = new Set<string>();
  return async (input, init) => {
    const op = new Headers(init.headers).get(OP_HEADER);
    live.attempts++;
    if (op !== null) {
      if (seen.has(op)) live.retries++;
      else seen.add(op);
    }
    const response = await fetch(input, init);
    if (response.status === 429) live.rateLimited++;
    return response;
  };
}

/** A short name for a failure that is not a `RequestError`: what a log would say. */
function errorCode(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError') return 'timeout';
  if (e?.name === 'TypeError') return 'network error';
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'error';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
