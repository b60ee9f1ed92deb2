import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { getHeader } from '../core/http.js';
import { createFaultline } from '../server/faultline.js';
import { createClientErrorHandler, nodeHeaders } from './node.js';

describe('nodeHeaders', () => {
  it('reads Node headers case-insensitively, joining repeated ones', () => {
    const headers = nodeHeaders({
      headers: { 'x-request-id': 'abc', 'x-many': ['a', 'b'] },
    } as unknown as IncomingMessage);
    expect(getHeader(headers, 'X-Request-Id')).toBe('abc');
    expect(getHeader(headers, 'x-many')).toBe('a, b');
    expect(getHeader(headers, 'missing')).toBeUndefined();
  });
});

describe('createClientErrorHandler', () => {
  it("answers a request Node's parser refused with the catalog's 400 and closes", async () => {
    const faultline = createFaultline({ telemetry: false, generateRequestId: () => 'gen-1' });
    const socket = new PassThrough();
    const written: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => written.push(chunk));
    const ended = new Promise((resolve) => socket.on('end', resolve));
    createClientErrorHandler(faultline)(
      Object.assign(new Error('Parse Error: Invalid method'), { code: 'HPE_INVALID_METHOD' }),
      socket,
    );
    await ended;
    const [head = '', body = ''] = Buffer.concat(written).toString().split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 400 Bad Request',
      'content-type: application/problem+json',
      'x-request-id: gen-1',
      'cache-control: no-store',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
    ]);
    expect(JSON.parse(body)).toMatchObject({
      status: 400,
      code: 'bad_request',
      request_id: 'gen-1',
    });
  });

  it('only closes a socket whose client already went away', () => {
    const socket = new PassThrough();
    createClientErrorHandler(createFaultline({ telemetry: false }))(
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      socket,
    );
    expect(socket.destroyed).toBe(true);
  });
});
