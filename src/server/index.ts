export type {
  AppOptions,
  FetchHandler,
  FetchHandlerOptions,
  NeutralRequest,
  Outcome,
  RouteContext,
  RouteDefinition,
  RouteHandler,
  Routes,
} from './app.js';
export { App, createFetchHandler, route } from './app.js';
export type { ErrorKind, KindCodes } from './base.js';
export { BASE_CODES, baseCatalog, baseDefinition, kindOfStatus } from './base.js';
export type { BodySource } from './body.js';
export {
  checkBodyHeaders,
  hasBody,
  isJsonType,
  parseJsonBody,
  readBody,
  readJsonBody,
} from './body.js';
export type { Extended } from './extend.js';
export { extendCatalog } from './extend.js';
export type { ErrorResponse, FaultlineOptions, NeutralResponse, RequestInfo } from './faultline.js';
export {
  createFaultline,
  Faultline,
  fromHookResponse,
  toFaultline,
  toResponse,
} from './faultline.js';
export type {
  HookOutcome,
  HookRequest,
  HookResponse,
  ObservedResponse,
  ServerHook,
} from './hooks.js';
export { observesResponses, runRequestHooks, runResponseHooks } from './hooks.js';
export {
  formatAllow,
  generateRequestId,
  isValidRequestId,
  negotiateContentType,
  PROBE_METHODS,
} from './http.js';
export type { ErrorLogRecord, Logger, LogTarget, SpanLike, TelemetryApi } from './observe.js';
export { ErrorReply, Reply } from './reply.js';
export type { SseEvent, StreamOptions, StreamSource } from './stream.js';
export { ndjson, sse } from './stream.js';
export type { InferOutput, StandardIssue, StandardResult, StandardSchemaV1 } from './validation.js';
export { fieldErrorsFromIssues, isStandardSchema } from './validation.js';
