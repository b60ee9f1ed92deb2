/**
 * Wire formats: encode and decode throughput per format, against the same body built by hand
 * with `JSON.stringify` / read with a bare `JSON.parse`, and against http-errors and @hapi/boom
 * building their own error bodies.
 *
 * Goals: encode within 1.5x of the hand-written baseline; auto-detecting decode within 2x of a
 * bare `JSON.parse` of the same body.
 *
 * The measurements run in {@link PROCESSES} fresh processes, one after another, and each figure
 * is the median over them: how well the engine happens to optimise a function varies from one
 * process to the next by more than the interleaved slices within a process can even out.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import Boom from '@hapi/boom';
import createHttpError from 'http-errors';
import { ApiError, decode, encode, type FormatId, formats } from '../dist/core/index.js';
import { s2 } from '../dist/presets/index.js';
import type { BenchReport } from './types.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 60);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const CHILD_FLAG = '--wire-child';

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

/** Operations per second of `fn` over about `ms` milliseconds. */
function opsPerSecond(fn: () => unknown, ms: number): number {
  let n = 0;
  let sink: unknown;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 200; i++) sink = fn();
    n += 200;
    now = performance.now();
  }
  if (sink === Symbol.for('never')) throw new Error('unreachable');
  return (n * 1000) / (now - start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Measures several functions in interleaved slices (A B C, A B C, …) and keeps the median of
 * each, so machine drift and GC debt land on every contender alike.
 */
function measure(fns: Record<string, () => unknown>): Record<string, number> {
  const names = Object.keys(fns);
  for (const name of names) opsPerSecond(fns[name]!, SLICE_MS); // warm-up
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) samples[name]!.push(opsPerSecond(fns[name]!, SLICE_MS));
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name]!)]));
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`;
}

/** One process's figures: operations per second by format and contender, and the others. */
interface ProcessFigures {
  formats: Record<string, Record<string, number>>;
  others: Record<string, number>;
  bodyBytes: Record<string, number>;
}

/** Measures every format in this process. */
function measureHere(): ProcessFigures {
  const error = sampleError();
  const ids = Object.keys(formats) as FormatId[];
  const figures: ProcessFigures = { formats: {}, others: {}, bodyBytes: {} };
  for (const id of ids) {
    const byHand = handWritten(id, error);
    assertSameBody(id, encode(error, id).body, (byHand() as { body: string }).body);
    const encoded = encode(error, id, { catalog: s2 });
    figures.bodyBytes[id] = encoded.body.length;
    const { status, headers, body } = encoded;
    figures.formats[id] = measure({
      encode: () => encode(error, id),
      byHand,
      decode: () => decode(status, headers, body, { catalog: s2 }),
      decodeWithError: () => {
        const result = decode(status, headers, body, { catalog: s2 });
        return result.kind === 'error' ? result.error : result;
      },
      jsonParse: () => JSON.parse(body),
    });
  }
  figures.others = measure({
    httpErrors: () => {
      const e = createHttpError(404, error.message);
      return JSON.stringify({ status: e.status, message: e.message, code: error.code });
    },
    boom: () => JSON.stringify(Boom.notFound(error.message).output.payload),
  });
  return figures;
}

/** Runs {@link measureHere} in a fresh process (this file, with the loader flags of this one). */
function measureInChild(): ProcessFigures {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG],
    { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 300_000 },
  );
  return JSON.parse(out) as ProcessFigures;
}

export default async function run(): Promise<BenchReport> {
  const ids = Object.keys(formats) as FormatId[];
  const runs: ProcessFigures[] = [];
  for (let i = 0; i < PROCESSES; i++) runs.push(measureInChild());
  /** The median over processes of one figure. */
  const across = (read: (figures: ProcessFigures) => number): number => median(runs.map(read));
  const results = new Map<FormatId, Record<string, number>>();
  const decodeRatios = new Map<FormatId, number[]>();
  for (const id of ids) {
    const names = Object.keys(runs[0]!.formats[id]!);
    results.set(
      id,
      Object.fromEntries(names.map((name) => [name, across((f) => f.formats[id]![name]!)])),
    );
    decodeRatios.set(
      id,
      runs.map((f) => f.formats[id]!.jsonParse! / f.formats[id]!.decode!),
    );
  }
  const others = {
    httpErrors: across((f) => f.others.httpErrors!),
    boom: across((f) => f.others.boom!),
  };
  const bodies = runs[0]!.bodyBytes;

  const rows: string[] = [];
  const raw: Record<string, unknown> = {};
  let encodeOk = true;
  let decodeOk = true;
  for (const id of ids) {
    const r = results.get(id)!;
    const ours = r.encode!;
    const hand = r.byHand!;
    const dec = r.decode!;
    const decError = r.decodeWithError!;
    const parse = r.jsonParse!;
    const encodeRatio = hand / ours;
    const perProcess = decodeRatios.get(id)!;
    const decodeRatio = median(perProcess);
    encodeOk &&= encodeRatio <= 1.5;
    decodeOk &&= decodeRatio <= 2;
    raw[id] = {
      encode: ours,
      byHand: hand,
      decode: dec,
      decodeWithError: decError,
      jsonParse: parse,
      decodeRatioPerProcess: perProcess,
      bodyBytes: bodies[id],
    };
    rows.push(
      `| ${id} | ${fmt(ours)} | ${fmt(hand)} | ${encodeRatio.toFixed(2)}x | ${fmt(dec)} | ${fmt(parse)} | ${decodeRatio.toFixed(2)}x (${Math.min(...perProcess).toFixed(2)}–${Math.max(...perProcess).toFixed(2)}) | ${fmt(decError)} (${(parse / decError).toFixed(2)}x) |`,
    );
  }
  const { httpErrors, boom } = others;
  raw.httpErrors = httpErrors;
  raw.boom = boom;
  const markdown = [
    'One 404 error with two details fields and a request id, encoded (status, headers and JSON text) and decoded with format auto-detection and the S2 catalog. The code under test is the built package (`dist/`). Each row measures its contenders in interleaved slices (' +
      `${ROUNDS} rounds of ${SLICE_MS} ms each), so drift hits all alike, in each of ${PROCESSES} fresh processes run one after another; the figures are medians over the processes (a ratio: the median of the processes' ratios, their range in brackets), since how well the engine optimises a function varies from process to process.`,
    '',
    '| format | encode | by hand | slower by | decode (auto-detect) | bare JSON.parse | slower by (range) | decode + build the ApiError |',
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

if (process.argv.includes(CHILD_FLAG)) process.stdout.write(JSON.stringify(measureHere()));
