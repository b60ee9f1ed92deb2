export type { HonoFaultline, HonoFaultlineOptions } from './hono.js';
export { useFaultline } from './hono.js';
