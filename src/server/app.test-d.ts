import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createFetchHandler, type FetchHandler, type RouteContext, route } from './app.js';
import type { Reply } from './reply.js';

describe('route types', () => {
  it('types the body from the route schema (zod, valibot)', () => {
    route({
      body: z.object({ sku: z.string(), qty: z.number() }),
      handler: ({ body }) => {
        expectTypeOf(body).toEqualTypeOf<{ sku: string; qty: number }>();
      },
    });
    route({
      body: v.object({ name: v.string() }),
      handler: ({ body }) => {
        expectTypeOf(body).toEqualTypeOf<{ name: string }>();
      },
    });
    route({
      handler: ({ body }) => {
        expectTypeOf(body).toBeUnknown();
      },
    });
  });

  it('gives handlers the request context', () => {
    expectTypeOf<RouteContext['params']>().toEqualTypeOf<Readonly<Record<string, string>>>();
    expectTypeOf<RouteContext['sse']>().returns.toEqualTypeOf<Reply>();
    expectTypeOf(createFetchHandler({ routes: {} })).toEqualTypeOf<FetchHandler>();
  });
});
