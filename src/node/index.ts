export type { NodeHandler } from './node.js';
export {
  createClientErrorHandler,
  createNodeHandler,
  nodeBodySource,
  nodeHeaders,
  sendNodeResponse,
  toNeutralRequest,
} from './node.js';
