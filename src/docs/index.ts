export type { CodegenOptions } from './codegen.js';
export { generateTypeScript } from './codegen.js';
export type { BreakingRule, CatalogDiff, Change, NonBreakingRule } from './diff.js';
export { diffCatalogs } from './diff.js';
export type { ExampleResponse, WireFormatId } from './examples.js';
export { renderHtml, renderHtmlFromModel } from './html.js';
export type { LintIssue } from './lint.js';
export { lintCatalog } from './lint.js';
export { markdownFromModel, renderMarkdown } from './markdown.js';
export type {
  DocsEntry,
  DocsModel,
  DocsOptions,
  DocsPolicies,
  DocsRow,
  DocsTable,
  GuidanceItem,
  RateLimitPolicyDoc,
} from './model.js';
export { buildDocsModel } from './model.js';
export type {
  MergeConflict,
  OpenApiComponents,
  OpenApiDocument,
  OpenApiObject,
  OpenApiOptions,
  ResponseCode,
} from './openapi.js';
export { mergeOpenApi, OpenApiMergeError, toOpenApi } from './openapi.js';
export type { FieldDoc } from './sample.js';
