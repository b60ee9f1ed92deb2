import { describe, expect, it } from 'vitest';
import { createFaultline } from './faultline.js';
import {
  type ObservedResponse,
  runRequestHooks,
  runResponseHooks,
  type ServerHook,
} from './hooks.js';

function request() {
  return createFaultline({ telemetry: false }).hookRequest({
    method: 'POST',
    path: '/x',
    route: '/x',
    requestId: 'r',
    ip: '127.0.0.1',
    header: () => undefined,
    body: async () => ({ read: true }),
    setHeader: () => undefined,
  });
}

const observed: ObservedResponse = {
  status: 200,
  headers: {},
  body: '{}',
  error: undefined,
  source: 'handler',
};

describe('hooks', () => {
  it('run in order, stop at the first short-circuit, and only entered hooks observe', async () => {
    const calls: string[] = [];
    const hook = (name: string, answer?: boolean): ServerHook => ({
      name,
      onRequest: () => {
        calls.push(`in:${name}`);
        return answer ? { status: 200, body: 'replayed' } : undefined;
      },
      onResponse: () => {
        calls.push(`out:${name}`);
      },
    });
    const req = request();
    const short = await runRequestHooks([hook('a'), hook('b', true), hook('c')], req);
    expect(short).toEqual({ status: 200, body: 'replayed' });
    await runResponseHooks(req, observed, () => undefined);
    expect(calls).toEqual(['in:a', 'in:b', 'out:b', 'out:a']);
  });

  it('report a failing onResponse without stopping the others', async () => {
    const seen: string[] = [];
    const req = request();
    await runRequestHooks(
      [
        { name: 'ok', onResponse: () => void seen.push('ok') },
        {
          name: 'broken',
          onResponse: () => {
            throw new Error('store down');
          },
        },
      ],
      req,
    );
    const failures: string[] = [];
    await runResponseHooks(req, observed, (failure, hook) =>
      failures.push(`${hook.name}: ${(failure as Error).message}`),
    );
    expect(failures).toEqual(['broken: store down']);
    expect(seen).toEqual(['ok']);
  });

  it('give the body once however often it is asked for, and catalog errors by kind', async () => {
    let reads = 0;
    const req = createFaultline({ telemetry: false }).hookRequest({
      method: 'POST',
      path: '/x',
      route: undefined,
      requestId: 'r',
      ip: undefined,
      header: () => undefined,
      body: async () => ++reads,
      setHeader: () => undefined,
    });
    await Promise.all([req.body(), req.body()]);
    expect(reads).toBe(1);
    expect(req.error('rateLimited', { retryAfter: 3 })).toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryAfter: 3,
    });
  });

  it('let a throwing onRequest through to the caller', async () => {
    const req = request();
    await expect(
      runRequestHooks(
        [
          {
            name: 'limit',
            onRequest: (r) => {
              throw r.error('rateLimited');
            },
          },
        ],
        req,
      ),
    ).rejects.toMatchObject({ code: 'rate_limited' });
  });
});
