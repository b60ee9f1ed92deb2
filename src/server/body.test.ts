import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/error.js';
import {
  checkBodyHeaders,
  depthOf,
  hasBody,
  isJsonType,
  parseJsonBody,
  readBody,
  readJsonBody,
} from './body.js';
import { createFaultline } from './faultline.js';

const faultline = createFaultline({ telemetry: false });

function stream(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(ApiError.is(error)).toBe(true);
  return (error as ApiError).code;
}

describe('isJsonType / hasBody', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/merge-patch+json', true],
    ['text/json', false],
    ['application/xml', false],
    [undefined, false],
  ])('%s → %s', (type, json) => {
    expect(isJsonType(type)).toBe(json);
  });
  it('reads Content-Length and Transfer-Encoding', () => {
    expect(hasBody({ 'content-length': '0' })).toBe(false);
    expect(hasBody({ 'content-length': '3' })).toBe(true);
    expect(hasBody({ 'transfer-encoding': 'chunked' })).toBe(true);
    expect(hasBody({})).toBe(false);
  });
});

describe('checkBodyHeaders', () => {
  const check = (headers: Record<string, string>) => () => checkBodyHeaders(faultline, headers, 10);
  it('refuses other media types, charsets and content codings with 415, before the size', () => {
    expect(check({ 'content-type': 'text/plain', 'content-length': '99' })).toThrow(
      expect.objectContaining({ code: 'unsupported_media_type' }),
    );
    expect(check({ 'content-type': 'application/json; charset=latin1' })).toThrow(
      expect.objectContaining({ status: 415 }),
    );
    expect(check({ 'content-type': 'application/json', 'content-encoding': 'gzip' })).toThrow(
      expect.objectContaining({ status: 415 }),
    );
  });
  it('refuses a declared length over the limit with 413', () => {
    expect(check({ 'content-type': 'application/json', 'content-length': '11' })).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
    expect(
      check({ 'content-type': 'application/json; charset="UTF-8"', 'content-length': '10' }),
    ).not.toThrow();
  });
});

describe('readBody', () => {
  it('joins chunks from a Web stream or an async iterable', async () => {
    expect(new TextDecoder().decode(await readBody(faultline, stream('ab', 'cd'), 10))).toBe(
      'abcd',
    );
    async function* chunks() {
      yield new TextEncoder().encode('xy');
    }
    expect(new TextDecoder().decode(await readBody(faultline, chunks(), 10))).toBe('xy');
  });
  it('stops at the limit with 413', async () => {
    await expect(codeOf(readBody(faultline, stream('123456', '789012'), 10))).resolves.toBe(
      'payload_too_large',
    );
  });
});

describe('parseJsonBody', () => {
  it('parses JSON and treats an empty body as none', () => {
    expect(parseJsonBody(faultline, new TextEncoder().encode('{"a":[1]}'), 10)).toEqual({ a: [1] });
    expect(parseJsonBody(faultline, '  ', 10)).toBeUndefined();
  });
  it.each([
    ['invalid JSON', new TextEncoder().encode('{"a":')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['nesting deeper than the limit', '['.repeat(11) + ']'.repeat(11)],
  ])('answers %s with bad_json', (_name, input) => {
    expect(() => parseJsonBody(faultline, input, 10)).toThrow(
      expect.objectContaining({ code: 'bad_json', status: 400 }),
    );
  });
  it('refuses 10 000-deep JSON quickly', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    expect(() => parseJsonBody(faultline, deep, 256)).toThrow(
      expect.objectContaining({ message: 'The request body is nested deeper than 256 levels' }),
    );
  });
  it('keeps __proto__ an ordinary key', () => {
    const parsed = parseJsonBody(faultline, '{"__proto__":{"polluted":true}}', 10) as object;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('depthOf', () => {
  it('ignores brackets inside strings, escapes included', () => {
    expect(depthOf('{"a":"[[[{{\\"[["}')).toBe(1);
    expect(depthOf('[[],[[1]]]')).toBe(3);
    expect(depthOf('42')).toBe(0);
  });
});

describe('readJsonBody', () => {
  const json = { 'content-type': 'application/json' };
  it('reads, checks and parses', async () => {
    await expect(readJsonBody(faultline, json, stream('{"a":1}'))).resolves.toEqual({ a: 1 });
    await expect(readJsonBody(faultline, json, null)).resolves.toBeUndefined();
    await expect(
      readJsonBody(faultline, { 'content-length': '0' }, stream('')),
    ).resolves.toBeUndefined();
    await expect(readJsonBody(faultline, {}, stream(''))).resolves.toBeUndefined();
  });
  it('refuses a body without a content type', async () => {
    await expect(codeOf(readJsonBody(faultline, {}, stream('{}')))).resolves.toBe(
      'unsupported_media_type',
    );
  });
  it('applies the limit while reading when no length is declared', async () => {
    await expect(codeOf(readJsonBody(faultline, json, stream('[1,2,3,4]'), 4))).resolves.toBe(
      'payload_too_large',
    );
  });
});
