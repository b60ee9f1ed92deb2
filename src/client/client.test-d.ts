import { describe, expectTypeOf, it } from 'vitest';
import type { ApiError } from '../core/error.js';
import { discord, eventStore, s2 } from '../presets/index.js';
import { createClient } from './client.js';
import type { RequestError } from './errors.js';

describe('client types', () => {
  it('narrows errors by catalog code to their details', () => {
    const api = createClient({ catalog: s2 });
    const error: unknown = undefined;
    if (api.is(error, 'seq_num_mismatch')) {
      expectTypeOf(error).toEqualTypeOf<
        RequestError<'seq_num_mismatch', { seq_num_mismatch: number }>
      >();
      expectTypeOf(error.details.seq_num_mismatch).toEqualTypeOf<number>();
      expectTypeOf(error.attempts).not.toBeAny();
    }
    if (api.is(error, 'timeout')) expectTypeOf(error.code).toEqualTypeOf<'timeout'>();
    // @ts-expect-error: not a code of the catalog nor of the client
    api.is(error, 'no_such_code');
  });

  it('adds the success-equivalent errors of the catalog to what the helpers resolve with', async () => {
    const store = createClient({ catalog: eventStore });
    const appended = await store.post<{ version: number }>('/append', {});
    expectTypeOf(appended).toEqualTypeOf<
      { version: number } | ApiError<2002, Record<string, never>>
    >();
    // Discord's success-equivalent entries are 2xx statuses, which never arrive as errors.
    const chat = createClient({ catalog: discord });
    expectTypeOf(await chat.get<{ id: string }>('/x')).toEqualTypeOf<{ id: string }>();
    const plain = createClient();
    expectTypeOf(await plain.get<number>('/x')).toEqualTypeOf<number>();
  });

  it('is a fetch-compatible function', () => {
    const api = createClient();
    expectTypeOf(api).toMatchTypeOf<
      (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
    >();
    const inject: typeof fetch = async () => new Response();
    createClient({ fetch: inject });
  });
});
