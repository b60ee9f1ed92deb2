import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FormatId } from '../core/wire/index.js';
import { createFaultline } from './faultline.js';
import { fieldErrorsFromIssues, isStandardSchema, type StandardSchemaV1 } from './validation.js';

const input = { name: '', tags: ['ok', 7], address: { zip: 12 } };

const schemas: Record<string, StandardSchemaV1> = {
  zod: z.object({
    name: z.string().min(1),
    tags: z.array(z.string()),
    address: z.object({ zip: z.string() }),
  }),
  valibot: v.object({
    name: v.pipe(v.string(), v.minLength(1)),
    tags: v.array(v.string()),
    address: v.object({ zip: v.string() }),
  }),
  arktype: type({ name: 'string > 0', tags: 'string[]', address: { zip: 'string' } }),
};

async function rejection(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe.each(Object.entries(schemas))('Standard Schema from %s', (_vendor, schema) => {
  const faultline = createFaultline({ telemetry: false });

  it('is recognised as a Standard Schema', () => {
    expect(isStandardSchema(schema)).toBe(true);
  });

  it('lists every field problem in one 422', async () => {
    const error = await rejection(faultline.validate(schema, input));
    expect(error.status).toBe(422);
    expect(error.code).toBe('validation_failed');
    const paths = error.fieldErrors.map((field: { path: unknown[] }) => field.path);
    expect(paths).toEqual(expect.arrayContaining([['name'], ['tags', 1], ['address', 'zip']]));
    expect(paths).toHaveLength(3);
    for (const field of error.fieldErrors) expect(field.message).not.toBe('');
  });

  it('resolves to the parsed value when valid', async () => {
    const value = { name: 'x', tags: ['a'], address: { zip: '1' } };
    await expect(faultline.validate(schema, value)).resolves.toEqual(value);
  });
});

describe('field errors in every format', () => {
  const fieldErrors = [
    { path: ['name'], message: 'Required' },
    { path: ['tags', 1], message: 'Expected string' },
  ];
  const bodyIn = (format: FormatId) => {
    const faultline = createFaultline({ telemetry: false, format, now: () => new Date(0) });
    return JSON.parse(
      faultline.respond(faultline.error('validation', { fieldErrors }), { requestId: 'r' }).body,
    );
  };

  it('problem+json: errors[{pointer, detail}]', () => {
    expect(bodyIn('problem').errors).toEqual([
      { pointer: '#/name', detail: 'Required' },
      { pointer: '#/tags/1', detail: 'Expected string' },
    ]);
  });
  it('Sequin: validation_errors {field: [reasons]}', () => {
    expect(bodyIn('sequin').validation_errors).toEqual({
      name: ['Required'],
      'tags.1': ['Expected string'],
    });
  });
  it('Discord: nested errors with _errors', () => {
    const errors = bodyIn('discord').errors;
    expect(errors.name._errors[0].message).toBe('Required');
    expect(errors.tags['1']._errors[0].message).toBe('Expected string');
  });
  it('Jan: errors[{field, message}]', () => {
    expect(bodyIn('jan').errors).toEqual([
      { field: 'name', message: 'Required' },
      { field: 'tags.1', message: 'Expected string' },
    ]);
  });
});

describe('fieldErrorsFromIssues', () => {
  it('reads path segments given as objects and symbols, and caps the list', () => {
    const issues = [
      { message: 'a', path: [{ key: 'x' }, 0, Symbol('s')] },
      ...Array.from({ length: 200 }, () => ({ message: 'b' })),
    ];
    const fields = fieldErrorsFromIssues(issues);
    expect(fields[0]).toEqual({ path: ['x', 0, 's'], message: 'a' });
    expect(fields).toHaveLength(100);
  });
});
