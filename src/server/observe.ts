/** One structured log record per error response (pino-compatible: pass it as the object). */
export interface ErrorLogRecord {
  /** `error` for 5xx, `warn` for 4xx. */
  level: 'error' | 'warn';
  /** The catalog code. */
  code: string | number;
  status: number;
  requestId: string;
  method: string | undefined;
  /** The route pattern when known (`/orders/:id`), else the path. */
  route: string | undefined;
  /** Milliseconds from the start of the request to the error response. */
  durationMs: number | undefined;
  /** The error's message (what the client reads). */
  msg: string;
  /** What was thrown, with its stack: only for 5xx, never sent to the client. */
  err?: { type: string; message: string; stack: string | undefined };
}

/** A logger such as pino, bunyan or `console`: called as `logger[level](record, msg)`. */
export interface Logger {
  error(record: object, msg?: string): unknown;
  warn(record: object, msg?: string): unknown;
  info?(record: object, msg?: string): unknown;
}

/** Where error records go: a logger object, or a function that receives each record. */
export type LogTarget = Logger | ((record: ErrorLogRecord) => void);

/** The part of a span faultline writes to (an OpenTelemetry `Span`). */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
}

/** The part of `@opentelemetry/api` faultline uses. */
export interface TelemetryApi {
  trace: { getActiveSpan(): SpanLike | undefined };
}

/** OpenTelemetry's `SpanStatusCode.ERROR`. */
const SPAN_STATUS_ERROR = 2;

let autoTelemetry: Promise<TelemetryApi | undefined> | undefined;

/**
 * Loads `@opentelemetry/api` once if it is installed; resolves to `undefined` otherwise. The
 * package stays optional: the specifier is a variable so bundlers do not try to resolve it.
 */
export function loadTelemetry(): Promise<TelemetryApi | undefined> {
  if (!autoTelemetry) {
    const specifier = '@opentelemetry/api';
    autoTelemetry = import(/* @vite-ignore */ specifier).then(
      (api: { trace?: TelemetryApi['trace'] }) =>
        api?.trace && typeof api.trace.getActiveSpan === 'function'
          ? { trace: api.trace }
          : undefined,
      () => undefined,
    );
  }
  return autoTelemetry;
}

/** Marks the active span with the error: `error.type` = code, the response status. */
export function markSpan(
  api: TelemetryApi | undefined,
  code: string | number,
  status: number,
): void {
  if (!api) return;
  let span: SpanLike | undefined;
  try {
    span = api.trace.getActiveSpan();
    if (!span) return;
    span.setAttribute('error.type', String(code));
    span.setAttribute('http.response.status_code', status);
    // Per the HTTP semantic conventions a server span is an error only for 5xx.
    if (status >= 500) span.setStatus({ code: SPAN_STATUS_ERROR, message: String(code) });
  } catch {
    // Telemetry must never turn an error response into a crash.
  }
}

/** Sends one record to the log target; a throwing logger is ignored. */
export function writeLog(target: LogTarget | undefined, record: ErrorLogRecord): void {
  if (!target) return;
  try {
    if (typeof target === 'function') target(record);
    else if (record.level === 'error') target.error(record, record.msg);
    else target.warn(record, record.msg);
  } catch {
    // A broken logger must not break the response.
  }
}

/** The `err` member of a log record: what was thrown, as plain data. */
export function describeThrown(thrown: unknown): NonNullable<ErrorLogRecord['err']> {
  if (thrown instanceof Error) {
    return { type: thrown.name, message: thrown.message, stack: thrown.stack };
  }
  let message: string;
  try {
    message = String(thrown);
  } catch {
    message = '(unprintable value)';
  }
  return { type: typeof thrown, message, stack: undefined };
}
