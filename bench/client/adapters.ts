/**
 * The clients under test, each set up the way its README recommends, with the same attempt
 * budget (3 attempts: the first and 2 retries) and the same per-attempt timeout. Each adapter
 * resolves `true` when the logical request ended in a 2xx, `false` otherwise; it never throws.
 */
import axios from 'axios';
import axiosRetry from 'axios-retry';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import got from 'got';
import ky from 'ky';
import pRetry, { AbortError } from 'p-retry';
import type { createClient as CreateClient } from '../../src/client/index.js';
import type { Catalog } from '../../src/core/catalog.js';

/** One logical request. */
export interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What a client is built from for one scenario run. */
export interface Setup {
  baseUrl: string;
  /** Per-attempt timeout, in ms. */
  timeout: number;
  /** The API's catalog, for the clients that can use one. */
  catalog?: Catalog<any> | undefined;
}

export interface Adapter {
  name: string;
  /** How it is configured, for the report. */
  config: string;
  make(setup: Setup): (call: Call) => Promise<boolean>;
}

/** Attempts in all, the first included. */
export const ATTEMPTS = 3;

const settle = (work: () => Promise<unknown>) =>
  work().then(
    () => true,
    () => false,
  );

/**
 * The adapters, faultline's built from `createClient` as the caller loaded it (the bench
 * passes a bundle built the way an application would ship it, not the TypeScript source).
 */
export const adapters = (createClient: typeof CreateClient): Adapter[] => [
  {
    name: 'faultline',
    config: `createClient({ catalog, retry: { attempts: ${ATTEMPTS} }, timeout }) — defaults otherwise (budget, breaker, idempotency keys on)`,
    make({ baseUrl, timeout, catalog }) {
      const api = createClient({ baseUrl, catalog, retry: { attempts: ATTEMPTS }, timeout });
      return ({ method, path, headers, body }) =>
        settle(() => api.json(path, { method, headers, ...(body === undefined ? {} : { body }) }));
    },
  },
  {
    name: 'ky',
    config: `ky.create({ retry: { limit: ${ATTEMPTS - 1} }, timeout }) — its default methods, statuses and Retry-After handling`,
    make({ baseUrl, timeout }) {
      const client = ky.create({ prefixUrl: baseUrl, timeout, retry: { limit: ATTEMPTS - 1 } });
      return ({ method, path, headers, body }) =>
        settle(() =>
          client(path.slice(1), {
            method,
            headers,
            ...(body === undefined ? {} : { body }),
          }).json(),
        );
    },
  },
  {
    name: 'got',
    config: `got.extend({ retry: { limit: ${ATTEMPTS - 1} }, timeout: { request: timeout } }) — its defaults otherwise`,
    make({ baseUrl, timeout }) {
      const client = got.extend({
        prefixUrl: baseUrl,
        timeout: { request: timeout },
        retry: { limit: ATTEMPTS - 1 },
      });
      return ({ method, path, headers, body }) =>
        settle(() =>
          client(path.slice(1), {
            method,
            headers,
            ...(body === undefined ? {} : { body }),
          }).json(),
        );
    },
  },
  {
    name: 'p-retry',
    config: `pRetry(fetch that throws on non-2xx and AbortError on 404, { retries: ${ATTEMPTS - 1} })`,
    make({ baseUrl, timeout }) {
      return ({ method, path, headers, body }) =>
        settle(() =>
          pRetry(
            async () => {
              const response = await fetch(baseUrl + path, {
                method,
                headers,
                body: body ?? null,
                signal: AbortSignal.timeout(timeout),
              });
              if (response.status === 404) throw new AbortError(response.statusText);
              if (!response.ok) throw new Error(`HTTP ${response.status}`);
              return response.json();
            },
            { retries: ATTEMPTS - 1 },
          ),
        );
    },
  },
  {
    name: 'axios + axios-retry',
    config: `axiosRetry(axios.create({ timeout }), { retries: ${ATTEMPTS - 1}, retryDelay: axiosRetry.exponentialDelay })`,
    make({ baseUrl, timeout }) {
      const client = axios.create({ baseURL: baseUrl, timeout });
      axiosRetry(client, { retries: ATTEMPTS - 1, retryDelay: axiosRetry.exponentialDelay });
      return ({ method, path, headers, body }) =>
        settle(() =>
          client.request({
            url: path,
            method,
            headers,
            ...(body === undefined ? {} : { data: body }),
          }),
        );
    },
  },
  {
    name: 'cockatiel',
    config: `wrap(retry(handleAll, { maxAttempts: ${ATTEMPTS - 1}, backoff: new ExponentialBackoff() }), circuitBreaker(handleAll, { halfOpenAfter: 10s, breaker: new ConsecutiveBreaker(5) }), timeout(timeout))`,
    make({ baseUrl, timeout: ms }) {
      const policy = wrap(
        retry(handleAll, { maxAttempts: ATTEMPTS - 1, backoff: new ExponentialBackoff() }),
        circuitBreaker(handleAll, {
          halfOpenAfter: 10_000,
          breaker: new ConsecutiveBreaker(5),
        }),
        timeout(ms, TimeoutStrategy.Aggressive),
      );
      return ({ method, path, headers, body }) =>
        settle(() =>
          policy.execute(async ({ signal }) => {
            const response = await fetch(baseUrl + path, {
              method,
              headers,
              body: body ?? null,
              signal,
            });
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            return response.json();
          }),
        );
    },
  },
];
