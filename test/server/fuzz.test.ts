/**
 * Bad input against every target: random methods, paths, headers and bodies (invalid UTF-8,
 * `__proto__` keys, 10 000-deep JSON, 10 MB bodies) written as raw bytes on a socket. Every
 * response must be well-formed — a status in 100–599, and an error body that is JSON in the
 * chosen format — and the server must still answer afterwards. Bounded in count and time;
 * fast-check prints the seed of any failure.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, start, TARGETS } from './fixture.js';
import { send } from './http.js';

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Writes raw request bytes on a fresh connection and reads the whole answer. The request asks
 * for `Connection: close`, so the server ends the connection; the client does not half-close
 * first (Fastify drops a request whose client has half-closed).
 */
function exchange(base: string, bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}

/** Parses the first HTTP/1.1 response in `raw` (fixed length, chunked, or to the end). */
function parse(raw: Buffer): Parsed | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.includes('chunked')) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at);
      if (lineEnd === -1) break;
      const size = Number.parseInt(body.subarray(at, lineEnd).toString(), 16);
      if (!Number.isFinite(size) || size === 0) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  return { status: Number(match[1]), headers, body };
}

const methods = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'),
  fc.stringMatching(/^[A-Z]{1,12}$/),
);

const segment = fc.oneof(
  fc.constantFrom('orders', '7', 'crash', 'busy', 'sold-out', 'events', 'rows', 'slow', 'nope'),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '', '%00', '__proto__', 'constructor', 'a%2Fb'),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,40}$/),
);
const paths = fc.oneof(
  fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  fc.constantFrom('*', `/${'a'.repeat(4000)}`, '//double', '/orders?x=%zz&y', '/orders/7#frag'),
);

const json = fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value)));
const bodies = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: json },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      Buffer.from('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
      Buffer.from('{"sku":"a","qty":1e999999}'),
      Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
      Buffer.from('{"sku":'),
    ),
  },
);

const contentTypes = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'text/plain',
  'multipart/form-data; boundary=x',
  ';;;',
  'application/x-www-form-urlencoded',
);

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,200}$/);
const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'x-request-id',
    'accept',
    'content-encoding',
    'x-forwarded-for',
    'range',
    'expect',
  ),
  headerValue,
  { maxKeys: 4 },
);

const requests = fc.record({
  method: methods,
  path: paths,
  contentType: contentTypes,
  headers: extraHeaders,
  body: bodies,
  chunked: fc.boolean(),
});

type FuzzRequest = typeof requests extends fc.Arbitrary<infer R> ? R : never;

function toBytes(request: FuzzRequest): Buffer {
  const lines = [
    `${request.method} ${request.path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
  ];
  if (request.contentType !== undefined) lines.push(`Content-Type: ${request.contentType}`);
  for (const [name, value] of Object.entries(request.headers)) {
    // `Expect: 100-continue` would make the server wait for a go-ahead this client never reads.
    if (name === 'expect') continue;
    lines.push(`${name}: ${value}`);
  }
  let body = Buffer.alloc(0);
  if (request.body !== undefined) {
    if (request.chunked) {
      lines.push('Transfer-Encoding: chunked');
      body = Buffer.concat([
        Buffer.from(`${request.body.length.toString(16)}\r\n`),
        request.body,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      if (request.body.length === 0) body = Buffer.from('0\r\n\r\n');
    } else {
      lines.push(`Content-Length: ${request.body.length}`);
      body = request.body;
    }
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** What a well-formed answer is: a status, and an error body in the chosen format. */
function checkWellFormed(response: Parsed | undefined, method: string): void {
  expect(response, 'the server answered with an HTTP response').toBeDefined();
  const { status, headers, body } = response!;
  expect(status).toBeGreaterThanOrEqual(100);
  expect(status).toBeLessThanOrEqual(599);
  if (status < 400 || body.length === 0 || method === 'HEAD') return;
  // Error bodies made by faultline: problem+json, with the request id and no caching.
  expect(headers['content-type']).toMatch(/^application\/(problem\+)?json/);
  const parsed = JSON.parse(body.toString('utf8'));
  expect(parsed.status).toBe(status);
  expect(typeof parsed.code).toBe('string');
  expect(headers['x-request-id']).toBe(parsed.request_id);
  expect(headers['cache-control']).toBe('no-store');
  expect(body.toString('utf8')).not.toContain('secret');
}

describe.each(TARGETS)('fuzz %s', (target) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(target, { format: 'problem', telemetry: false });
  });
  afterAll(() => server.close());

  it('answers random requests with well-formed responses', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        checkWellFormed(parse(await exchange(server.url, toBytes(request))), request.method);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 60_000 },
    );
    const alive = await send(server.url, { method: 'GET', path: '/orders/1' });
    expect(alive.status).toBe(200);
  });

  it('answers 10 MB bodies (JSON and garbage) without reading them whole', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    for (const body of [Buffer.concat([Buffer.from('["'), big, Buffer.from('"]')]), big]) {
      const raw = await exchange(
        server.url,
        Buffer.concat([
          Buffer.from(
            `POST /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          ),
          body,
        ]),
      );
      const response = parse(raw);
      checkWellFormed(response, 'POST');
      expect(response?.status).toBe(413);
    }
    const chunked = await exchange(
      server.url,
      Buffer.concat([
        Buffer.from(
          'POST /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        ),
        Buffer.from(`${big.length.toString(16)}\r\n`),
        big,
        Buffer.from('\r\n0\r\n\r\n'),
      ]),
    );
    const response = parse(chunked);
    checkWellFormed(response, 'POST');
    expect(response?.status).toBe(413);
    expect((await send(server.url, { method: 'GET', path: '/orders/1' })).status).toBe(200);
  });

  it('answers 10 000-deep JSON with a well-formed error', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const response = await send(server.url, {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    checkWellFormed(
      { status: response.status, headers: response.headers, body: response.body },
      'POST',
    );
    expect([400, 422]).toContain(response.status);
    expect((await send(server.url, { method: 'GET', path: '/orders/1' })).status).toBe(200);
  });
});
