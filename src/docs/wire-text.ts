import type { WireFormatId } from './examples.js';

const LABELS: Record<WireFormatId, string> = {
  problem: 'RFC 9457 problem details (`application/problem+json`)',
  s2: 'a flat `{code, message}` JSON object',
  sequin: 'a `{summary}` JSON object',
  discord: 'a JSON object with a numeric `code`, a `message` and nested `errors`',
  jan: 'a JSON envelope `{error, code, message, details, request_id, timestamp}`',
  google: 'a `google.rpc.Status` JSON object inside `error`',
};

const NAMES: Record<WireFormatId, string> = {
  problem: 'problem+json',
  s2: 'S2 format',
  sequin: 'Sequin format',
  discord: 'Discord format',
  jan: 'Jan envelope',
  google: 'google.rpc.Status',
};

/** The short name of a wire format, such as `problem+json`. */
export function formatName(format: WireFormatId): string {
  return NAMES[format] ?? format;
}

/** A short description of a wire format, for prose. */
export function formatLabel(format: WireFormatId): string {
  return LABELS[format] ?? format;
}

const MEMBERS: Record<string, string> = {
  type: 'A URI naming the kind of error; it links to this reference.',
  title: 'A short summary of the kind of error.',
  status: 'The HTTP status, repeated in the body.',
  detail: 'What went wrong in this occurrence, for people.',
  instance: 'A URI naming this occurrence.',
  code: 'The stable error code: match on this.',
  message: 'What went wrong, for people; it may change.',
  error: 'The name of the kind of error, or an object holding the error.',
  errors: 'Per-field problems with the request.',
  details: 'Structured data about the error.',
  request_id: 'The id of the request, for support.',
  timestamp: 'When the error happened.',
  retry_after: 'Seconds to wait before trying again.',
  summary: 'What went wrong, for people.',
  validation_errors: 'For each field that failed validation, the reasons.',
};

/** The top-level members of an example body, each with what it means where known. */
export function bodyMembers(
  _format: WireFormatId,
  body: string,
): { name: string; meaning: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [];
  return Object.keys(parsed)
    .filter((key) => MEMBERS[key] !== undefined)
    .map((key) => ({ name: key, meaning: MEMBERS[key]! }));
}
