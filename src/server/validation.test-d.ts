import type { StandardSchemaV1 as Official } from '@standard-schema/spec';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { InferOutput, StandardSchemaV1 } from './validation.js';

describe('StandardSchemaV1', () => {
  it('accepts every schema of the official interface', () => {
    expectTypeOf<Official<unknown, { a: number }>>().toMatchTypeOf<StandardSchemaV1>();
  });

  it('infers the output type', () => {
    const schema = z.object({ a: z.number() }).transform((value) => String(value.a));
    expectTypeOf<InferOutput<typeof schema>>().toEqualTypeOf<string>();
  });
});
