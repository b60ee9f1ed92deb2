/**
 * OpenTelemetry, found on its own (`@opentelemetry/api` is only a dev dependency): the span
 * the HTTP instrumentation keeps active for a request gets `error.type` and
 * `http.response.status_code` from faultline, on every target, over real HTTP.
 */
import type { RequestListener } from 'node:http';
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, start, TARGETS } from './fixture.js';
import { send } from './http.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const manager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  context.disable();
  trace.disable();
});

/** What the HTTP server instrumentation does: one active span per request. */
function traced(listener: RequestListener): RequestListener {
  const tracer = trace.getTracer('test-http');
  return (req, res) => {
    const span: Span = tracer.startSpan(`${req.method} ${req.url}`, {
      attributes: { 'test.request_id': String(req.headers['x-request-id']) },
    });
    res.once('close', () => span.end());
    context.with(trace.setSpan(context.active(), span), () => listener(req, res));
  };
}

function spanOf(requestId: string) {
  return exporter
    .getFinishedSpans()
    .find((span) => span.attributes['test.request_id'] === requestId);
}

describe.each(TARGETS)('%s', (target) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(target, {}, traced);
  });
  afterAll(() => server.close());

  it.each([
    ['thrown', '/orders/crash', '500'],
    ['answered directly', '/direct/crash', 'direct'],
  ])('marks the span of a 5xx %s as an error with the code and status', async (_, path, tag) => {
    const id = `otel-${target}-${tag}`;
    await send(server.url, { method: 'GET', path, headers: { 'x-request-id': id } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const span = spanOf(id);
    expect(span?.attributes['error.type']).toBe('internal');
    expect(span?.attributes['http.response.status_code']).toBe(500);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('marks a 4xx span with the code and status, leaving its status unset', async () => {
    const id = `otel-${target}-404`;
    await send(server.url, { method: 'GET', path: '/nope', headers: { 'x-request-id': id } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const span = spanOf(id);
    expect(span?.attributes['error.type']).toBe('not_found');
    expect(span?.attributes['http.response.status_code']).toBe(404);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });
});
