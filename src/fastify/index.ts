export type { FastifyFaultlineOptions, FastifyRouteFaultline } from './fastify.js';
export { fastifyServerOptions, faultlinePlugin, fieldErrorsFromAjv } from './fastify.js';
