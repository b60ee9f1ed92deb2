/**
 * One suite every idempotency store passes: memory, Redis and PostgreSQL claim, fence,
 * release, expire and replay the same way.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { IdempotencyStore, Lease, StoredResponse } from '../../src/idempotency/types.js';
import { sleep } from './services.js';

const HOUR = 3_600_000;

function freshScope(): string {
  return `scope-${randomBytes(8).toString('hex')}`;
}

const response = (text: string, status = 201): StoredResponse => ({
  status,
  headers: [
    ['content-type', 'application/json'],
    ['location', '/orders/1'],
  ],
  body: new TextEncoder().encode(text),
});

async function claimed(store: IdempotencyStore, scope: string, fp: string, leaseMs = HOUR) {
  const result = await store.claim(scope, fp, leaseMs, HOUR);
  expect(result.kind).toBe('claimed');
  return (result as { lease: Lease }).lease;
}

/** Registers the conformance tests for the store `getStore()` returns. */
export function idempotencyConformance(getStore: () => IdempotencyStore): void {
  it('lets one claim through; a duplicate is in flight, another payload a mismatch', async () => {
    const store = getStore();
    const scope = freshScope();
    const lease = await claimed(store, scope, 'fp-a');
    expect(lease).toMatchObject({ scopeKey: scope, fingerprint: 'fp-a', leaseMs: HOUR });
    expect(await store.claim(scope, 'fp-a', HOUR, HOUR)).toEqual({ kind: 'in-flight' });
    expect(await store.claim(scope, 'fp-b', HOUR, HOUR)).toEqual({ kind: 'mismatch' });
  });

  it('replays a completed response: status, headers and body', async () => {
    const store = getStore();
    const scope = freshScope();
    const lease = await claimed(store, scope, 'fp');
    expect(await store.complete(lease, response('{"id":1,"note":"ünïcødé ✓"}'))).toBe(true);
    const again = await store.claim(scope, 'fp', HOUR, HOUR);
    expect(again.kind).toBe('completed');
    const stored = (again as { response: StoredResponse }).response;
    expect(stored.status).toBe(201);
    expect(stored.headers).toEqual([
      ['content-type', 'application/json'],
      ['location', '/orders/1'],
    ]);
    expect(new TextDecoder().decode(stored.body)).toBe('{"id":1,"note":"ünïcødé ✓"}');
    expect(await store.claim(scope, 'other', HOUR, HOUR)).toEqual({ kind: 'mismatch' });
  });

  it('keeps binary, empty and large bodies byte for byte', async () => {
    const store = getStore();
    const bodies = [
      new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x7c, 0x0a]),
      new Uint8Array(0),
      new Uint8Array(1_000_000).map((_, i) => (i * 31) % 256),
    ];
    for (const body of bodies) {
      const scope = freshScope();
      const lease = await claimed(store, scope, 'fp');
      expect(await store.complete(lease, { status: 200, headers: [], body })).toBe(true);
      const again = (await store.claim(scope, 'fp', HOUR, HOUR)) as { response: StoredResponse };
      expect(Buffer.from(again.response.body).equals(Buffer.from(body))).toBe(true);
    }
  });

  it('fences a writer whose lease expired and was claimed by another', async () => {
    const store = getStore();
    const scope = freshScope();
    const first = await claimed(store, scope, 'fp', 150);
    await sleep(250);
    const second = await claimed(store, scope, 'fp');
    expect(await store.complete(first, response('first'))).toBe(false);
    expect(await store.release(first)).toBe(false);
    expect(await store.complete(second, response('second'))).toBe(true);
    const replay = (await store.claim(scope, 'fp', HOUR, HOUR)) as { response: StoredResponse };
    expect(new TextDecoder().decode(replay.response.body)).toBe('second');
  });

  it('stores a late completion when nobody claimed the key since', async () => {
    const store = getStore();
    const scope = freshScope();
    const lease = await claimed(store, scope, 'fp', 100);
    await sleep(200);
    expect(await store.complete(lease, response('late'))).toBe(true);
    expect((await store.claim(scope, 'fp', HOUR, HOUR)).kind).toBe('completed');
  });

  it('frees the key of a crashed request after the lease, not the retention', async () => {
    const store = getStore();
    const scope = freshScope();
    await claimed(store, scope, 'fp', 600);
    expect(await store.claim(scope, 'fp', 600, HOUR)).toEqual({ kind: 'in-flight' });
    await sleep(700);
    await claimed(store, scope, 'fp');
  });

  it('forgets a completed response after its retention', async () => {
    const store = getStore();
    const scope = freshScope();
    const lease = (await store.claim(scope, 'fp', 100, 800)) as { lease: Lease };
    expect(await store.complete(lease.lease, response('kept'))).toBe(true);
    expect((await store.claim(scope, 'fp', 100, 800)).kind).toBe('completed');
    await sleep(900);
    expect((await store.claim(scope, 'other-payload', 100, 800)).kind).toBe('claimed');
  });

  it('releases only its own live lease', async () => {
    const store = getStore();
    const scope = freshScope();
    const lease = await claimed(store, scope, 'fp');
    expect(await store.release({ ...lease, token: 'not-the-token' })).toBe(false);
    expect(await store.release(lease)).toBe(true);
    expect(await store.release(lease)).toBe(false);
    const next = await claimed(store, scope, 'fp');
    expect(await store.complete(next, response('done'))).toBe(true);
    expect(await store.release(next)).toBe(false);
    expect(await store.complete(next, response('twice'))).toBe(false);
  });

  it('lets exactly one of many concurrent claims through', async () => {
    const store = getStore();
    const scope = freshScope();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.claim(scope, 'fp', HOUR, HOUR)),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-flight')).toHaveLength(99);
  });

  it('refuses keys and fingerprints that could break its record format', async () => {
    const store = getStore();
    await expect(store.claim('a|b', 'fp', HOUR, HOUR)).rejects.toThrow(TypeError);
    await expect(store.claim('ok', 'f\np', HOUR, HOUR)).rejects.toThrow(TypeError);
    await expect(store.claim('ok', 'fp', 0, HOUR)).rejects.toThrow(TypeError);
    await expect(store.claim('ok', 'fp', HOUR, 1.5)).rejects.toThrow(TypeError);
  });

  it('round-trips any response (property)', async () => {
    const header = fc.tuple(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 599 }),
        fc.array(header, { maxLength: 6 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string().map((s) => new TextEncoder().encode(s)),
        ),
        async (status, headers, body) => {
          const store = getStore();
          const scope = freshScope();
          const lease = await claimed(store, scope, 'fp');
          expect(await store.complete(lease, { status, headers, body })).toBe(true);
          const again = (await store.claim(scope, 'fp', HOUR, HOUR)) as {
            response: StoredResponse;
          };
          expect(again.response.status).toBe(status);
          expect(again.response.headers).toEqual(headers);
          expect(Buffer.from(again.response.body).equals(Buffer.from(body))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
}
