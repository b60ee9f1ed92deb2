import { describe, expect, expectTypeOf, it } from 'vitest';
import { ApiError } from '../core/error.js';
import { discord, eventStore, jan, s2, sequin } from './index.js';

describe('s2', () => {
  it('fills the structured 412 message from its details and keeps them typed', () => {
    const error = s2.create('seq_num_mismatch', { seq_num_mismatch: 42 });
    expect(error.status).toBe(412);
    expect(error.message).toContain('42');
    expect(error.details).toEqual({ seq_num_mismatch: 42 });
    expectTypeOf(error.details).toEqualTypeOf<{ seq_num_mismatch: number }>();
    // Type-level only (never called): a structured entry's details are required.
    const missingDetails = () =>
      // @ts-expect-error the fencing token is required
      s2.create('fencing_token_mismatch');
    expectTypeOf(missingDetails).returns.toHaveProperty('details');
  });

  it('types the 416 tail and rejects a body that does not match it', () => {
    const error = s2.create('range_not_satisfiable', { tail: { seq_num: 7, timestamp: 1 } });
    expectTypeOf(error.details.tail).toEqualTypeOf<{ seq_num: number; timestamp: number }>();
    expect(s2.is(error, 'range_not_satisfiable')).toBe(true);
    const forged = new ApiError({
      code: 'range_not_satisfiable',
      status: 416,
      message: 'x',
      details: { tail: { seq_num: 'seven' } },
    });
    expect(s2.is(forged, 'range_not_satisfiable')).toBe(false);
  });

  it('marks only the append-condition and read-range errors as structured', () => {
    expect(s2.entries.filter((entry) => entry.structured).map((entry) => entry.code)).toEqual([
      'fencing_token_mismatch',
      'seq_num_mismatch',
      'range_not_satisfiable',
    ]);
  });
});

describe('sequin', () => {
  it('keys every code by its HTTP status', () => {
    for (const entry of sequin.entries) expect(entry.code).toBe(entry.status);
    expect(sequin.get('422')?.name).toBe('Unprocessable Entity');
  });
});

describe('event store', () => {
  it('treats 2002 as success and never 2013', () => {
    const landed = eventStore.get(2002)!;
    expect([landed.successEquivalent, landed.sideEffect, landed.retry]).toEqual([
      true,
      'yes',
      'no',
    ]);
    const inflight = eventStore.get(2013)!;
    expect(inflight.successEquivalent).toBe(false);
    expect(inflight.notSuccess).toMatch(/failover/);
    expect([inflight.retry, inflight.sideEffect]).toEqual(['yes', 'maybe']);
  });

  it('keeps AggregateNotExists under both 1001 and 2005, in their own categories', () => {
    const named = eventStore.entries.filter((entry) => entry.name === 'AggregateNotExists');
    expect(named.map((entry) => [entry.code, entry.groups])).toEqual([
      [1001, ['Read']],
      [2005, ['Write and request']],
    ]);
  });

  it('resolves a code to its narrowest category, schema codes included', () => {
    expect(eventStore.categoryOf(2013)?.id).toBe('Write and request');
    expect(eventStore.categoryOf(2020)?.id).toBe('Schema');
    expect(eventStore.categoryOf(2029)?.id).toBe('Schema');
    expect(eventStore.categoryOf(2030)?.id).toBe('Write and request');
    expect(eventStore.categoryOf(10000)?.id).toBe('Identity and authentication');
    expect(eventStore.categoryOf(12000)).toBeUndefined();
  });

  it('reserves unlisted codes but stays open to new ones before 1.0', () => {
    expect(eventStore.unlistedReserved).toBe(true);
    expect(eventStore.closed).toBe(false);
  });

  it('says the replication-batch codes come from the follower-facing port', () => {
    const group = eventStore.groups.find((candidate) => candidate.id === 'Replication batch');
    expect(group?.description).toMatch(/follower-facing/);
  });

  it('answers every wrong-node and load-shedding code with a safe 503 retry', () => {
    const refused = eventStore.entries.filter((entry) =>
      /NotLeader|CannotAcceptWrites|Backpressure|ServerBusy|LockTimeout/.test(entry.name),
    );
    expect(refused.length).toBe(7);
    for (const entry of refused) {
      expect([entry.status, entry.retry, entry.sideEffect], entry.name).toEqual([503, 'yes', 'no']);
    }
  });

  it('answers every optimistic-concurrency violation with 409 after-change', () => {
    const conflicts = eventStore.entries.filter((entry) =>
      entry.name.endsWith('OptimisticConcurrencyViolation'),
    );
    expect(conflicts.map((entry) => entry.code)).toEqual([2003, 4002]);
    for (const entry of conflicts)
      expect([entry.status, entry.retry]).toEqual([409, 'after-change']);
  });
});

describe('discord', () => {
  it('keeps JSON codes clear of the HTTP status range', () => {
    const http = discord.groups.find((group) => group.id === 'HTTP')!;
    const json = discord.groups.find((group) => group.id === 'JSON')!;
    expect(http.range).toEqual([100, 599]);
    for (const code of http.codes) expect(discord.get(code)?.status).toBe(code);
    for (const code of json.codes)
      expect((code as number) < 100 || (code as number) > 599).toBe(true);
  });

  it('marks 202 as pending and the other success rows as success-equivalent', () => {
    expect(discord.get(202)).toMatchObject({
      pending: true,
      retry: 'yes',
      successEquivalent: false,
    });
    for (const code of [200, 201, 204, 304]) {
      expect(discord.get(code)).toMatchObject({ successEquivalent: true, pending: false });
    }
  });

  it('types the JSON code from the reference example', () => {
    const error = discord.create(50014);
    expectTypeOf(error.code).toEqualTypeOf<50014>();
    expect([error.status, error.message]).toEqual([401, 'Invalid authentication token']);
  });
});

describe('jan', () => {
  it('lists one code in two services with one semantics and a meaning per service', () => {
    const timeout = jan.get('TIMEOUT')!;
    expect(timeout.groups).toEqual(['Response API', 'MCP Tools']);
    expect(timeout.groupMeanings['MCP Tools']).toMatch(/tool/i);
    expect(timeout.meaning).toMatch(/response/i);
    expect(jan.get('INVALID_PARAMETERS')?.groups).toEqual(['LLM API', 'MCP Tools']);
    expect(jan.get('RATE_LIMIT_EXCEEDED')?.groups).toEqual(['General', 'LLM API']);
  });

  it('keeps codes listed in two groups usable from TypeScript', () => {
    // A code defined in two groups must not collapse to `never` details.
    expectTypeOf(jan.create('TIMEOUT').details).toEqualTypeOf<Record<string, never>>();
    expectTypeOf(jan.create('INVALID_PARAMETERS').code).toEqualTypeOf<'INVALID_PARAMETERS'>();
    expect(jan.create('TIMEOUT').status).toBe(504);
  });

  it('retries server errors and 429 only', () => {
    for (const entry of jan.entries) {
      const expected =
        entry.status === 429 || entry.status >= 500 ? ['yes', 'after-change'] : ['no'];
      expect(expected, `${entry.code}`).toContain(entry.retry);
    }
    // The only 5xx not retried as-is: waiting does not free storage.
    expect(
      jan.entries.filter((e) => e.status >= 500 && e.retry !== 'yes').map((e) => e.code),
    ).toEqual(['STORAGE_FULL']);
  });

  it('carries the rate-limit window as typed optional details and a default Retry-After', () => {
    const error = jan.create('RATE_LIMIT_EXCEEDED', { limit: 100, remaining: 0 });
    expectTypeOf(error.details).toEqualTypeOf<{
      limit?: number;
      remaining?: number;
      reset_at?: string;
    }>();
    expect(error.retryAfter).toBe(60);
    expect(jan.create('SERVICE_UNAVAILABLE').retryAfter).toBe(300);
  });
});
