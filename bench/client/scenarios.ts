/**
 * The fault scenarios. Each logical request `i` gets a deterministic fault plan, so every
 * client meets exactly the same faults in the same order.
 */
import type { Catalog } from '../../src/core/catalog.js';
import { s2 } from '../../src/presets/index.js';
import type { FaultServerOptions } from '../../src/testing/index.js';

export type Load =
  | { kind: 'closed'; requests: number; concurrency: number }
  | { kind: 'open'; perSecond: number; duration: number };

export interface Scenario {
  id: string;
  title: string;
  method: 'GET' | 'POST';
  /** The `x-fault` plan of logical request `i`. */
  plan(i: number): string;
  /** Whether request `i` can succeed at all within the attempt budget. */
  recoverable(i: number): boolean;
  /** Whether the first failure of request `i` is one no retry can fix (a retry is a mistake). */
  hopeless(i: number): boolean;
  load: Load;
  /** Per-attempt timeout given to every client, in ms. */
  timeout: number;
  catalog?: Catalog<any>;
  server?: FaultServerOptions;
  /** The span (ms from the start) whose requests the "sent per logical request" counts. */
  window?: [number, number];
}

const never = () => false;
const always = () => true;

export const SCENARIOS: Scenario[] = [
  {
    id: 'transient',
    title: 'Transient 503s on GETs',
    method: 'GET',
    // 1 in 20 fails twice, 1 in 20 once: every request succeeds within 3 attempts.
    plan: (i) =>
      i % 20 === 0 ? 'before:503, before:503, ok' : i % 20 === 10 ? 'before:503, ok' : 'ok',
    recoverable: always,
    hopeless: never,
    load: { kind: 'closed', requests: 300, concurrency: 10 },
    timeout: 2000,
  },
  {
    id: 'post-after',
    title: 'POSTs that fail after executing',
    method: 'POST',
    // The work is done, then the answer is lost: a 503 on the way back, or a reset connection.
    plan: (i) =>
      i % 10 === 3 ? 'after:s2.unavailable, ok' : i % 20 === 7 ? 'reset-after, ok' : 'ok',
    recoverable: always,
    hopeless: never,
    load: { kind: 'closed', requests: 200, concurrency: 10 },
    timeout: 2000,
    catalog: s2,
  },
  {
    id: 'rate-limit',
    title: 'A global rate limit (50 per second, real headers)',
    method: 'GET',
    plan: () => 'ok',
    recoverable: always,
    hopeless: never,
    load: { kind: 'closed', requests: 200, concurrency: 40 },
    timeout: 2000,
    server: { rateLimit: { limit: 50, window: 1 } },
  },
  {
    id: 'outage',
    title: 'A 4-second full outage under steady load (100 requests per second)',
    method: 'GET',
    plan: () => 'ok',
    // Requests that start during the outage cannot succeed within 3 quick attempts.
    recoverable: always,
    hopeless: never,
    load: { kind: 'open', perSecond: 100, duration: 8000 },
    timeout: 2000,
    server: { outages: [{ start: 2000, end: 6000 }] },
    window: [2000, 6000],
  },
  {
    id: 'client-errors',
    title: 'Non-retryable 4xx (400, 401, 404, 422)',
    method: 'GET',
    plan: (i) =>
      ({ 1: 'before:s2.bad_json', 4: 'before:s2.authn', 6: 'before:404', 8: 'before:s2.invalid' })[
        i % 10
      ] ?? 'ok',
    recoverable: (i) => ![1, 4, 6, 8].includes(i % 10),
    hopeless: (i) => [1, 4, 6, 8].includes(i % 10),
    load: { kind: 'closed', requests: 200, concurrency: 10 },
    timeout: 2000,
    catalog: s2,
  },
  {
    id: 'conflicts',
    title: 'Retryable vs non-retryable 409s (S2 transaction_conflict vs resource_already_exists)',
    method: 'POST',
    plan: (i) =>
      i % 10 === 2
        ? 'before:s2.transaction_conflict, ok'
        : i % 10 === 7
          ? 'before:s2.resource_already_exists'
          : 'ok',
    recoverable: (i) => i % 10 !== 7,
    hopeless: (i) => i % 10 === 7,
    load: { kind: 'closed', requests: 200, concurrency: 10 },
    timeout: 2000,
    catalog: s2,
  },
  {
    id: 'hangs',
    title: 'Hangs (1 in 10 first attempts never answers; 500 ms attempt timeout)',
    method: 'GET',
    plan: (i) => (i % 10 === 4 ? 'hang, ok' : 'ok'),
    recoverable: always,
    hopeless: never,
    load: { kind: 'closed', requests: 150, concurrency: 10 },
    timeout: 500,
  },
];
