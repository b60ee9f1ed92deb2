import type { JsonSchema } from '../core/schema.js';

const MAX_SAMPLE_DEPTH = 8;

/**
 * A plausible example value for a details schema, for example bodies in docs and OpenAPI.
 * Deterministic (the docs must not change between runs) and bounded in depth.
 *
 * @example
 * ```ts
 * sampleValue({ type: 'integer', minimum: 0 }); // 42
 * ```
 */
export function sampleValue(schema: JsonSchema | undefined, depth = 0): unknown {
  if (schema === undefined || depth > MAX_SAMPLE_DEPTH) return null;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.anyOf && schema.anyOf.length > 0) {
    const option = schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0];
    return sampleValue(option, depth + 1);
  }
  switch (schema.type) {
    case 'string':
      return sampleString(schema);
    case 'integer':
      return clamp(42, schema);
    case 'number':
      return clamp(1.5, schema);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [sampleValue(schema.items ?? {}, depth + 1)];
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = schema.properties ?? {};
      for (const key of Object.keys(properties)) {
        if (key === '__proto__') continue;
        out[key] = sampleValue(properties[key], depth + 1);
      }
      if (Object.keys(properties).length === 0 && typeof schema.additionalProperties === 'object') {
        out.key = sampleValue(schema.additionalProperties, depth + 1);
      }
      return out;
    }
    default:
      return 'value';
  }
}

function sampleString(schema: JsonSchema): string {
  let value: string;
  switch (schema.format) {
    case 'date-time':
      value = '2025-01-01T12:00:00Z';
      break;
    case 'date':
      value = '2025-01-01';
      break;
    case 'uri':
    case 'url':
      value = 'https://example.com/resource';
      break;
    case 'email':
      value = 'user@example.com';
      break;
    case 'uuid':
      value = '3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f';
      break;
    default:
      value = 'example';
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    value = value.slice(0, schema.maxLength);
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    value = value.padEnd(schema.minLength, 'x');
  }
  return value;
}

function clamp(value: number, schema: JsonSchema): number {
  let out = value;
  if (schema.minimum !== undefined && out < schema.minimum) out = schema.minimum;
  if (schema.maximum !== undefined && out > schema.maximum) out = schema.maximum;
  return out;
}

/** A short human description of a schema's type, such as `integer ≥ 0` or `string[]`. */
export function describeType(schema: JsonSchema | undefined, depth = 0): string {
  if (schema === undefined || depth > MAX_SAMPLE_DEPTH) return 'any';
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map((s) => describeType(s, depth + 1)).join(' | ');
  switch (schema.type) {
    case 'array':
      return `${wrap(describeType(schema.items, depth + 1))}[]`;
    case 'object': {
      if (schema.properties && Object.keys(schema.properties).length > 0) return 'object';
      if (typeof schema.additionalProperties === 'object') {
        return `map of ${describeType(schema.additionalProperties, depth + 1)}`;
      }
      return 'object';
    }
    case 'integer':
    case 'number': {
      const bounds: string[] = [];
      if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
      if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
      return [schema.type, ...bounds].join(' ');
    }
    case 'string':
      return schema.format === undefined ? 'string' : `string (${schema.format})`;
    case undefined:
      return 'any';
    default:
      return schema.type;
  }
}

function wrap(text: string): string {
  return text.includes(' ') ? `(${text})` : text;
}

/** One documented field of a details object, flattened with a dotted path. */
export interface FieldDoc {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string | undefined;
}

/** The fields of a details schema, nested objects flattened as `outer.inner`. */
export function detailFields(schema: JsonSchema | undefined): FieldDoc[] {
  const out: FieldDoc[] = [];
  const walk = (node: JsonSchema, prefix: string, depth: number): void => {
    if (depth > MAX_SAMPLE_DEPTH) return;
    const required = new Set(node.required ?? []);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.push({
        path,
        type: describeType(child),
        required: required.has(key),
        description: child.description,
      });
      if (child.type === 'object' && child.properties) walk(child, path, depth + 1);
    }
  };
  if (schema) walk(schema, '', 0);
  return out;
}

/** Nesting kept when a details schema is copied into docs or OpenAPI output. */
export const MAX_SCHEMA_DEPTH = 32;

/**
 * A copy of a schema cut at `depth` levels, so every output can be serialised: deeper parts
 * become an open schema that says why.
 */
export function boundedSchema(schema: JsonSchema, depth = MAX_SCHEMA_DEPTH): JsonSchema {
  return copyBounded(schema, depth) as JsonSchema;
}

function copyBounded(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth <= 0) return { description: 'Nested too deeply to describe here.' };
  if (Array.isArray(value)) return value.map((item) => copyBounded(item, depth - 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    out[key] = copyBounded((value as Record<string, unknown>)[key], depth - 1);
  }
  return out;
}
