import type { Code } from '../core/types.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Makes catalog prose safe inside Markdown: raw HTML is neutralised outside code spans
 * (inside them it is shown literally anyway), so a message or meaning cannot inject markup
 * into a docs site. Markdown emphasis and code spans written by the catalog author stay.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    )
    .join('');
}

/** Text for one Markdown table cell: no line breaks, pipes escaped. */
export function markdownCell(text: string): string {
  return escapeMarkdown(text.replace(/\r?\n/g, ' ')).replace(/\|/g, '\\|');
}

/** A Markdown code span that holds `text` whatever backticks it contains. */
export function markdownCode(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((run) => run.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** A fenced Markdown code block whose fence is longer than any backtick run inside. */
export function markdownFence(text: string, language = ''): string {
  const runs = text.match(/`{3,}/g) ?? [];
  const fence = '`'.repeat(Math.max(2, ...runs.map((run) => run.length)) + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** A code as text: strings as they are, numbers in decimal. */
export function codeText(code: Code): string {
  return String(code);
}

/** A numeric range as `1000–1999`, or one value. */
export function rangeText(range: readonly [number, number]): string {
  return range[0] === range[1] ? String(range[0]) : `${range[0]}–${range[1]}`;
}
