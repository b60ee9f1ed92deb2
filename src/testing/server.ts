import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../core/error.js';
import { encode } from '../core/wire/index.js';
import { errorOf, parsePlan, type Step } from './plan.js';

/** What a plan function is told about one request. */
export interface FaultRequest {
  method: string;
  /** The path and query. */
  path: string;
  /** The operation key: the `x-op` header, else method and path. */
  op: string;
  /** 1 for the first request of the operation, 2 for its first retry, … */
  attempt: number;
  headers: IncomingHttpHeaders;
}

/** A global fixed-window rate limit, answered with real headers. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in whole seconds (default 1). */
  window?: number;
  /** Also send `X-RateLimit-Limit`, `-Remaining` and `-Reset` (epoch seconds). */
  legacy?: boolean;
}

/** A span of time, in ms since the server started (or was last reset), when it is down. */
export interface Outage {
  start: number;
  end: number;
  /** `503` answers a 503 without executing (default); `reset` drops the connection. */
  mode?: '503' | 'reset';
}

/** Options of {@link startFaultServer}. */
export interface FaultServerOptions {
  /**
   * The plan of requests that carry no `x-fault` header: plan text (see `parsePlan`), or a
   * function of the request that returns one (`undefined`: `ok`). Default `ok`.
   */
  plan?: string | ((request: FaultRequest) => string | undefined);
  rateLimit?: RateLimitOptions;
  outages?: readonly Outage[];
  /** Replay the outcome of an operation to a request that repeats its `Idempotency-Key` (default true). */
  idempotency?: boolean;
  /** Milliseconds each execution takes (default 0). */
  work?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

/** What the server saw and did since it started or was last reset. */
export interface FaultStats {
  /** Requests received (control requests and CORS preflights excluded). */
  requests: number;
  /** Operations executed, in all. */
  executions: number;
  /** Executions beyond the first of each operation: side effects done twice. */
  duplicates: number;
  /** Executions per operation key. */
  perOperation: Record<string, number>;
  /** Requests per operation key. */
  attempts: Record<string, number>;
  /** Answers by status, plus `reset` and `hang`. */
  answers: Record<string, number>;
  /** Requests refused by the rate limit. */
  rateLimited: number;
  /** Requests answered from the idempotency store instead of executing again. */
  replays: number;
}

/** A running fault server. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stats(): FaultStats;
  /** Clears counters, the idempotency store and the rate-limit window; restarts the outage clock. */
  reset(): void;
  /** Starts an outage now, for `ms`. */
  outage(ms: number, mode?: Outage['mode']): void;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': '*',
};

function emptyStats(): FaultStats {
  return {
    requests: 0,
    executions: 0,
    duplicates: 0,
    perOperation: {},
    attempts: {},
    answers: {},
    rateLimited: 0,
    replays: 0,
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts an HTTP server on 127.0.0.1 that misbehaves on purpose, for testing clients: per
 * request (the `x-fault` header) or by a plan, it fails before or after executing with the
 * errors of the preset APIs, hangs, resets connections, answers "not ready" or breaks a stream
 * after `200 OK`; it can enforce a global rate limit with real headers and go down for outage
 * windows. It counts executions per operation (the `x-op` header), so a duplicate side effect
 * shows, and honours `Idempotency-Key` as a real API would.
 *
 * Control endpoints: `GET /__fault/stats`, `POST /__fault/reset`, `POST /__fault/outage?ms=`.
 *
 * @example
 * ```ts
 * const server = await startFaultServer({ plan: 'after:s2.unavailable, ok' });
 * await fetch(`${server.url}/orders`, { method: 'POST', headers: { 'x-op': 'order-1' } });
 * server.stats().perOperation['order-1']; // 1
 * await server.close();
 * ```
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const defaultPlan =
    typeof options.plan === 'string' ? parsePlan(options.plan) : [{ kind: 'ok' } as Step];
  const idempotency = options.idempotency ?? true;
  const windowMs = (options.rateLimit?.window ?? 1) * 1000;
  let stats = emptyStats();
  let started = Date.now();
  let outages: Outage[] = [...(options.outages ?? [])];
  let store = new Map<string, string>();
  let windowStart = 0;
  let windowCount = 0;
  const plans = new Map<string, Step[]>();

  const answered = (what: string | number) => {
    stats.answers[what] = (stats.answers[what] ?? 0) + 1;
  };

  const planOf = (request: FaultRequest): Step[] => {
    const text =
      (request.headers['x-fault'] as string | undefined) ??
      (typeof options.plan === 'function' ? options.plan(request) : undefined);
    if (text === undefined) return defaultPlan;
    let plan = plans.get(text);
    if (!plan) {
      plan = parsePlan(text);
      plans.set(text, plan);
    }
    return plan;
  };

  const send = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
  ) => {
    answered(status);
    res.writeHead(status, { ...CORS, ...headers });
    res.end(body);
  };

  const drop = (res: ServerResponse) => {
    answered('reset');
    res.socket?.destroy();
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fault.invalid');
    const path = url.pathname + url.search;
    if (url.pathname.startsWith('/__fault/')) {
      if (url.pathname === '/__fault/stats') {
        res.writeHead(200, { ...CORS, 'content-type': 'application/json' });
        res.end(JSON.stringify(stats));
      } else if (url.pathname === '/__fault/reset' && req.method === 'POST') {
        handle.reset();
        res.writeHead(204, CORS).end();
      } else if (url.pathname === '/__fault/outage' && req.method === 'POST') {
        handle.outage(Number(url.searchParams.get('ms')) || 0);
        res.writeHead(204, CORS).end();
      } else res.writeHead(404, CORS).end();
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS,
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    // The body is read whole: the fault server only counts requests, it never looks inside.
    for await (const _ of req) {
      // Drain.
    }

    const method = req.method ?? 'GET';
    const op = (req.headers['x-op'] as string | undefined) ?? `${method} ${url.pathname}`;
    stats.requests++;
    const attempt = (stats.attempts[op] ?? 0) + 1;
    stats.attempts[op] = attempt;
    const request: FaultRequest = { method, path, op, attempt, headers: req.headers };

    const now = Date.now();
    const down = outages.find((o) => now - started >= o.start && now - started < o.end);
    if (down) {
      if (down.mode === 'reset') return drop(res);
      const outage = errorOf('503', undefined);
      return send(res, outage.status, outage.headers, outage.body);
    }

    const limits: Record<string, string> = {};
    const limit = options.rateLimit;
    if (limit) {
      if (now - windowStart >= windowMs) {
        windowStart = now - ((now - windowStart) % windowMs);
        windowCount = 0;
      }
      const reset = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
      const allowed = windowCount < limit.limit;
      if (allowed) windowCount++;
      const remaining = limit.limit - windowCount;
      limits['ratelimit-policy'] = `"global";q=${limit.limit};w=${windowMs / 1000}`;
      limits.ratelimit = `"global";r=${remaining};t=${reset}`;
      if (limit.legacy) {
        limits['x-ratelimit-limit'] = String(limit.limit);
        limits['x-ratelimit-remaining'] = String(remaining);
        limits['x-ratelimit-reset'] = String(Math.ceil((windowStart + windowMs) / 1000));
      }
      if (!allowed) {
        stats.rateLimited++;
        const error = new ApiError({
          code: 'rate_limited',
          status: 429,
          message: 'Too many requests',
          retryAfter: reset,
        });
        const refused = encode(error, 'problem');
        return send(res, 429, { ...refused.headers, ...limits }, refused.body);
      }
    }

    let step: Step;
    try {
      const plan = planOf(request);
      step = plan[Math.min(attempt - 1, plan.length - 1)] ?? { kind: 'ok' };
    } catch (error) {
      return send(
        res,
        400,
        { 'content-type': 'text/plain' },
        `Bad x-fault plan: ${(error as Error).message}`,
      );
    }

    // Faults in front of the application: nothing executes.
    switch (step.kind) {
      case 'before': {
        const error = errorOf(step.error!, step.retryAfter);
        if (step.delay) await wait(step.delay);
        return send(res, error.status, { ...error.headers, ...limits }, error.body);
      }
      case 'hang':
        answered('hang');
        return;
      case 'reset':
        return drop(res);
      case 'pending': {
        const after = step.retryAfter ?? 1;
        return send(
          res,
          202,
          {
            'content-type': 'application/json',
            'retry-after': String(Math.ceil(after)),
            ...limits,
          },
          JSON.stringify({ message: 'Accepted, not ready yet', retry_after: after }),
        );
      }
    }

    // The application: executes once per idempotency key, or replays the stored outcome.
    const key = idempotency ? (req.headers['idempotency-key'] as string | undefined) : undefined;
    const stored = key === undefined ? undefined : store.get(`${op}\n${key}`);
    let result = stored;
    if (result === undefined) {
      stats.executions++;
      const count = (stats.perOperation[op] ?? 0) + 1;
      stats.perOperation[op] = count;
      if (count > 1) stats.duplicates++;
      result = JSON.stringify({ ok: true, op, executions: count });
      if (key !== undefined) store.set(`${op}\n${key}`, result);
      if (options.work) await wait(options.work);
    } else stats.replays++;
    if (step.delay) await wait(step.delay);

    // Faults on the way back: the work is done, the answer is lost.
    switch (step.kind) {
      case 'after': {
        const error = errorOf(step.error!, step.retryAfter);
        return send(res, error.status, { ...error.headers, ...limits }, error.body);
      }
      case 'hang-after':
        answered('hang');
        return;
      case 'reset-after':
        return drop(res);
      case 'stream':
        return stream(res, step, limits);
    }
    const replay = stored === undefined ? {} : { 'idempotent-replayed': 'true' };
    send(res, 200, { 'content-type': 'application/json', ...replay, ...limits }, result);
  });

  const stream = async (res: ServerResponse, step: Step, limits: Record<string, string>) => {
    const ndjson = step.format === 'ndjson';
    answered(200);
    res.writeHead(200, {
      ...CORS,
      ...limits,
      'content-type': ndjson ? 'application/x-ndjson' : 'text/event-stream',
      'cache-control': 'no-store',
    });
    for (let i = 0; i < (step.events ?? 3); i++) {
      const data = JSON.stringify({ seq: i });
      res.write(ndjson ? `${data}\n` : `event: batch\ndata: ${data}\n\n`);
      if (step.delay) await wait(step.delay);
    }
    if (step.error === undefined) return void res.end();
    const error = errorOf(step.error, step.retryAfter);
    res.end(ndjson ? `{"error":${error.body}}\n` : `event: error\ndata: ${error.body}\n\n`);
  };

  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  const handle: FaultServer = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => structuredClone(stats),
    reset() {
      stats = emptyStats();
      store = new Map();
      started = Date.now();
      outages = [...(options.outages ?? [])];
      windowStart = 0;
      windowCount = 0;
    },
    outage(ms, mode) {
      const at = Date.now() - started;
      outages.push(
        mode === undefined ? { start: at, end: at + ms } : { start: at, end: at + ms, mode },
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and keep-alive sockets would hold close() open forever.
        server.closeAllConnections();
      }),
  };
  return handle;
}
