import { describe, expect, it } from 'vitest';
import type { DocsPolicies } from '../docs/model.js';
import { describeIdempotency } from '../idempotency/describe.js';
import { DEFAULT_RETENTION_MS, IDEMPOTENCY_DEFAULTS } from '../idempotency/types.js';
import { describeRateLimit } from './describe.js';

describe('docs summaries', () => {
  it('describes rate limits in the docs renderer shape', () => {
    const summary = describeRateLimit<Request>({
      key: 'api-key',
      legacyHeaders: true,
      onStoreFailure: 'fallback',
      policies: [
        { name: 'burst', limit: 10, windowMs: 1000 },
        { limit: 1000, windowMs: 3_600_000, key: 'ip' },
        { limit: 5, windowMs: 60_000, key: () => 'tenant' },
      ],
    });
    expect(summary).toEqual({
      policies: [
        { name: 'burst', limit: 10, windowSeconds: 1, key: 'api-key' },
        { name: '1000-per-3600s', limit: 1000, windowSeconds: 3600, key: 'ip' },
        { name: '5-per-60s', limit: 5, windowSeconds: 60, key: 'custom' },
      ],
      headers: 'both',
      onStoreFailure: 'local',
    });
    const docs: DocsPolicies = { rateLimit: summary, idempotency: describeIdempotency() };
    expect(docs.idempotency).toEqual({
      retentionSeconds: DEFAULT_RETENTION_MS / 1000,
      leaseSeconds: 60,
      header: 'Idempotency-Key',
      required: false,
    });
  });

  it('exports the idempotency defaults in the docs shape', () => {
    expect(IDEMPOTENCY_DEFAULTS).toEqual({
      retentionSeconds: 86_400,
      leaseSeconds: 60,
      header: 'Idempotency-Key',
    });
    expect(
      describeIdempotency({ retentionMs: 3_600_000, leaseMs: 5_000, required: true }),
    ).toMatchObject({
      retentionSeconds: 3600,
      leaseSeconds: 5,
      required: true,
    });
  });
});
