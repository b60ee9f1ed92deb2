import type { Catalog } from '../core/catalog.js';
import { ApiError } from '../core/error.js';
import { reasonPhrase } from '../core/http.js';
import type { JsonSchema } from '../core/schema.js';
import { type EncodedError, encode, type FormatId } from '../core/wire/index.js';
import { discord, eventStore, jan, s2, sequin } from '../presets/index.js';

/** What the server does with one attempt of an operation. */
export type StepKind =
  | 'ok'
  | 'before'
  | 'after'
  | 'hang'
  | 'hang-after'
  | 'reset'
  | 'reset-after'
  | 'pending'
  | 'stream';

/** One parsed step of a fault plan. */
export interface Step {
  kind: StepKind;
  /** The error to answer with (`before`, `after`) or to end a stream with. */
  error?: string;
  /** Seconds for the `Retry-After` header (and the body's `retry_after` where the format has one). */
  retryAfter?: number;
  /** Milliseconds to wait before answering (`ok`, `after`, `stream` between events). */
  delay?: number;
  /** Events before the terminal error of a `stream` step. */
  events?: number;
  /** `sse` (default) or `ndjson`, for `stream` steps. */
  format?: 'sse' | 'ndjson';
}

const KINDS = new Set<StepKind>([
  'ok',
  'before',
  'after',
  'hang',
  'hang-after',
  'reset',
  'reset-after',
  'pending',
  'stream',
]);

/** The preset catalogs a plan can name errors from, with the wire format each API speaks. */
export const PRESETS: Readonly<Record<string, { catalog: Catalog<any>; format: FormatId }>> = {
  s2: { catalog: s2, format: 's2' },
  sequin: { catalog: sequin, format: 'sequin' },
  eventStore: { catalog: eventStore, format: 'problem' },
  discord: { catalog: discord, format: 'discord' },
  jan: { catalog: jan, format: 'jan' },
};

/**
 * Parses a fault plan: steps separated by `,`, each `kind[:error][;param=value…]`. The n-th
 * attempt of an operation gets the n-th step; the last step repeats.
 *
 * - `ok` — execute, answer 200 `{ok, op, executions}`.
 * - `before:<error>` — answer the error without executing; `after:<error>` — execute, then
 *   answer the error (the outcome is lost on the way back).
 * - `hang`, `hang-after` — never answer (before / after executing).
 * - `reset`, `reset-after` — destroy the connection (before / after executing).
 * - `pending` — 202 with `retry_after` (Discord), nothing executed.
 * - `stream` — execute, 200 OK, `events` events, then the error as a terminal message.
 *
 * `<error>` is an HTTP status (`503`) or a preset code (`s2.unavailable`, `eventStore.2013`,
 * `discord.50014`, `jan.RATE_LIMIT_EXCEEDED`, `sequin.429`). Parameters: `retry-after`
 * (seconds), `delay` (ms), `events`, `format` (`sse` or `ndjson`).
 *
 * @example
 * ```ts
 * parsePlan('after:s2.unavailable;retry-after=1, ok');
 * ```
 * @throws {TypeError} on an unknown kind, parameter or error.
 */
export function parsePlan(text: string): Step[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [head = '', ...params] = part.split(';').map((p) => p.trim());
      const colon = head.indexOf(':');
      const kind = (colon === -1 ? head : head.slice(0, colon)) as StepKind;
      if (!KINDS.has(kind)) throw new TypeError(`Unknown fault step "${head}"`);
      const step: Step = { kind };
      if (colon !== -1) step.error = head.slice(colon + 1);
      for (const param of params) {
        const [name, value = ''] = param.split('=').map((p) => p.trim());
        const number = Number(value);
        if (name === 'retry-after' && number >= 0) step.retryAfter = number;
        else if (name === 'delay' && number >= 0) step.delay = number;
        else if (name === 'events' && Number.isInteger(number) && number >= 0) step.events = number;
        else if (name === 'format' && (value === 'sse' || value === 'ndjson')) step.format = value;
        else if (name === 'error') step.error = value;
        else throw new TypeError(`Unknown or invalid fault parameter "${param}"`);
      }
      if ((kind === 'before' || kind === 'after') && step.error === undefined) {
        throw new TypeError(`Fault step "${head}" needs an error, such as ${kind}:503`);
      }
      if (step.error !== undefined) errorOf(step.error, undefined);
      return step;
    });
}

/** A value that satisfies `schema`, for details a plan does not give. */
function sample(schema: JsonSchema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf[0]);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sample(value)]),
      );
    default:
      return 'x';
  }
}

/**
 * The response of an error named in a plan: an HTTP status as problem+json, or a preset code
 * in its API's own wire format.
 *
 * @throws {TypeError} when the error names no status or preset code.
 */
export function errorOf(name: string, retryAfter: number | undefined): EncodedError {
  const dot = name.indexOf('.');
  let error: ApiError;
  let format: FormatId = 'problem';
  let catalog: Catalog<any> | undefined;
  if (dot === -1) {
    const status = Number(name);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`Unknown fault error "${name}": use a 4xx/5xx status or preset.code`);
    }
    error = new ApiError({ code: status, status, message: reasonPhrase(status) });
  } else {
    const preset = PRESETS[name.slice(0, dot)];
    const code = name.slice(dot + 1);
    const entry = preset?.catalog.get(code);
    if (!preset || !entry) throw new TypeError(`Unknown fault error "${name}"`);
    catalog = preset.catalog;
    format = preset.format;
    error = (catalog as Catalog).create(entry.code, sample(entry.details) as never);
  }
  if (retryAfter !== undefined) error = error.with({ retryAfter });
  return encode(error, format, catalog === undefined ? {} : { catalog });
}
