import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/error.js';
import { type Attempt, RequestError } from './errors.js';

const attempt: Attempt = {
  attempt: 1,
  status: 503,
  code: 'unavailable',
  sent: true,
  delay: undefined,
  source: 'backoff',
  reason: 'attempts',
  at: 0,
  ms: 12,
};

const make = () =>
  new RequestError({
    code: 'unavailable',
    status: 503,
    message: 'The service is unavailable',
    requestId: 'r1',
    method: 'POST',
    url: 'https://api.test/orders',
    attempts: [attempt],
    mayHaveTakenEffect: true,
    reason: 'attempts',
    retryAt: 5,
  });

describe('RequestError', () => {
  it('is an ApiError with the request in its message', () => {
    const error = make();
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe('RequestError');
    expect(error.message).toBe(
      'The service is unavailable (POST https://api.test/orders: unavailable, 1 attempt, attempts)',
    );
  });

  it('is recognised across copies of the library by its marker, and only then', () => {
    expect(RequestError.is(make())).toBe(true);
    const foreign = Object.create({
      [Symbol.for('faultline.ApiError')]: true,
      [Symbol.for('faultline.RequestError')]: true,
    });
    expect(RequestError.is(foreign)).toBe(true);
    expect(RequestError.is(new ApiError({ code: 'x', status: 500, message: 'm' }))).toBe(false);
    expect(RequestError.is({ [Symbol.for('faultline.RequestError')]: 'yes' })).toBe(false);
    expect(RequestError.is(null)).toBe(false);
  });

  it('logs as JSON with its attempts and without its stack', () => {
    const json = make().toJSON();
    expect(json).toMatchObject({
      name: 'RequestError',
      code: 'unavailable',
      method: 'POST',
      reason: 'attempts',
      mayHaveTakenEffect: true,
      retryAt: 5,
      attempts: [attempt],
      requestId: 'r1',
    });
    expect(json).not.toHaveProperty('stack');
  });
});
