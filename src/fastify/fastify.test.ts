import { describe, expect, it } from 'vitest';
import { fieldErrorsFromAjv } from './fastify.js';

describe('fieldErrorsFromAjv', () => {
  it('turns instance paths into field paths, with the missing property of a required issue', () => {
    expect(
      fieldErrorsFromAjv(
        [
          { instancePath: '/items/0/sku', message: 'must be string', keyword: 'type' },
          {
            instancePath: '/address',
            message: "must have required property 'zip'",
            keyword: 'required',
            params: { missingProperty: 'zip' },
          },
          { instancePath: '/a~1b/c~0d', keyword: 'format' },
        ],
        'body',
      ),
    ).toEqual([
      { path: ['items', 0, 'sku'], message: 'must be string', code: 'type' },
      { path: ['address', 'zip'], message: "must have required property 'zip'", code: 'required' },
      { path: ['a/b', 'c~d'], message: 'is not valid', code: 'format' },
    ]);
  });

  it('prefixes paths outside the body with their part of the request, and caps the list', () => {
    expect(fieldErrorsFromAjv([{ instancePath: '/page', message: 'm' }], 'querystring')).toEqual([
      { path: ['querystring', 'page'], message: 'm' },
    ]);
    const many = Array.from({ length: 500 }, () => ({ instancePath: '', message: 'm' }));
    expect(fieldErrorsFromAjv(many, 'body')).toHaveLength(100);
  });
});
