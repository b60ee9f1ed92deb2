import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ErrorLogRecord } from '../server/observe.js';
import { faultlinePlugin, fieldErrorsFromAjv } from './fastify.js';

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

describe('reply.sendError', () => {
  it('answers once: an error answered after the time limit answered is dropped', async () => {
    const records: ErrorLogRecord[] = [];
    const app = Fastify();
    await app.register(faultlinePlugin, { telemetry: false, log: (r) => records.push(r) });
    let late: FastifyReply | undefined;
    app.get('/late', { config: { faultline: { timeout: 20 } } }, async (_request, reply) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      late = reply.sendError(app.faultline.error('conflict'));
      return late;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = app.server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/late`);
      expect(response.status).toBe(504);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(late).toBeDefined();
      expect(records.map((r) => r.code)).toEqual(['timeout']);
    } finally {
      await app.close();
    }
  });
});
