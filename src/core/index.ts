export type {
  CatalogError,
  CatalogIssue,
  CatalogJson,
  CodeOf,
  CreateOptions,
  EntryJson,
  ErrorFor,
  GroupJson,
} from './catalog.js';
export {
  anchorOf,
  CATALOG_FORMAT_VERSION,
  CATALOG_SCHEMA_ID,
  Catalog,
  CatalogDefinitionError,
  catalogFromJSON,
  catalogToJSON,
  defineCatalog,
  formatMessage,
  placeholders,
  RESERVED_DETAIL_NAMES,
} from './catalog.js';
export type { ApiErrorInit, FieldError } from './error.js';
export { ApiError, isApiError } from './error.js';
export type { HeadersLike } from './http.js';
export { getHeader, isHttpStatus, reasonPhrase } from './http.js';
export type { Infer, InferFields, JsonSchema, Optional, Schema, SchemaIssue } from './schema.js';
export { t, validate } from './schema.js';
export type {
  CatalogDefinition,
  Code,
  CodesOf,
  DetailsOf,
  DetailsOfEntry,
  EntriesOf,
  Entry,
  EntryDefinition,
  EntryOf,
  Group,
  GroupDefinition,
  NoDetails,
  Retry,
  SideEffect,
} from './types.js';
export * from './wire/index.js';
