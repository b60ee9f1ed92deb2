export type { ServerSentEvent, StreamOptions } from '../stream.js';
export { readEvents, readLines } from '../stream.js';
