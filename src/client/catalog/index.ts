export { clientCatalog } from './catalog.js';
