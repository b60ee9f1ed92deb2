export type { NodeHandler } from './node.js';
export {
  createClientErrorHandler,
  createNodeHandler,
  nodeBodySource,
  nodeHeaders,
  sendNodeError,
  sendNodeResponse,
  toNeutralRequest,
} from './node.js';
