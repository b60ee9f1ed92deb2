export type { ExpressErrors } from './express.js';
export { createExpressErrors, discardLateWrites } from './express.js';
