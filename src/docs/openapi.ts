import type { Catalog } from '../core/catalog.js';
import { reasonPhrase } from '../core/http.js';
import type { JsonSchema } from '../core/schema.js';
import type { Code, Entry } from '../core/types.js';
import { formats } from '../core/wire/index.js';
import { exampleResponse, type WireFormatId } from './examples.js';
import { boundedSchema } from './sample.js';

/** A JSON object of an OpenAPI document; faultline writes plain data, not a typed model. */
export type OpenApiObject = Record<string, unknown>;

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument extends OpenApiObject {
  openapi: string;
  info: { title: string; version: string } & OpenApiObject;
  components?: OpenApiComponents;
}

/** The `components` faultline writes. */
export interface OpenApiComponents extends OpenApiObject {
  schemas?: Record<string, OpenApiObject>;
  responses?: Record<string, OpenApiObject>;
  headers?: Record<string, OpenApiObject>;
}

/** Options for {@link toOpenApi}. */
export interface OpenApiOptions {
  /** Wire format of the bodies; `problem` when absent. */
  readonly format?: WireFormatId;
  /** Prefix of every component name; the catalog name in PascalCase when absent. */
  readonly prefix?: string;
  /** `info.title` of the document; the catalog's title and "errors" when absent. */
  readonly title?: string;
  /** `info.version`; the catalog version, or `0.0.0`. */
  readonly version?: string;
  /** Name of the request id header; `X-Request-Id` when absent. */
  readonly requestIdHeader?: string;
}

/** The extension every response carries: the codes sent with its status. */
export interface ResponseCode {
  readonly code: Code;
  readonly name: string;
  readonly retry: Entry['retry'];
  readonly sideEffect: Entry['sideEffect'];
  readonly type: string;
}

function pascal(name: string): string {
  const out = name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return /^[A-Za-z]/.test(out) ? out : `C${out}`;
}

/** A component name made of the characters OpenAPI allows. */
function componentName(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9._-]/g, '-');
}

function ref(kind: 'schemas' | 'responses' | 'headers', name: string): OpenApiObject {
  return { $ref: `#/components/${kind}/${name}` };
}

function codeSchema(entries: readonly Entry[]): OpenApiObject {
  const kinds = new Set(entries.map((entry) => typeof entry.code));
  const type =
    kinds.size === 2 ? ['string', 'integer'] : kinds.has('number') ? 'integer' : 'string';
  return { type, description: 'The stable error code; match on this, not on the message.' };
}

const fieldErrorPath: OpenApiObject = {
  type: 'array',
  items: { type: ['string', 'integer'] },
  description: 'Object keys and array indexes from the root of the request body.',
};

/** The body every error of `format` has, before any code adds its details. */
function standardBody(format: WireFormatId, code: OpenApiObject): OpenApiObject {
  const retryAfter = { type: 'number', minimum: 0, description: 'Seconds to wait before a retry.' };
  const requestId = { type: 'string', description: 'The id of the request, for support.' };
  switch (format) {
    case 'problem':
      return {
        type: 'object',
        description: 'RFC 9457 problem details; the details of the error are extension members.',
        properties: {
          type: { type: 'string', format: 'uri-reference', description: 'The problem type URI.' },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 100, maximum: 599 },
          detail: { type: 'string', description: 'What went wrong in this occurrence.' },
          instance: { type: 'string', format: 'uri-reference' },
          code,
          request_id: requestId,
          retry_after: retryAfter,
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                pointer: { type: 'string', description: 'JSON Pointer to the field.' },
                detail: { type: 'string' },
                code: { type: 'string' },
              },
              required: ['pointer', 'detail'],
            },
          },
        },
        required: ['type', 'title', 'status', 'detail', 'code'],
      };
    case 's2':
      return {
        type: 'object',
        properties: {
          code,
          message: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                path: fieldErrorPath,
                message: { type: 'string' },
                code: { type: 'string' },
              },
              required: ['path', 'message'],
            },
          },
        },
        required: ['code', 'message'],
      };
    case 'sequin':
      return {
        type: 'object',
        properties: {
          summary: { type: 'string' },
          code: { ...code, description: 'Sent only when the code is not the HTTP status.' },
          validation_errors: {
            type: 'object',
            additionalProperties: { type: 'array', items: { type: 'string' } },
            description: 'For each field that failed validation, the reasons.',
          },
        },
        required: ['summary'],
      };
    case 'discord':
      return {
        type: 'object',
        properties: {
          code,
          message: { type: 'string' },
          errors: {
            type: 'object',
            description:
              'A tree following the request body; each leaf has `_errors: [{code, message}]`.',
          },
          retry_after: retryAfter,
        },
        required: ['code', 'message'],
      };
    case 'jan':
      return {
        type: 'object',
        properties: {
          error: { type: 'string', description: 'The HTTP reason phrase.' },
          code,
          message: { type: 'string' },
          details: { type: 'object' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                field: { type: 'string' },
                message: { type: 'string' },
                code: { type: 'string' },
              },
              required: ['field', 'message'],
            },
          },
          request_id: requestId,
          timestamp: { type: 'string', format: 'date-time' },
          retry_after: retryAfter,
        },
        required: ['error', 'code', 'message', 'timestamp'],
      };
    case 'google':
      return {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              code: { type: 'integer', description: 'The HTTP status.' },
              message: { type: 'string' },
              status: { type: 'string', description: 'The canonical google.rpc.Code name.' },
              details: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { '@type': { type: 'string' } },
                  required: ['@type'],
                },
                description:
                  'ErrorInfo (reason = the code), RetryInfo, BadRequest, RequestInfo, and a Struct holding the details.',
              },
            },
            required: ['code', 'message', 'status', 'details'],
          },
        },
        required: ['error'],
      };
  }
}

/** Whether `format` puts the details at the top level of the body. */
function spreadsDetails(format: WireFormatId): boolean {
  return format === 'problem' || format === 's2' || format === 'sequin' || format === 'discord';
}

/** The body schema of one code whose body differs from the standard one. */
function codeBody(
  entry: Entry,
  format: WireFormatId,
  standard: OpenApiObject,
  details: string,
): OpenApiObject {
  if (format === 's2' && entry.structured) return ref('schemas', details);
  const properties = { ...(standard.properties as Record<string, OpenApiObject>) };
  const required = [...(standard.required as string[])];
  if (properties.code !== undefined && format !== 'sequin') {
    properties.code = { ...properties.code, const: entry.code };
  }
  const detailSchema = entry.details === undefined ? undefined : boundedSchema(entry.details);
  if (detailSchema && spreadsDetails(format)) {
    for (const [name, schema] of Object.entries(detailSchema.properties ?? {})) {
      // The format's own members win over a detail of the same name, as on the wire.
      if (Object.hasOwn(properties, name)) continue;
      properties[name] = schema as OpenApiObject;
      if (detailSchema.required?.includes(name)) required.push(name);
    }
  } else if (detailSchema && format === 'jan') {
    properties.details = ref('schemas', details);
    if ((detailSchema.required ?? []).length > 0) required.push('details');
  }
  return {
    type: 'object',
    description: `${entry.name} (${entry.status})${entry.meaning ? `: ${entry.meaning}` : ''}`,
    properties,
    required,
  };
}

/**
 * Writes the OpenAPI 3.1 components of a catalog: a schema of every wire body and of every
 * code's details, a response per HTTP status listing its codes (`x-faultline-codes`, with an
 * example per code), and the `Retry-After`, `RateLimit`, `RateLimit-Policy` and request id
 * headers. The result is a whole document (with `info` and no paths) that validates as
 * OpenAPI 3.1; {@link mergeOpenApi} puts its components into an existing document.
 *
 * @example
 * ```ts
 * const doc = toOpenApi(catalog, { format: 'problem' });
 * // paths reference doc.components.responses.OrdersError404 and friends
 * ```
 */
export function toOpenApi(catalog: Catalog<any>, options: OpenApiOptions = {}): OpenApiDocument {
  const format = options.format ?? 'problem';
  const prefix = options.prefix ?? pascal(catalog.name);
  const entries = catalog.entries as readonly Entry[];
  const contentType = formats[format].contentType.split(';')[0]!.trim();
  const requestIdHeader = options.requestIdHeader ?? 'X-Request-Id';

  const schemas: Record<string, OpenApiObject> = {};
  const standardName = componentName(`${prefix}Error`);
  const standard = standardBody(format, codeSchema(entries));
  schemas[standardName] = standard;

  const bodyOf = new Map<Entry, string>();
  for (const entry of entries) {
    const special = entry.details !== undefined || (format === 's2' && entry.structured);
    if (!special) continue;
    const detailsName = componentName(`${prefix}Details`, entry.anchor);
    if (entry.details) schemas[detailsName] = detailsSchema(entry.details, entry);
    const bodyName = componentName(`${prefix}Error`, entry.anchor);
    schemas[bodyName] = codeBody(entry, format, standard, detailsName);
    bodyOf.set(entry, bodyName);
  }

  const headers: Record<string, OpenApiObject> = {
    'Retry-After': {
      description:
        'How long to wait before retrying: seconds, or an HTTP date. Sent with rate-limit and temporary errors.',
      schema: { type: 'string', examples: ['30'] },
    },
    RateLimit: {
      description:
        'The IETF RateLimit header field: the quota left in the current window, such as `"default";r=0;t=30`.',
      schema: { type: 'string' },
    },
    'RateLimit-Policy': {
      description:
        'The IETF RateLimit-Policy header field: the quota policies that apply, such as `"default";q=100;w=60`.',
      schema: { type: 'string' },
    },
    [requestIdHeader]: {
      description: 'The id of the request; quote it when reporting a problem.',
      schema: { type: 'string' },
    },
  };

  const statuses = [...new Set(entries.map((entry) => entry.status))].sort((a, b) => a - b);
  const responses: Record<string, OpenApiObject> = {};
  for (const status of statuses) {
    const withStatus = entries.filter((entry) => entry.status === status);
    const special = [...new Set(withStatus.map((entry) => bodyOf.get(entry)).filter((n) => n))];
    const plain = withStatus.some((entry) => !bodyOf.has(entry));
    const options = [...(plain ? [standardName] : []), ...(special as string[])];
    const schema =
      options.length === 1
        ? ref('schemas', options[0]!)
        : { anyOf: options.map((name) => ref('schemas', name)) };
    const examples: Record<string, OpenApiObject> = {};
    for (const entry of withStatus) {
      const example = exampleResponse(catalog, entry, format);
      examples[componentName(entry.anchor)] = {
        summary: `${entry.name}${entry.meaning ? `: ${entry.meaning}` : ''}`,
        value: example.body === '' ? null : JSON.parse(example.body),
      };
    }
    const responseHeaders: Record<string, OpenApiObject> = {
      [requestIdHeader]: ref('headers', requestIdHeader),
    };
    if (
      withStatus.some((e) => e.retry === 'yes' || e.pending || e.retryAfter !== undefined) ||
      status === 429 ||
      status === 503
    ) {
      responseHeaders['Retry-After'] = ref('headers', 'Retry-After');
    }
    if (status === 429) {
      responseHeaders.RateLimit = ref('headers', 'RateLimit');
      responseHeaders['RateLimit-Policy'] = ref('headers', 'RateLimit-Policy');
    }
    const codes: ResponseCode[] = withStatus.map((entry) => ({
      code: entry.code,
      name: entry.name,
      retry: entry.retry,
      sideEffect: entry.sideEffect,
      type: entry.type,
    }));
    responses[componentName(`${prefix}Error${status}`)] = {
      description: `${reasonPhrase(status)}: ${withStatus.map((entry) => `\`${entry.code}\``).join(', ')}`,
      headers: responseHeaders,
      content: { [contentType]: { schema, examples } },
      'x-faultline-codes': codes,
    };
  }

  const info: OpenApiDocument['info'] = {
    title: options.title ?? `${catalog.title ?? catalog.name} errors`,
    version: options.version ?? catalog.version ?? '0.0.0',
  };
  if (catalog.description) info.description = catalog.description;
  return {
    openapi: '3.1.0',
    info,
    components: { schemas, responses, headers },
  };
}

function detailsSchema(details: JsonSchema, entry: Entry): OpenApiObject {
  const schema = boundedSchema(details) as OpenApiObject;
  if (schema.description === undefined) {
    schema.description = `Details of ${typeof entry.code === 'number' ? entry.code : `\`${entry.code}\``} (${entry.name}).`;
  }
  return schema;
}

/** What {@link mergeOpenApi} does when a component name exists in both documents. */
export type MergeConflict = 'ours' | 'theirs' | 'error';

/** A component name that both documents define, found by {@link mergeOpenApi}. */
export class OpenApiMergeError extends Error {
  override name = 'OpenApiMergeError';
  readonly conflicts: readonly string[];
  constructor(message: string, conflicts: readonly string[] = []) {
    super(message);
    this.conflicts = conflicts;
  }
}

/**
 * Merges generated components into an existing OpenAPI 3.1 document and returns a new
 * document; the input is not changed. On a name both define, the generated component wins
 * (`ours`, the default, so re-running the merge updates it), the existing one stays
 * (`theirs`), or the merge fails (`error`).
 *
 * @throws {OpenApiMergeError} when `document` is not OpenAPI 3.1, or on a conflict with `error`.
 */
export function mergeOpenApi(
  document: unknown,
  generated: OpenApiDocument | OpenApiComponents,
  onConflict: MergeConflict = 'ours',
): OpenApiDocument {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new OpenApiMergeError('the document to merge into is not a JSON object');
  }
  const target = structuredClone(document) as OpenApiDocument;
  if (typeof target.openapi !== 'string' || !target.openapi.startsWith('3.1')) {
    throw new OpenApiMergeError(
      `the document to merge into is OpenAPI ${JSON.stringify(target.openapi ?? 'unknown')}; faultline writes OpenAPI 3.1 schemas`,
    );
  }
  const components = (
    'openapi' in generated ? (generated as OpenApiDocument).components : generated
  ) as OpenApiComponents | undefined;
  target.components ??= {};
  const into = target.components as Record<string, unknown>;
  const conflicts: string[] = [];
  for (const kind of ['schemas', 'responses', 'headers'] as const) {
    const ours = components?.[kind];
    if (!ours) continue;
    const existing = into[kind];
    const section: Record<string, unknown> =
      typeof existing === 'object' && existing !== null
        ? (existing as Record<string, unknown>)
        : {};
    into[kind] = section;
    for (const [name, value] of Object.entries(ours)) {
      if (Object.hasOwn(section, name)) {
        if (JSON.stringify(section[name]) !== JSON.stringify(value))
          conflicts.push(`${kind}/${name}`);
        if (onConflict === 'theirs') continue;
      }
      section[name] = structuredClone(value);
    }
  }
  if (onConflict === 'error' && conflicts.length > 0) {
    throw new OpenApiMergeError(
      `components defined differently in both documents: ${conflicts.join(', ')}`,
      conflicts,
    );
  }
  return target;
}
