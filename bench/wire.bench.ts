/**
 * Wire formats: encode and decode throughput per format, against the same body built by hand
 * with `JSON.stringify` / read with a bare `JSON.parse`, and against http-errors and @hapi/boom
 * building their own error bodies.
 *
 * Goals: encode within 1.5x of the hand-written baseline; auto-detecting decode within 2x of a
 * bare `JSON.parse` of the same body.
 */
import { isDeepStrictEqual } from 'node:util';
import Boom from '@hapi/boom';
import createHttpError from 'http-errors';
import { Bench } from 'tinybench';
import { ApiError, decode, encode, type FormatId, formats } from '../dist/core/index.js';
import { s2 } from '../dist/presets/index.js';
import type { BenchReport } from './types.js';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

/** The error every row encodes: a 412 with typed details and a request id. */
function sampleError(): ApiError {
  return new ApiError({
    code: 'stream_not_found',
    status: 404,
    message: 'Stream "orders" does not exist in basin "prod"',
    retry: 'no',
    sideEffect: 'no',
    type: 'https://faultline.dev/presets/s2#stream_not_found',
    title: 'StreamNotFound',
    requestId: 'req_7f3a9c',
    details: { basin: 'prod', stream: 'orders' },
  });
}

/**
 * What a careful developer writes by hand for the same error: the status, the headers that
 * travel with it and the body text, as `encode` returns them.
 */
function handWritten(format: FormatId, e: ApiError): () => unknown {
  const body = handWrittenBody(format, e);
  const contentType = formats[format].contentType;
  return () => ({
    status: e.status,
    headers: { 'content-type': contentType, 'x-request-id': e.requestId },
    body: body(),
  });
}

function handWrittenBody(format: FormatId, e: ApiError): () => string {
  const details = e.details as Record<string, unknown>;
  switch (format) {
    case 'problem':
      return () =>
        JSON.stringify({
          type: e.type,
          title: e.title,
          status: e.status,
          detail: e.message,
          code: e.code,
          request_id: e.requestId,
          ...details,
        });
    case 's2':
      return () => JSON.stringify({ code: e.code, message: e.message, ...details });
    case 'sequin':
      return () => JSON.stringify({ summary: e.message, code: e.code, ...details });
    case 'discord':
      return () => JSON.stringify({ code: e.code, message: e.message, ...details });
    case 'jan':
      return () =>
        JSON.stringify({
          error: 'Not Found',
          code: e.code,
          message: e.message,
          details,
          request_id: e.requestId,
          timestamp: new Date().toISOString(),
        });
    case 'google':
      return () =>
        JSON.stringify({
          error: {
            code: e.status,
            message: e.message,
            status: 'NOT_FOUND',
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: e.code,
                metadata: details,
              },
              { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: e.requestId },
              { '@type': 'type.googleapis.com/google.protobuf.Struct', value: details },
            ],
          },
        });
  }
}

/** The hand-written baseline must build the same body as the encoder, or the ratio lies. */
function assertSameBody(format: FormatId, ours: string, byHand: string): void {
  const parse = (text: string) => {
    const body = JSON.parse(text) as Record<string, unknown>;
    delete body.timestamp; // Jan's is the time of encoding
    return body;
  };
  if (!isDeepStrictEqual(parse(ours), parse(byHand))) {
    throw new Error(`bench/wire: the hand-written ${format} body differs:\n${ours}\n${byHand}`);
  }
}

function hz(bench: Bench, name: string): number {
  const task = bench.getTask(name);
  const result = task?.result as { throughput?: { mean: number }; hz?: number } | undefined;
  return result?.throughput?.mean ?? result?.hz ?? Number.NaN;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`;
}

export default async function run(): Promise<BenchReport> {
  const error = sampleError();
  const ids = Object.keys(formats) as FormatId[];
  const encodeBench = new Bench({ time: TIME_MS, warmupTime: 100 });
  const decodeBench = new Bench({ time: TIME_MS, warmupTime: 100 });
  const bodies = new Map<FormatId, string>();
  for (const id of ids) {
    const byHand = handWritten(id, error);
    assertSameBody(id, encode(error, id).body, (byHand() as { body: string }).body);
    encodeBench.add(`${id} faultline`, () => encode(error, id));
    encodeBench.add(`${id} by hand`, () => byHand());
    const encoded = encode(error, id, { catalog: s2 });
    bodies.set(id, encoded.body);
    const headers = encoded.headers;
    decodeBench.add(`${id} decode`, () =>
      decode(encoded.status, headers, encoded.body, { catalog: s2 }),
    );
    decodeBench.add(`${id} decode+error`, () => {
      const result = decode(encoded.status, headers, encoded.body, { catalog: s2 });
      return result.kind === 'error' ? result.error : result;
    });
    decodeBench.add(`${id} JSON.parse`, () => JSON.parse(encoded.body));
  }
  encodeBench.add('http-errors', () => {
    const e = createHttpError(404, error.message);
    return JSON.stringify({ status: e.status, message: e.message, code: error.code });
  });
  encodeBench.add('@hapi/boom', () => {
    const e = Boom.notFound(error.message);
    return JSON.stringify(e.output.payload);
  });
  await encodeBench.run();
  await decodeBench.run();

  const rows: string[] = [];
  const raw: Record<string, unknown> = {};
  let encodeOk = true;
  let decodeOk = true;
  for (const id of ids) {
    const ours = hz(encodeBench, `${id} faultline`);
    const hand = hz(encodeBench, `${id} by hand`);
    const dec = hz(decodeBench, `${id} decode`);
    const decError = hz(decodeBench, `${id} decode+error`);
    const parse = hz(decodeBench, `${id} JSON.parse`);
    const encodeRatio = hand / ours;
    const decodeRatio = parse / dec;
    encodeOk &&= encodeRatio <= 1.5;
    decodeOk &&= decodeRatio <= 2;
    raw[id] = {
      encode: ours,
      byHand: hand,
      decode: dec,
      decodeWithError: decError,
      jsonParse: parse,
      bodyBytes: bodies.get(id)?.length,
    };
    rows.push(
      `| ${id} | ${fmt(ours)} | ${fmt(hand)} | ${encodeRatio.toFixed(2)}x | ${fmt(dec)} | ${fmt(parse)} | ${decodeRatio.toFixed(2)}x | ${fmt(decError)} (${(parse / decError).toFixed(2)}x) |`,
    );
  }
  const httpErrors = hz(encodeBench, 'http-errors');
  const boom = hz(encodeBench, '@hapi/boom');
  raw.httpErrors = httpErrors;
  raw.boom = boom;
  const markdown = [
    'One 404 error with two details fields and a request id, encoded (status, headers and JSON text) and decoded with format auto-detection and the S2 catalog.',
    '',
    '| format | encode | by hand | slower by | decode (auto-detect) | bare JSON.parse | slower by | decode + build the ApiError |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '`decode` resolves the format, code, entry, details and hints; the `ApiError` (an `Error`, whose construction alone costs about one `JSON.parse` of these bodies) is built when `result.error` is first read — the last column reads it.',
    '',
    `Other libraries building their own 404 body: http-errors ${fmt(httpErrors)}, @hapi/boom ${fmt(boom)}.`,
    '',
    `Goal, encode within 1.5x of by hand: **${encodeOk ? 'met' : 'not met'}**. Goal, decode within 2x of JSON.parse: **${decodeOk ? 'met' : 'not met'}**.`,
  ].join('\n');
  return {
    title: 'Wire formats: encode and decode',
    command: 'npm run bench -- wire',
    markdown,
    raw,
  };
}
