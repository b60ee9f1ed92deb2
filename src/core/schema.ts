/**
 * A small, typed subset of JSON Schema for error details.
 *
 * Details must be describable as data (for the JSON catalog, OpenAPI, docs, the
 * breaking-change diff and codegen) and as TypeScript types (for narrowing). Each
 * builder returns a plain JSON Schema object that carries its TypeScript type as a
 * phantom, so one definition serves both.
 */

/** The JSON Schema keywords faultline understands in details schemas. */
export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';
  enum?: readonly (string | number | boolean | null)[];
  description?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: readonly JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
}

declare const phantom: unique symbol;

/** A JSON Schema that also carries the TypeScript type `T` of the values it accepts. */
export type Schema<T> = JsonSchema & { readonly [phantom]?: T };

/** The TypeScript type a {@link Schema} describes. */
export type Infer<S> = S extends Schema<infer T> ? T : unknown;

declare const optionalMark: unique symbol;
/** A schema for an object property that may be absent. */
export type Optional<T> = Schema<T> & { readonly [optionalMark]: true };

type Fields = Readonly<Record<string, Schema<any>>>;
type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly [optionalMark]: true } ? K : never;
}[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The object type described by a record of field schemas. */
export type InferFields<F extends Fields> = Simplify<
  { -readonly [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & {
    -readonly [K in OptionalKeys<F>]?: Infer<F[K]>;
  }
>;

const OPTIONAL = Symbol.for('faultline.optional');

interface Annotations {
  description?: string;
}

function withDescription<S extends JsonSchema>(schema: S, options?: Annotations): S {
  return options?.description === undefined
    ? schema
    : { ...schema, description: options.description };
}

/**
 * Builders for the typed details of catalog entries.
 *
 * @example
 * ```ts
 * const details = { seq_num: t.integer(), reason: t.optional(t.string()) };
 * // typed as { seq_num: number; reason?: string }
 * ```
 */
export const t = {
  /** A string. */
  string: (options?: Annotations & { format?: string; minLength?: number; maxLength?: number }) =>
    withDescription(
      {
        type: 'string',
        ...(options?.format === undefined ? {} : { format: options.format }),
        ...(options?.minLength === undefined ? {} : { minLength: options.minLength }),
        ...(options?.maxLength === undefined ? {} : { maxLength: options.maxLength }),
      },
      options,
    ) as Schema<string>,
  /** Any finite number. */
  number: (options?: Annotations & { minimum?: number; maximum?: number }) =>
    withDescription(
      {
        type: 'number',
        ...(options?.minimum === undefined ? {} : { minimum: options.minimum }),
        ...(options?.maximum === undefined ? {} : { maximum: options.maximum }),
      },
      options,
    ) as Schema<number>,
  /** An integer. */
  integer: (options?: Annotations & { minimum?: number; maximum?: number }) =>
    withDescription(
      {
        type: 'integer',
        ...(options?.minimum === undefined ? {} : { minimum: options.minimum }),
        ...(options?.maximum === undefined ? {} : { maximum: options.maximum }),
      },
      options,
    ) as Schema<number>,
  /** `true` or `false`. */
  boolean: (options?: Annotations) =>
    withDescription({ type: 'boolean' }, options) as Schema<boolean>,
  /** One of a fixed set of literal values. */
  enum: <const V extends readonly (string | number | boolean | null)[]>(
    values: V,
    options?: Annotations,
  ) => withDescription({ enum: values }, options) as Schema<V[number]>,
  /** An array whose items all match `item`. */
  array: <T>(item: Schema<T>, options?: Annotations) =>
    withDescription({ type: 'array', items: item }, options) as Schema<T[]>,
  /** An object with the given fields; fields wrapped in {@link t.optional} may be absent. */
  object: <const F extends Fields>(fields: F, options?: Annotations) =>
    withDescription(objectSchema(fields), options) as Schema<InferFields<F>>,
  /** A map from string keys to values matching `value`. */
  record: <T>(value: Schema<T>, options?: Annotations) =>
    withDescription({ type: 'object', additionalProperties: value }, options) as Schema<
      Record<string, T>
    >,
  /** A value matching any of the given schemas. */
  union: <const S extends readonly Schema<any>[]>(schemas: S, options?: Annotations) =>
    withDescription({ anyOf: schemas }, options) as Schema<Infer<S[number]>>,
  /** `null` or a value matching `schema`. */
  nullable: <T>(schema: Schema<T>, options?: Annotations) =>
    withDescription({ anyOf: [schema, { type: 'null' }] }, options) as Schema<T | null>,
  /** Any JSON value. */
  unknown: (options?: Annotations) => withDescription({}, options) as Schema<unknown>,
  /** Marks an object field as optional. */
  optional: <T>(schema: Schema<T>): Optional<T> =>
    Object.defineProperty({ ...schema }, OPTIONAL, {
      value: true,
      enumerable: false,
    }) as Optional<T>,
};

/** Builds the JSON Schema of an object from a record of field schemas. */
export function objectSchema(fields: Fields): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, schema] of Object.entries(fields)) {
    properties[key] = { ...schema };
    if (!(schema as Record<symbol, unknown>)[OPTIONAL]) required.push(key);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** One way a value fails its schema: where (a JSON Pointer) and why. */
export interface SchemaIssue {
  pointer: string;
  message: string;
}

const MAX_VALIDATION_DEPTH = 64;

/**
 * Checks `value` against a details schema and lists every problem (empty when valid).
 * Never throws; depth is bounded so hostile input cannot exhaust the stack.
 */
export function validate(schema: JsonSchema, value: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(schema, value, '', issues, 0);
  return issues;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const characters = (count: number) => (count === 1 ? '1 character' : `${count} characters`);

function check(
  schema: JsonSchema,
  value: unknown,
  pointer: string,
  issues: SchemaIssue[],
  depth: number,
): void {
  if (depth > MAX_VALIDATION_DEPTH) {
    issues.push({ pointer, message: 'nested too deeply' });
    return;
  }
  if (schema.anyOf) {
    const ok = schema.anyOf.some((option) => validate(option, value).length === 0);
    if (!ok) issues.push({ pointer, message: 'matches none of the allowed shapes' });
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    issues.push({ pointer, message: `must be one of ${JSON.stringify(schema.enum)}` });
    return;
  }
  switch (schema.type) {
    case undefined:
      return;
    case 'string':
      if (typeof value !== 'string') break;
      if (schema.minLength !== undefined && value.length < schema.minLength)
        issues.push({ pointer, message: `must be at least ${characters(schema.minLength)}` });
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        issues.push({ pointer, message: `must be at most ${characters(schema.maxLength)}` });
      return;
    case 'number':
    case 'integer':
      if (typeof value === 'number' && !Number.isFinite(value)) {
        issues.push({ pointer, message: 'must be a finite number' });
        return;
      }
      if (typeof value !== 'number') break;
      if (schema.type === 'integer' && !Number.isInteger(value)) break;
      if (schema.minimum !== undefined && value < schema.minimum)
        issues.push({ pointer, message: `must be at least ${schema.minimum}` });
      if (schema.maximum !== undefined && value > schema.maximum)
        issues.push({ pointer, message: `must be at most ${schema.maximum}` });
      return;
    case 'boolean':
      if (typeof value !== 'boolean') break;
      return;
    case 'null':
      if (value !== null) break;
      return;
    case 'array':
      if (!Array.isArray(value)) break;
      if (schema.items) {
        for (let i = 0; i < value.length; i++) {
          check(schema.items, value[i], `${pointer}/${i}`, issues, depth + 1);
        }
      }
      return;
    case 'object': {
      if (typeOf(value) !== 'object') break;
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(record, key)) {
          issues.push({ pointer: `${pointer}/${escapePointer(key)}`, message: 'is required' });
        }
      }
      for (const key of Object.keys(record)) {
        const child = schema.properties?.[key];
        const at = `${pointer}/${escapePointer(key)}`;
        if (child && Object.hasOwn(schema.properties!, key)) {
          check(child, record[key], at, issues, depth + 1);
        } else if (schema.additionalProperties === false) {
          issues.push({ pointer: at, message: 'is not allowed' });
        } else if (typeof schema.additionalProperties === 'object') {
          check(schema.additionalProperties, record[key], at, issues, depth + 1);
        }
      }
      return;
    }
  }
  issues.push({ pointer, message: `must be ${article(schema.type)}, got ${typeOf(value)}` });
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
