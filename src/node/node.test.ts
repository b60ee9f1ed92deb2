import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { getHeader } from '../core/http.js';
import { baseCatalog } from '../server/base.js';
import { createFaultline } from '../server/faultline.js';
import type { ErrorLogRecord } from '../server/observe.js';
import { createClientErrorHandler, createNodeHandler, nodeHeaders, sendNodeError } from './node.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to a listener on a fresh server, then the server is closed. */
async function ask(
  listener: Parameters<typeof createServer>[1] & {},
  init: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: init.method ?? 'GET', path: init.path ?? '/' },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      for (const [name, value] of Object.entries(init.headers ?? {})) req.setHeader(name, value);
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

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

describe('sendNodeError', () => {
  it('answers with the same status, headers and body as the error thrown', async () => {
    const faultline = createFaultline({ telemetry: false });
    const error = baseCatalog.create('unavailable', {}, { retryAfter: 4 });
    const headers = { 'x-request-id': 'node-1', accept: 'application/json' };
    const answer = await ask((req, res) => sendNodeError(faultline, req, res, error), { headers });
    const thrown = faultline.respond(error, { headers });
    expect(answer.status).toBe(503);
    expect(answer.body).toBe(thrown.body);
    const { date: _date, connection: _c, 'keep-alive': _k, ...sent } = answer.headers;
    expect(sent).toEqual({
      ...thrown.headers,
      'content-length': String(Buffer.byteLength(thrown.body)),
    });
    expect(sent['content-type']).toBe('application/json');
    expect(sent['retry-after']).toBe('4');
  });

  it('treats anything else as thrown, and logs the method and path', async () => {
    const records: ErrorLogRecord[] = [];
    const faultline = createFaultline({
      telemetry: false,
      generateRequestId: () => 'gen-3',
      log: (record) => records.push(record),
    });
    const answer = await ask(
      (req, res) => sendNodeError(faultline, req, res, new Error('secret db password')),
      { method: 'POST', path: '/orders?x=1' },
    );
    expect(answer.status).toBe(500);
    expect(answer.headers['x-request-id']).toBe('gen-3');
    expect(answer.body).not.toContain('secret');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: 'error',
      code: 'internal',
      method: 'POST',
      route: '/orders',
      requestId: 'gen-3',
    });
    expect(records[0]?.err?.message).toBe('secret db password');
  });

  it('sends no body to HEAD, and closes the connection after a 413', async () => {
    const faultline = createFaultline({ telemetry: false });
    const head = await ask(
      (req, res) => sendNodeError(faultline, req, res, faultline.error('notFound')),
      { method: 'HEAD' },
    );
    expect(head.status).toBe(404);
    expect(head.body).toBe('');
    const large = await ask((req, res) =>
      sendNodeError(faultline, req, res, faultline.error('payloadTooLarge')),
    );
    expect(large.status).toBe(413);
    expect(large.headers.connection).toBe('close');
  });
});

describe('createNodeHandler', () => {
  it('leaves the body of a GET unread, and the next request on the connection is answered', async () => {
    const handler = createNodeHandler({
      telemetry: false,
      routes: { 'GET /orders/:id': ({ params, body }) => ({ id: params.id, body }) },
    });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.end(
        'GET /orders/1 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{"a":"b"}' +
          'GET /orders/2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
      );
      await closed;
      const text = Buffer.concat(received).toString();
      expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
      expect(text).toContain('{"id":"1"}');
      expect(text).toContain('{"id":"2"}');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
