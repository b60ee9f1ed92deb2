import {
  type ClaimResult,
  checkClaim,
  type IdempotencyStore,
  type Lease,
  newToken,
  type StoredResponse,
} from './types.js';

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /**
   * The most records kept (default 100 000). Expired records go first; past the cap the
   * oldest completed records are forgotten early, so a retry of one of them would run again.
   */
  readonly maxRecords?: number;
  /** The clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

interface MemoryRecord {
  readonly token: string;
  readonly fingerprint: string;
  readonly expiresAt: number;
  /** Set once completed. */
  readonly response: StoredResponse | undefined;
}

/**
 * The embedded idempotency store, for one process (development, tests, a single instance).
 * Several processes need Redis or PostgreSQL.
 *
 * @example
 * ```ts
 * const store = new MemoryIdempotencyStore();
 * const claim = await store.claim(scope, fingerprint, 60_000, 86_400_000);
 * ```
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, MemoryRecord>();
  readonly #maxRecords: number;
  readonly #now: () => number;
  #cursor: Iterator<[string, MemoryRecord]> | undefined;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const maxRecords = options.maxRecords ?? 100_000;
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      throw new RangeError(`maxRecords must be a positive integer, got ${maxRecords}`);
    }
    this.#maxRecords = maxRecords;
    this.#now = options.now ?? Date.now;
  }

  /** How many records are held (expired ones included until swept). */
  get size(): number {
    return this.#records.size;
  }

  async claim(
    scopeKey: string,
    fingerprint: string,
    leaseMs: number,
    retentionMs: number,
  ): Promise<ClaimResult> {
    checkClaim(scopeKey, fingerprint, leaseMs, retentionMs);
    const now = this.#now();
    this.#sweep(now, 2);
    const record = this.#live(scopeKey, now);
    if (record) {
      if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return record.response
        ? { kind: 'completed', response: record.response }
        : { kind: 'in-flight' };
    }
    if (this.#records.size >= this.#maxRecords) this.#evict(now);
    const token = newToken();
    this.#records.set(scopeKey, {
      token,
      fingerprint,
      expiresAt: now + leaseMs,
      response: undefined,
    });
    return { kind: 'claimed', lease: { scopeKey, token, fingerprint, leaseMs, retentionMs } };
  }

  async complete(lease: Lease, response: StoredResponse): Promise<boolean> {
    const now = this.#now();
    const record = this.#live(lease.scopeKey, now);
    if (record && (record.token !== lease.token || record.response)) return false;
    this.#records.set(lease.scopeKey, {
      token: lease.token,
      fingerprint: lease.fingerprint,
      expiresAt: now + lease.retentionMs,
      response: copy(response),
    });
    return true;
  }

  async release(lease: Lease): Promise<boolean> {
    const record = this.#live(lease.scopeKey, this.#now());
    if (!record || record.token !== lease.token || record.response) return false;
    this.#records.delete(lease.scopeKey);
    return true;
  }

  async close(): Promise<void> {
    this.#records.clear();
    this.#cursor = undefined;
  }

  #live(scopeKey: string, now: number): MemoryRecord | undefined {
    const record = this.#records.get(scopeKey);
    if (record && record.expiresAt <= now) {
      this.#records.delete(scopeKey);
      return undefined;
    }
    return record;
  }

  /** Looks at a few records under a cursor that walks the map, dropping expired ones. */
  #sweep(now: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.#cursor ??= this.#records.entries();
      const next = this.#cursor.next();
      if (next.done) {
        this.#cursor = undefined;
        return;
      }
      if (next.value[1].expiresAt <= now) this.#records.delete(next.value[0]);
    }
  }

  /**
   * Makes room for one record: an expired one, else the oldest completed one among the oldest
   * records. Live leases are never dropped (that could run a request twice): a store full of
   * them refuses the claim instead.
   */
  #evict(now: number): void {
    let looked = 0;
    for (const [key, record] of this.#records) {
      if (record.expiresAt <= now || record.response) {
        this.#records.delete(key);
        return;
      }
      if (++looked >= 64) break;
    }
    throw new RangeError(
      `MemoryIdempotencyStore is full of requests in flight (${this.#maxRecords})`,
    );
  }
}

function copy(response: StoredResponse): StoredResponse {
  return {
    status: response.status,
    headers: response.headers.map(([name, value]) => [name, value] as const),
    body: response.body.slice(),
  };
}
