import type { Catalog } from '../core/catalog.js';
import { reasonPhrase } from '../core/http.js';
import type { ExampleResponse } from './examples.js';
import {
  buildDocsModel,
  type DocsEntry,
  type DocsModel,
  type DocsOptions,
  type DocsPolicies,
  type DocsTable,
} from './model.js';
import {
  codeText,
  escapeHtml,
  escapeMarkdown,
  markdownCell,
  markdownCode,
  markdownFence,
  rangeText,
} from './text.js';
import { bodyMembers, formatLabel, formatName } from './wire-text.js';

/**
 * Renders the error reference of a catalog as Markdown for a docs site: a table per group
 * or category range (code, name, HTTP status, retryable, side effect, meaning), the
 * standard body shape, a section per code with details or special handling (with an
 * example body in the chosen wire format), retry guidance and the API's policies.
 *
 * Every code has a stable anchor (`entry.anchor`), so problem `type` URIs can point at it.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from 'faultline/docs';
 * await writeFile('errors.md', renderMarkdown(catalog, { format: 's2' }));
 * ```
 */
export function renderMarkdown(catalog: Catalog<any>, options: DocsOptions = {}): string {
  return markdownFromModel(buildDocsModel(catalog, options));
}

/** Renders Markdown from an already built {@link DocsModel}. */
export function markdownFromModel(model: DocsModel): string {
  const out: string[] = [];
  out.push(`# ${escapeMarkdown(model.title)} error reference`);
  if (model.description) out.push(escapeMarkdown(model.description));
  out.push(intro(model));
  for (const table of model.tables) out.push(renderTable(table));
  out.push(bodySection(model));
  const structured = model.entries.filter(isStructured);
  if (structured.length > 0) {
    out.push('## Structured errors');
    out.push('These errors carry details beyond the code and message; each shows its body.');
    for (const entry of structured) out.push(entrySection(entry, model));
  }
  const others = model.entries.filter((entry) => entry.hasSection && !isStructured(entry));
  if (others.length > 0) {
    out.push('## Codes in detail');
    for (const entry of others) out.push(entrySection(entry, model));
  }
  out.push(retrySection(model));
  out.push(...policySections(model.policies ?? {}, model));
  return `${out.filter((part) => part !== '').join('\n\n')}\n`;
}

/** Entries whose body differs from the standard shape, so they get an example of their own. */
function isStructured(entry: DocsEntry): boolean {
  return entry.details !== undefined || entry.structured || entry.pending;
}

function intro(model: DocsModel): string {
  const lines: string[] = [];
  const kind =
    model.codeKind === 'number' ? 'numeric code' : model.codeKind === 'string' ? 'code' : 'code';
  lines.push(
    `Every error carries a stable ${kind}. Match on the code, not on the message: messages are for people and may change.`,
  );
  if (model.unlistedReserved) {
    lines.push('Codes are grouped by category; unlisted values inside a range are reserved.');
  }
  const facts: string[] = [];
  if (model.version !== undefined) facts.push(`Catalog version ${markdownCode(model.version)}.`);
  if (model.closed) {
    facts.push('The set of codes is closed: a new code comes only with a new catalog version.');
  } else {
    facts.push(
      'New codes may be added at any time; treat an unknown code by its HTTP status (see [Retrying](#retrying)).',
    );
  }
  lines.push(facts.join(' '));
  return lines.join('\n\n');
}

function tableHeading(table: DocsTable): string {
  const range = table.range ? ` (${rangeText(table.range)})` : '';
  return `## <a id="${escapeHtml(table.anchor)}"></a>${escapeMarkdown(table.title)}${range}`;
}

function renderTable(table: DocsTable): string {
  const parts: string[] = [tableHeading(table)];
  if (table.description) parts.push(escapeMarkdown(table.description));
  if (table.reserved.length > 0) {
    parts.push(
      `Reserved, never used: ${table.reserved.map((span) => rangeText(span)).join(', ')}.`,
    );
  }
  if (table.rows.length === 0) {
    parts.push('No codes yet.');
    return parts.join('\n\n');
  }
  const lines = [
    '| Code | Name | HTTP Status | Retryable | Side Effect | Meaning |',
    '| ---- | ---- | ----------- | --------- | ----------- | ------- |',
  ];
  for (const row of table.rows) {
    const code = markdownCode(codeText(row.code)).replace(/\|/g, '\\|');
    let cell: string;
    if (row.hasSection) cell = `[${code}](#${row.anchor})`;
    else if (row.primary) cell = `<a id="${escapeHtml(row.anchor)}"></a>${code}`;
    else cell = `[${code}](#${row.anchor})`;
    lines.push(
      `| ${cell} | ${markdownCell(row.name)} | ${row.status} | ${row.retryable} | ${row.sideEffectLabel} | ${markdownCell(row.meaning)} |`,
    );
  }
  parts.push(lines.join('\n'));
  return parts.join('\n\n');
}

function exampleBlock(example: ExampleResponse, model: DocsModel): string {
  const head = [`HTTP ${example.status} ${reasonPhrase(example.status)}`];
  for (const [name, value] of Object.entries(example.headers)) head.push(`${name}: ${value}`);
  const parts = [markdownFence(head.join('\n'), 'http')];
  if (example.body !== '') parts.push(markdownFence(example.body, 'json'));
  return `Example (${formatName(model.format)}):\n\n${parts.join('\n\n')}`;
}

function bodySection(model: DocsModel): string {
  const parts = ['## Error body'];
  parts.push(
    `Errors are sent as ${formatLabel(model.format)}. A standard error body looks like this:`,
  );
  parts.push(markdownFence(model.bodyShape.body, 'json'));
  const members = bodyMembers(model.format, model.bodyShape.body);
  if (members.length > 0) {
    const lines = ['| Member | Meaning |', '| ------ | ------- |'];
    for (const member of members) {
      lines.push(`| ${markdownCode(member.name)} | ${markdownCell(member.meaning)} |`);
    }
    parts.push(lines.join('\n'));
  }
  // Only the S2 format sends a structured entry's details as the whole body.
  const structured = model.entries.filter((entry) => entry.structured);
  if (structured.length > 0 && model.format === 's2') {
    parts.push(
      `Some errors send their details object alone as the body: ${structured.map((e) => `[${markdownCode(codeText(e.code))}](#${e.anchor})`).join(', ')}. Their shapes are under [Structured errors](#structured-errors).`,
    );
  }
  parts.push(
    `Every response carries a request id in the ${markdownCode(model.requestIdHeader)} header; quote it when you report a problem.`,
  );
  return parts.join('\n\n');
}

function entrySection(entry: DocsEntry, model: DocsModel): string {
  const parts: string[] = [];
  parts.push(
    `### <a id="${escapeHtml(entry.anchor)}"></a>${markdownCode(codeText(entry.code))} ${escapeMarkdown(entry.title)} (${entry.status})`,
  );
  const facts = [
    `**HTTP** ${entry.status} ${entry.statusText}`,
    `**Retryable** ${entry.retryable}`,
    `**Side effect** ${entry.sideEffectLabel}`,
  ];
  if (entry.type !== 'about:blank') facts.push(`**Type** ${markdownCode(entry.type)}`);
  if (entry.since !== undefined) facts.push(`**Since** ${markdownCode(entry.since)}`);
  parts.push(facts.join(' · '));
  if (entry.deprecated !== undefined && entry.deprecated !== false) {
    parts.push(
      typeof entry.deprecated === 'string'
        ? `**Deprecated:** ${escapeMarkdown(entry.deprecated)}`
        : '**Deprecated.**',
    );
  }
  if (Object.keys(entry.groupMeanings).length === 0) {
    if (entry.meaning) parts.push(escapeMarkdown(entry.meaning));
  } else {
    // One code, several services: each group says what it means there.
    for (const group of entry.groups) {
      const meaning = entry.groupMeanings[group] ?? entry.meaning;
      if (meaning === undefined) continue;
      const title = model.tables.find((t) => t.id === group)?.title ?? group;
      parts.push(`In *${escapeMarkdown(title)}*: ${escapeMarkdown(meaning)}`);
    }
  }
  if (entry.successEquivalent) {
    parts.push(
      '**Treat as success.** The operation already landed, typically from an earlier attempt of the same request.',
    );
  }
  if (entry.notSuccess !== undefined) {
    parts.push(`**Not a success.** ${escapeMarkdown(entry.notSuccess)}`);
  }
  if (entry.pending) {
    parts.push('**Accepted, not ready.** Poll again after the `retry_after` the response carries.');
  }
  if (entry.fix) parts.push(`**How to fix:** ${escapeMarkdown(entry.fix)}`);
  if (entry.fields.length > 0) {
    const lines = [
      '| Field | Type | Required | Description |',
      '| ----- | ---- | -------- | ----------- |',
    ];
    for (const field of entry.fields) {
      lines.push(
        `| ${markdownCode(field.path)} | ${markdownCell(field.type)} | ${field.required ? 'yes' : 'no'} | ${markdownCell(field.description ?? '')} |`,
      );
    }
    parts.push(
      entry.structured && model.format === 's2'
        ? 'The body is this object alone:'
        : 'Details carried with the error:',
    );
    parts.push(lines.join('\n'));
  }
  // Plain errors share the standard body shown once under "Error body".
  if (isStructured(entry)) parts.push(exampleBlock(entry.example, model));
  return parts.join('\n\n');
}

function codeList(codes: readonly { code: unknown; anchor: string }[]): string {
  return codes.map((c) => `[${markdownCode(String(c.code))}](#${c.anchor})`).join(', ');
}

function retrySection(model: DocsModel): string {
  const parts = ['## Retrying'];
  parts.push(
    'Each code says whether repeating the request can help (**Retryable**) and whether a failed request may already have taken effect (**Side Effect**). Together they decide what a client may do:',
  );
  for (const item of model.guidance) {
    parts.push(`### ${item.title}\n\n${escapeMarkdown(item.text)}\n\n${codeList(item.codes)}`);
  }
  parts.push(
    '### Waiting\n\nBack off exponentially with full jitter (a random delay between zero and the current cap), and never wait past your own deadline. When the response says how long to wait — `Retry-After` (seconds or an HTTP date), the `RateLimit` header fields, or a `retry_after` member — use that instead. A rate-limit answer pauses every request to the API, not only the one that failed. Keep retries to a small share of all requests (a retry budget) and stop calling a failing API for a while (a circuit breaker), so an outage is not multiplied by retries.',
  );
  parts.push(`### Unknown codes\n\n${escapeMarkdown(model.statusFallback)}`);
  return parts.join('\n\n');
}

function seconds(value: number): string {
  if (value % 86400 === 0 && value >= 86400) return `${value / 86400} d`;
  if (value % 3600 === 0 && value >= 3600) return `${value / 3600} h`;
  if (value % 60 === 0 && value >= 60) return `${value / 60} min`;
  return `${value} s`;
}

function policySections(policies: DocsPolicies, model: DocsModel): string[] {
  const out: string[] = [];
  const rate = policies.rateLimit;
  // Without the server's policy numbers the section still says what a 429 means here.
  if (rate || model.entries.some((entry) => entry.status === 429)) {
    const parts = ['## Rate limits'];
    if (rate?.description) parts.push(escapeMarkdown(rate.description));
    if (rate?.policies && rate.policies.length > 0) {
      const lines = [
        '| Policy | Limit | Window | Counted per |',
        '| ------ | ----- | ------ | ----------- |',
      ];
      for (const [i, policy] of rate.policies.entries()) {
        lines.push(
          `| ${markdownCell(policy.name ?? `policy ${i + 1}`)} | ${policy.limit} | ${seconds(policy.windowSeconds)} | ${markdownCell(policy.key ?? 'caller')} |`,
        );
      }
      parts.push(lines.join('\n'));
    }
    const headers = rate?.headers ?? 'ietf';
    const names: string[] = [];
    if (headers !== 'legacy') names.push('`RateLimit-Policy`', '`RateLimit`');
    if (headers !== 'ietf') {
      names.push('`X-RateLimit-Limit`', '`X-RateLimit-Remaining`', '`X-RateLimit-Reset`');
    }
    const limited = model.entries.filter((e) => e.status === 429);
    const untouched = limited.every((e) => e.sideEffect === 'no');
    parts.push(
      `${rate ? `Responses carry ${names.join(', ')}. ` : ''}Over a limit, the answer is ${limited.length > 0 ? codeList(limited) : 'HTTP 429'} with \`Retry-After\` in seconds${untouched ? '; nothing was done, so the same request may be sent again once that time has passed' : ''}.`,
    );
    if (rate?.onStoreFailure) {
      const text = {
        open: 'If the limiter cannot reach its store, requests are let through unlimited.',
        closed: 'If the limiter cannot reach its store, requests are refused with 503.',
        local: 'If the limiter cannot reach its store, each server instance limits on its own.',
      }[rate.onStoreFailure];
      parts.push(text);
    }
    out.push(parts.join('\n\n'));
  }
  const idem = policies.idempotency;
  if (idem) {
    const header = idem.header ?? 'Idempotency-Key';
    const parts = ['## Idempotency'];
    parts.push(
      `Send a unique ${markdownCode(header)} header with every non-idempotent request (POST, PATCH)${idem.required ? '; it is required' : ''}, and the same key on every retry of that request. The key is scoped to your credentials, the method and the path.`,
    );
    parts.push(
      [
        `- A completed request is remembered for ${seconds(idem.retentionSeconds)}: a retry with the same key gets the stored status, headers and body again, marked as a replay.`,
        `- While the first request runs (up to ${seconds(idem.leaseSeconds)}), a second one with the same key gets 409; retry it after a short wait.`,
        '- The same key with a different body gets 422: a key names one request.',
        idem.required ? '- A required key that is missing gets 400.' : '',
      ]
        .filter((line) => line !== '')
        .join('\n'),
    );
    out.push(parts.join('\n\n'));
  }
  return out;
}
