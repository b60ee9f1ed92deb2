import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ApiError, isApiError } from './error.js';

describe('ApiError', () => {
  it('is a branded Error with the standard cause and no stack in its JSON', () => {
    const cause = new Error('socket closed');
    const error = new ApiError({
      code: 'unavailable',
      status: 503,
      message: 'try later',
      retry: 'yes',
      sideEffect: 'maybe',
      requestId: 'req_1',
      retryAfter: 2,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ApiError');
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('ApiError: try later');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ApiError',
      code: 'unavailable',
      status: 503,
      message: 'try later',
      retry: 'yes',
      sideEffect: 'maybe',
      details: {},
      requestId: 'req_1',
      retryAfter: 2,
    });
  });

  it('defaults to the safe assumptions without a catalog entry: not retryable, may have taken effect', () => {
    const error = new ApiError({ code: 'x', status: 500, message: 'm' });
    expect(error.retry).toBe('no');
    expect(error.sideEffect).toBe('maybe');
  });

  it('copies with changes and leaves the original alone', () => {
    const error = new ApiError({ code: 'x', status: 500, message: 'm', details: { a: 1 } });
    const copy = error.with({ requestId: 'r2', status: 502 });
    expect(copy).toMatchObject({ code: 'x', status: 502, requestId: 'r2', details: { a: 1 } });
    expect(error.status).toBe(500);
    expect(error.requestId).toBeUndefined();
  });

  it('is recognised across duplicate copies of the module', async () => {
    // A query string makes the module loader evaluate the file a second time: a second copy.
    const specifier = './error.js?duplicate-copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('./error.js');
    expect(copy.ApiError).not.toBe(ApiError);
    const foreign = new copy.ApiError({ code: 'x', status: 400, message: 'm' });
    expect(foreign instanceof ApiError).toBe(false);
    expect(ApiError.is(foreign)).toBe(true);
    expect(isApiError(foreign)).toBe(true);
    expect(copy.ApiError.is(new ApiError({ code: 'y', status: 400, message: 'm' }))).toBe(true);
  });

  it('is recognised across realms', () => {
    const marker = Symbol.for('faultline.ApiError');
    const foreign = runInNewContext(
      `const e = new Error('x'); Object.defineProperty(e, marker, { value: true }); e`,
      { marker },
    );
    expect(foreign instanceof Error).toBe(false);
    expect(ApiError.is(foreign)).toBe(true);
  });

  it('does not accept look-alikes', () => {
    const marker = Symbol.for('faultline.ApiError');
    expect(ApiError.is({ [marker]: 'true' })).toBe(false);
    expect(ApiError.is({ [marker]: 1 })).toBe(false);
    expect(ApiError.is({ name: 'ApiError', code: 'x', status: 400 })).toBe(false);
    expect(ApiError.is(new Error('x'))).toBe(false);
    expect(ApiError.is(null)).toBe(false);
    expect(ApiError.is('ApiError')).toBe(false);
  });
});
