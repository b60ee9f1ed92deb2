/**
 * The contract every idempotency store fulfils (memory, Redis, PostgreSQL), held to the same
 * behaviour by the conformance suite in `test/stores/`.
 */

/** How long a claim protects a key while its request runs, by default: 60 seconds. */
export const DEFAULT_LEASE_MS = 60_000;
/** How long a completed response is kept for replay, by default: 24 hours. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** The request header that carries the key (draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** The response header that marks a replayed response. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * The defaults in the shape the docs renderer takes (`policies.idempotency`), so generated
 * docs state the retention the draft asks servers to publish.
 */
export const IDEMPOTENCY_DEFAULTS = Object.freeze({
  retentionSeconds: DEFAULT_RETENTION_MS / 1000,
  leaseSeconds: DEFAULT_LEASE_MS / 1000,
  header: IDEMPOTENCY_KEY_HEADER,
});

/** A response as stored for replay. */
export interface StoredResponse {
  readonly status: number;
  /** Header pairs, names in lower case. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

/** The right to run the request of one key, until the lease ends or another writer claims. */
export interface Lease {
  /** The key's scope: tenant, method, path and idempotency key, hashed. */
  readonly scopeKey: string;
  /** A random token that fences this writer's completion. */
  readonly token: string;
  readonly fingerprint: string;
  readonly leaseMs: number;
  readonly retentionMs: number;
}

/** The answer to a claim. */
export type ClaimResult =
  /** This caller runs the request and must then complete or release the lease. */
  | { readonly kind: 'claimed'; readonly lease: Lease }
  /** Another request with the same key and payload holds a live lease (409). */
  | { readonly kind: 'in-flight' }
  /** The key is held or was completed with another fingerprint (422). */
  | { readonly kind: 'mismatch' }
  /** The request completed earlier: replay this response. */
  | { readonly kind: 'completed'; readonly response: StoredResponse };

/**
 * A place to keep idempotency records. A record is first a lease (expiring after `leaseMs`,
 * so a crashed request frees its key), then, once completed, a response kept for
 * `retentionMs`.
 */
export interface IdempotencyStore {
  /**
   * Claims `scopeKey` atomically: exactly one of any number of concurrent callers gets
   * `claimed`. An expired lease or an expired completed record counts as absent.
   */
  claim(
    scopeKey: string,
    fingerprint: string,
    leaseMs: number,
    retentionMs: number,
  ): Promise<ClaimResult>;
  /**
   * Stores the response of a claimed request, fenced: it resolves `false` and writes nothing
   * when another writer has claimed the key since (a live lease or a completed record that is
   * not this lease's). A record that expired or vanished is written.
   */
  complete(lease: Lease, response: StoredResponse): Promise<boolean>;
  /** Gives the key up without a response (the request had no effect); fenced like `complete`. */
  release(lease: Lease): Promise<boolean>;
  /** Releases what the store owns (timers, not connections passed in). */
  close?(): Promise<void>;
}

/**
 * A store that can complete a lease inside the same database transaction as the handler's
 * own writes, so the effect and the record commit together or not at all.
 */
export interface TransactionalIdempotencyStore<Transaction = unknown> extends IdempotencyStore {
  /**
   * Opens a transaction, runs `work` with it, completes the lease in it with the response
   * `work` resolves to, and commits. Rolls everything back when `work` throws (rethrown) or
   * when the lease was lost to another writer (`committed: false`).
   */
  runInTransaction(
    lease: Lease,
    work: (transaction: Transaction) => Promise<StoredResponse>,
  ): Promise<{ readonly committed: boolean; readonly response: StoredResponse }>;
}

/** Whether a store supports {@link TransactionalIdempotencyStore.runInTransaction}. */
export function isTransactionalStore(
  store: IdempotencyStore,
): store is TransactionalIdempotencyStore {
  return typeof (store as Partial<TransactionalIdempotencyStore>).runInTransaction === 'function';
}

const SAFE = /^[A-Za-z0-9_.:=+/-]{1,200}$/;

/**
 * Checks what stores write into keys and record headers.
 * @throws {TypeError} for a scope key or fingerprint outside `[A-Za-z0-9_.:=+/-]{1,200}`, or a
 *   lease or retention that is not a positive integer of milliseconds.
 */
export function checkClaim(
  scopeKey: string,
  fingerprint: string,
  leaseMs: number,
  retentionMs: number,
): void {
  if (typeof scopeKey !== 'string' || !SAFE.test(scopeKey)) {
    throw new TypeError('An idempotency scope key must match [A-Za-z0-9_.:=+/-]{1,200}');
  }
  if (typeof fingerprint !== 'string' || !SAFE.test(fingerprint)) {
    throw new TypeError('An idempotency fingerprint must match [A-Za-z0-9_.:=+/-]{1,200}');
  }
  for (const [name, value] of [
    ['leaseMs', leaseMs],
    ['retentionMs', retentionMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`${name} must be a positive integer of milliseconds, got ${value}`);
    }
  }
}

/** A fresh fencing token: 128 random bits in hex (Web Crypto, so it runs everywhere). */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
