export type { Step, StepKind } from './plan.js';
export { errorOf, PRESETS, parsePlan } from './plan.js';
export type {
  FaultRequest,
  FaultServer,
  FaultServerOptions,
  FaultStats,
  Outage,
  RateLimitOptions,
} from './server.js';
export { startFaultServer } from './server.js';
