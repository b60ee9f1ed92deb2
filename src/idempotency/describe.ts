import type { IdempotencyOptions } from './http.js';
import { DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, IDEMPOTENCY_KEY_HEADER } from './types.js';

/** Idempotency keys as the docs renderer takes them (`DocsOptions.policies.idempotency`). */
export interface IdempotencySummary {
  readonly retentionSeconds: number;
  readonly leaseSeconds: number;
  readonly header: string;
  readonly required: boolean;
}

/**
 * What idempotency options enforce, in the shape the docs renderer documents: the draft asks
 * servers to publish how long keys are kept.
 *
 * @example
 * ```ts
 * renderMarkdown(catalog, { policies: { idempotency: describeIdempotency({ required: true }) } });
 * ```
 */
export function describeIdempotency<R>(options: IdempotencyOptions<R> = {}): IdempotencySummary {
  const guard = options.guard;
  return {
    retentionSeconds: (guard?.retentionMs ?? options.retentionMs ?? DEFAULT_RETENTION_MS) / 1000,
    leaseSeconds: (guard?.leaseMs ?? options.leaseMs ?? DEFAULT_LEASE_MS) / 1000,
    header: options.header ?? IDEMPOTENCY_KEY_HEADER,
    required: options.required ?? false,
  };
}
