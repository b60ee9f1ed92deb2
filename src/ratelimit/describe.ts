import { normalizePolicy } from './gcra.js';
import type { RateLimitOptions, RateLimitRule } from './rules.js';

/** One policy as the docs renderer lists it (`policies.rateLimit.policies`). */
export interface RateLimitPolicySummary {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly key: string;
}

/** Rate limiting as the docs renderer takes it (`DocsOptions.policies.rateLimit`). */
export interface RateLimitSummary {
  readonly policies: readonly RateLimitPolicySummary[];
  readonly headers: 'ietf' | 'both';
  readonly onStoreFailure: 'open' | 'closed' | 'local';
}

/**
 * What a rate limiter's options enforce, in the shape the docs renderer documents, so the
 * published limits are the configured ones.
 *
 * @example
 * ```ts
 * renderMarkdown(catalog, { policies: { rateLimit: describeRateLimit(limits) } });
 * ```
 */
export function describeRateLimit<R>(options: RateLimitOptions<R>): RateLimitSummary {
  const rules: readonly RateLimitRule<R>[] = Array.isArray(options.policies)
    ? options.policies
    : [options.policies as RateLimitRule<R>];
  const defaultKey = options.key ?? 'ip';
  const mode = options.onStoreFailure ?? 'fail-open';
  return {
    policies: rules.map((rule) => {
      const policy = normalizePolicy(rule);
      const key = rule.key ?? defaultKey;
      return {
        name: policy.name,
        limit: policy.limit,
        windowSeconds: policy.windowMs / 1000,
        key: typeof key === 'function' ? 'custom' : key,
      };
    }),
    headers: options.legacyHeaders ? 'both' : 'ietf',
    onStoreFailure: mode === 'fail-open' ? 'open' : mode === 'fail-closed' ? 'closed' : 'local',
  };
}
