import type { FieldError } from '../core/error.js';

/**
 * The Standard Schema v1 interface (https://standardschema.dev), which zod 4, valibot and
 * arktype schemas implement. Written out here so faultline needs no dependency for it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The outcome of a Standard Schema validation. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/** One Standard Schema issue. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** The output type of a Standard Schema. */
export type InferOutput<S extends StandardSchemaV1> = NonNullable<
  S['~standard']['types']
>['output'];

/** Whether `value` looks like a Standard Schema. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.[
    '~standard'
  ];
  return (
    typeof props === 'object' &&
    props !== null &&
    props.version === 1 &&
    typeof props.validate === 'function'
  );
}

/** At most this many field problems are reported: a hostile body cannot grow the response. */
export const MAX_FIELD_ERRORS = 100;

/**
 * Standard Schema issues as faultline field errors: `path` segments become plain keys and
 * indexes (symbols become their description), and the list is capped at
 * {@link MAX_FIELD_ERRORS}.
 */
export function fieldErrorsFromIssues(issues: readonly StandardIssue[]): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues.slice(0, MAX_FIELD_ERRORS)) {
    const path: (string | number)[] = [];
    for (const segment of issue.path ?? []) {
      const key =
        typeof segment === 'object' && segment !== null
          ? (segment as { key: PropertyKey }).key
          : segment;
      path.push(
        typeof key === 'number' ? key : typeof key === 'symbol' ? String(key.description) : key,
      );
    }
    out.push({ path, message: String(issue.message) });
  }
  return out;
}
