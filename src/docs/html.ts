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
import { codeText, escapeHtml as e, rangeText } from './text.js';
import { bodyMembers, formatLabel, formatName } from './wire-text.js';

/**
 * Renders the error reference of a catalog as one self-contained HTML page: inline CSS and
 * script, no network requests, search and filters (status, retryable, side effect, group),
 * a stable anchor per code (`#<entry.anchor>`, for problem `type` URIs and `doc_url`s), light
 * and dark themes and a print layout. Every catalog string is escaped.
 *
 * @example
 * ```ts
 * import { renderHtml } from 'faultline/docs';
 * await writeFile('errors.html', renderHtml(catalog, { format: 'problem' }));
 * ```
 */
export function renderHtml(catalog: Catalog<any>, options: DocsOptions = {}): string {
  return renderHtmlFromModel(buildDocsModel(catalog, options));
}

/** Ids of the page's own sections, kept apart from code anchors. */
function pageIds(
  model: DocsModel,
): Record<'body' | 'structured' | 'retrying' | 'policies', string> {
  const taken = new Set<string>([
    ...model.entries.map((entry) => entry.anchor),
    ...model.tables.map((table) => table.anchor),
  ]);
  const unique = (base: string) => {
    let id = base;
    while (taken.has(id)) id = `${id}-section`;
    taken.add(id);
    return id;
  };
  return {
    body: unique('error-body'),
    structured: unique('structured-errors'),
    retrying: unique('retrying'),
    policies: unique('policies'),
  };
}

/** Renders the HTML page from an already built {@link DocsModel}. */
export function renderHtmlFromModel(model: DocsModel): string {
  const ids = pageIds(model);
  const byAnchor = new Map(model.entries.map((entry) => [entry.anchor, entry]));
  const statuses = [...new Set(model.entries.map((entry) => entry.status))].sort((a, b) => a - b);
  const grouped = model.tables.length > 1;
  const total = model.tables.reduce((sum, table) => sum + table.rows.length, 0);
  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="generator" content="faultline">
<link rel="icon" href="data:,">
<title>${e(model.title)} error reference</title>
<style>${CSS}</style>
</head>
<body>
<header class="top">
<div class="title"><h1>${e(model.title)} error reference</h1>${model.version === undefined ? '' : `<span class="version">version ${e(model.version)}</span>`}</div>
<button type="button" id="theme" class="theme" aria-label="Switch theme">Theme: auto</button>
</header>
<main>`);
  const intro: string[] = [];
  if (model.description) intro.push(`<p>${e(model.description)}</p>`);
  intro.push(
    `<p>Every error carries a stable code. Match on the code, not on the message: messages are for people and may change.${model.unlistedReserved ? ' Unlisted values inside a range are reserved.' : ''} ${model.closed ? 'The set of codes is closed: a new code comes only with a new catalog version.' : `New codes may be added at any time; treat an unknown code by its HTTP status (see <a href="#${e(ids.retrying)}">Retrying</a>).`}</p>`,
  );
  parts.push(`<section class="intro">${intro.join('\n')}</section>`);

  parts.push(`<form class="filters" role="search" onsubmit="return false">
<label class="search">Search <input id="q" type="search" placeholder="code, name, meaning…  (press /)" autocomplete="off" spellcheck="false"></label>
<label>Status <select id="f-status"><option value="">any</option>${['4xx', '5xx']
    .filter((c) => statuses.some((s) => Math.floor(s / 100) === Number(c[0])))
    .map((c) => `<option value="${c}">${c}</option>`)
    .join(
      '',
    )}${statuses.map((s) => `<option value="${s}">${s} ${e(reasonPhrase(s))}</option>`).join('')}</select></label>
<label>Retryable <select id="f-retry"><option value="">any</option><option value="yes">Yes</option><option value="no">No</option><option value="after-change">No (after change)</option></select></label>
<label>Side effect <select id="f-effect"><option value="">any</option><option value="no">No</option><option value="maybe">Maybe</option><option value="yes">Yes</option></select></label>
${grouped ? `<label>Group <select id="f-group"><option value="">any</option>${model.tables.map((t) => `<option value="${e(t.anchor)}">${e(t.title)}</option>`).join('')}</select></label>` : ''}
<button type="button" id="reset">Reset</button>
<output id="count" aria-live="polite">${total} codes</output>
</form>`);

  for (const table of model.tables) parts.push(renderTable(table, byAnchor, model));
  parts.push(`<p id="empty" class="empty" hidden>No code matches the search and filters.</p>`);
  parts.push(bodySection(model, ids.body));
  const structured = model.entries.filter(
    (entry) => entry.details !== undefined || entry.structured || entry.pending,
  );
  if (structured.length > 0) {
    parts.push(
      `<section class="prose" id="${e(ids.structured)}"><h2>Structured errors</h2><p>These errors carry details beyond the code and message. Their full description is with the code above; here are their bodies.</p>${structured.map((entry) => `<div class="ex"><h3><a href="#${e(entry.anchor)}"><code>${e(codeText(entry.code))}</code></a> ${e(entry.title)} (${entry.status})</h3>${example(entry.example, model)}</div>`).join('\n')}</section>`,
    );
  }
  parts.push(retrySection(model, ids.retrying));
  parts.push(policySection(model.policies ?? {}, model, ids.policies));
  parts.push(`</main>
<footer>Generated by faultline from catalog <code>${e(model.name)}</code>${model.version === undefined ? '' : ` version <code>${e(model.version)}</code>`}.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`);
  return parts.join('\n');
}

function renderTable(table: DocsTable, byAnchor: Map<string, DocsEntry>, model: DocsModel): string {
  const range = table.range ? ` <span class="range">${e(rangeText(table.range))}</span>` : '';
  const head: string[] = [`<h2 id="${e(table.anchor)}">${e(table.title)}${range}</h2>`];
  if (table.description) head.push(`<p>${e(table.description)}</p>`);
  if (table.reserved.length > 0) {
    head.push(
      `<p class="note">Reserved, never used: ${e(table.reserved.map((span) => rangeText(span)).join(', '))}.</p>`,
    );
  }
  if (table.rows.length === 0) {
    return `<section class="group" data-group="${e(table.anchor)}">${head.join('')}<p class="note">No codes yet.</p></section>`;
  }
  const rows = table.rows.map((row) => {
    const entry = byAnchor.get(row.anchor);
    const id = row.primary ? ` id="${e(row.anchor)}"` : '';
    const more = entry ? entryDetails(entry, model) : '';
    const search = [codeText(row.code), row.name, String(row.status), row.meaning, table.title]
      .concat(entry ? [entry.title, entry.message, entry.fix ?? ''] : [])
      .join(' ')
      .toLowerCase()
      .replace(/\s+/g, ' ');
    return `<tr class="row"${id} data-search="${e(search)}" data-status="${row.status}" data-retry="${row.retry}" data-effect="${row.sideEffect}" data-group="${e(table.anchor)}"><td class="code"><a href="#${e(row.anchor)}"><code>${e(codeText(row.code))}</code></a></td><td>${e(row.name)}</td><td class="num">${row.status}</td><td><span class="pill r-${row.retry}">${e(row.retryable)}</span></td><td><span class="pill s-${row.sideEffect}">${e(row.sideEffectLabel)}</span></td><td class="meaning">${e(row.meaning)}${more}</td></tr>`;
  });
  // Rows come in chunks, each its own fixed-layout table that the browser skips while it is
  // off screen (content-visibility), so a search over thousands of codes lays out only the
  // rows near the viewport. The shared colgroup keeps the columns of every chunk aligned under
  // one header. The script sizes the skipped chunks and hides the empty ones; see SCRIPT.
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    chunks.push(
      `<div class="chunk"><table class="codes-table">${COLGROUP}<tbody>\n${rows.slice(i, i + CHUNK_ROWS).join('\n')}\n</tbody></table></div>`,
    );
  }
  return `<section class="group" data-group="${e(table.anchor)}"><div class="head">${head.join('')}
<table class="codes-table codes-head">${COLGROUP}<thead><tr><th scope="col">Code</th><th scope="col">Name</th><th scope="col">HTTP Status</th><th scope="col">Retryable</th><th scope="col">Side Effect</th><th scope="col">Meaning</th></tr></thead></table></div>
${chunks.join('\n')}</section>`;
}

/** Rows per chunk: small enough that laying out the chunks near the viewport stays cheap. */
const CHUNK_ROWS = 25;

const COLGROUP =
  '<colgroup><col class="c-code"><col class="c-name"><col class="c-status"><col class="c-retry"><col class="c-effect"><col class="c-meaning"></colgroup>';

function entryDetails(entry: DocsEntry, model: DocsModel): string {
  const body: string[] = [];
  const facts = [`HTTP ${entry.status} ${e(entry.statusText)}`];
  if (entry.type !== 'about:blank') facts.push(`type <code>${e(entry.type)}</code>`);
  if (entry.since !== undefined) facts.push(`since ${e(entry.since)}`);
  if (entry.retryAfter !== undefined) facts.push(`default Retry-After ${entry.retryAfter} s`);
  body.push(`<p class="facts">${facts.join(' · ')}</p>`);
  if (entry.title !== entry.name) body.push(`<p><strong>${e(entry.title)}</strong></p>`);
  if (entry.deprecated !== undefined && entry.deprecated !== false) {
    body.push(
      `<p class="warn"><strong>Deprecated.</strong>${typeof entry.deprecated === 'string' ? ` ${e(entry.deprecated)}` : ''}</p>`,
    );
  }
  if (entry.successEquivalent) {
    body.push('<p><strong>Treat as success.</strong> The operation already landed.</p>');
  }
  if (entry.notSuccess !== undefined) {
    body.push(`<p class="warn"><strong>Not a success.</strong> ${e(entry.notSuccess)}</p>`);
  }
  if (entry.pending) {
    body.push(
      '<p><strong>Accepted, not ready.</strong> Poll again after <code>retry_after</code>.</p>',
    );
  }
  const groups = Object.keys(entry.groupMeanings);
  if (groups.length > 0) {
    const titles = new Map(model.tables.map((t) => [t.id, t.title]));
    for (const group of entry.groups) {
      const meaning = entry.groupMeanings[group] ?? entry.meaning;
      if (meaning) body.push(`<p>In <em>${e(titles.get(group) ?? group)}</em>: ${e(meaning)}</p>`);
    }
  }
  if (entry.fix) body.push(`<p><strong>How to fix:</strong> ${e(entry.fix)}</p>`);
  body.push(`<p class="facts">Default message: <q>${e(entry.message)}</q></p>`);
  if (entry.fields.length > 0) {
    body.push(
      `<table class="fields"><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${entry.fields.map((f) => `<tr><td><code>${e(f.path)}</code></td><td>${e(f.type)}</td><td>${f.required ? 'yes' : 'no'}</td><td>${e(f.description ?? '')}</td></tr>`).join('')}</tbody></table>`,
    );
  }
  if (entry.details !== undefined || entry.structured || entry.pending) {
    body.push(example(entry.example, model));
  }
  return `<details><summary>Details</summary><div class="more">${body.join('')}</div></details>`;
}

function example(response: ExampleResponse, model: DocsModel): string {
  const head = [`HTTP ${response.status} ${reasonPhrase(response.status)}`];
  for (const [name, value] of Object.entries(response.headers)) head.push(`${name}: ${value}`);
  return `<div class="example"><div class="label">Example (${e(formatName(model.format))})</div><pre><code>${e(head.join('\n'))}\n\n${e(response.body)}</code></pre></div>`;
}

function bodySection(model: DocsModel, id: string): string {
  const members = bodyMembers(model.format, model.bodyShape.body);
  return `<section class="prose" id="${e(id)}"><h2>Error body</h2>
<p>Errors are sent as ${inlineCode(formatLabel(model.format))}. A standard error body looks like this:</p>
<pre><code>${e(model.bodyShape.body)}</code></pre>
${members.length > 0 ? `<table class="fields"><thead><tr><th>Member</th><th>Meaning</th></tr></thead><tbody>${members.map((m) => `<tr><td><code>${e(m.name)}</code></td><td>${e(m.meaning)}</td></tr>`).join('')}</tbody></table>` : ''}
<p>Every response carries a request id in the <code>${e(model.requestIdHeader)}</code> header; quote it when you report a problem.</p></section>`;
}

/** Escapes text and turns `backtick spans` (from faultline's own prose) into code elements. */
function inlineCode(text: string): string {
  return e(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function retrySection(model: DocsModel, id: string): string {
  const items = model.guidance.map(
    (item) =>
      `<h3>${e(item.title)}</h3><p>${inlineCode(item.text)}</p><p class="codes">${item.codes.map((c) => `<a href="#${e(c.anchor)}"><code>${e(String(c.code))}</code></a>`).join(' ')}</p>`,
  );
  return `<section class="prose" id="${e(id)}"><h2>Retrying</h2>
<p>Each code says whether repeating the request can help (<strong>Retryable</strong>) and whether a failed request may already have taken effect (<strong>Side Effect</strong>). Together they decide what a client may do.</p>
${items.join('\n')}
<h3>Waiting</h3><p>Back off exponentially with full jitter, and never wait past your own deadline. When the response says how long to wait (<code>Retry-After</code>, the <code>RateLimit</code> fields, or a <code>retry_after</code> member), use that instead. A rate-limit answer pauses every request to the API. Keep retries to a small share of all requests and stop calling a failing API for a while, so an outage is not multiplied by retries.</p>
<h3>Unknown codes</h3><p>${e(model.statusFallback)}</p></section>`;
}

function seconds(value: number): string {
  if (value % 86400 === 0 && value >= 86400) return `${value / 86400} d`;
  if (value % 3600 === 0 && value >= 3600) return `${value / 3600} h`;
  if (value % 60 === 0 && value >= 60) return `${value / 60} min`;
  return `${value} s`;
}

function policySection(policies: DocsPolicies, model: DocsModel, id: string): string {
  const out: string[] = [`<section class="prose" id="${e(id)}">`];
  const rate = policies.rateLimit;
  const limited = model.entries.filter((entry) => entry.status === 429);
  // Without the server's policy numbers the section still says what a 429 means here.
  if (rate || limited.length > 0) {
    out.push('<h2>Rate limits</h2>');
    if (rate?.description) out.push(`<p>${e(rate.description)}</p>`);
    if (rate?.policies && rate.policies.length > 0) {
      out.push(
        `<table class="fields"><thead><tr><th>Policy</th><th>Limit</th><th>Window</th><th>Counted per</th></tr></thead><tbody>${rate.policies.map((p, i) => `<tr><td>${e(p.name ?? `policy ${i + 1}`)}</td><td>${Number(p.limit)}</td><td>${e(seconds(Number(p.windowSeconds)))}</td><td>${e(p.key ?? 'caller')}</td></tr>`).join('')}</tbody></table>`,
      );
    }
    const headers = rate?.headers ?? 'ietf';
    const names: string[] = [];
    if (headers !== 'legacy') names.push('RateLimit-Policy', 'RateLimit');
    if (headers !== 'ietf')
      names.push('X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset');
    const untouched = limited.every((entry) => entry.sideEffect === 'no');
    out.push(
      `<p>${rate ? `Responses carry ${names.map((n) => `<code>${n}</code>`).join(', ')}. ` : ''}Over a limit, the answer is ${limited.length > 0 ? limited.map((l) => `<a href="#${e(l.anchor)}"><code>${e(String(l.code))}</code></a>`).join(', ') : 'HTTP 429'} with <code>Retry-After</code> in seconds${untouched ? '; nothing was done, so the same request may be sent again once that time has passed' : ''}.</p>`,
    );
  }
  const idem = policies.idempotency;
  if (idem) {
    const header = idem.header ?? 'Idempotency-Key';
    out.push('<h2>Idempotency</h2>');
    out.push(
      `<p>Send a unique <code>${e(header)}</code> header with every non-idempotent request (POST, PATCH)${idem.required ? '; it is required' : ''}, and the same key on every retry of that request. The key is scoped to your credentials, the method and the path.</p><ul><li>A completed request is remembered for ${e(seconds(Number(idem.retentionSeconds)))}: a retry with the same key gets the stored response again, marked as a replay.</li><li>While the first request runs (up to ${e(seconds(Number(idem.leaseSeconds)))}), a second one with the same key gets 409; retry it after a short wait.</li><li>The same key with a different body gets 422.</li>${idem.required ? '<li>A required key that is missing gets 400.</li>' : ''}</ul>`,
    );
  }
  if (out.length === 1) return '';
  out.push('</section>');
  return out.join('\n');
}

/*
 * What keeps a search over thousands of rows cheap (each measured in bench/docs.bench.ts):
 * - Chunks off screen and the long sections below the tables are skipped by the browser
 *   (content-visibility); the script sizes and places the chunks (see SCRIPT). Each example
 *   body of the structured errors is skipped on its own, so a search that empties the tables
 *   and brings that section into view lays out only the examples in view (with 200 of them,
 *   laying out the whole section took 70–110 ms).
 * - A row left out is display:none, so its cells are neither styled nor laid out.
 * - No change made by a search adds or removes style containment or a counter: either makes
 *   the browser walk the whole document to renumber counters on every keystroke. So chunks and
 *   table heads have contain:style whatever their content-visibility, the closed details body
 *   is display:none rather than content-visibility:hidden, and a summary is a plain block with
 *   its own triangle rather than a list item that counts.
 * - Classes that a search toggles are only ever matched on the element itself (`.head.none`,
 *   not `.group.none>.head`), so toggling one restyles that element and not its subtree.
 */
const CSS = `
:root{color-scheme:light;--bg:#fff;--fg:#1d2129;--muted:#5b6270;--line:#dfe3ea;--head:#f5f7fa;--accent:#2456c9;--code:#f1f3f6;--hit:#fff4c2;--yes:#1e7f43;--no:#a0282d;--maybe:#9a6a00;--chip:#eef1f5}
:root[data-theme=dark]{color-scheme:dark;--bg:#15171c;--fg:#e4e7ec;--muted:#9aa3b2;--line:#2f3440;--head:#1d2027;--accent:#8ab4ff;--code:#22262e;--hit:#4a4220;--yes:#6fd39a;--no:#ff8d8d;--maybe:#f3c969;--chip:#262a33}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){color-scheme:dark;--bg:#15171c;--fg:#e4e7ec;--muted:#9aa3b2;--line:#2f3440;--head:#1d2027;--accent:#8ab4ff;--code:#22262e;--hit:#4a4220;--yes:#6fd39a;--no:#ff8d8d;--maybe:#f3c969;--chip:#262a33}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:0 1rem 3rem}
a{color:var(--accent)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
code{background:var(--code);padding:.05em .3em;border-radius:4px}
pre{background:var(--code);padding:.75rem;border-radius:6px;overflow:auto}
pre code{background:none;padding:0}
.top{display:flex;align-items:center;justify-content:space-between;gap:1rem;max-width:1200px;margin:0 auto;padding:1rem}
.title h1{margin:0;font-size:1.6rem}
.version{color:var(--muted)}
.theme,#reset{font:inherit;background:var(--chip);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:.3rem .7rem;cursor:pointer}
.filters{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:end;background:var(--bg);border-bottom:1px solid var(--line);padding:.7rem 0;margin-bottom:1rem}
.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted);gap:.15rem}
.filters input,.filters select{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.3rem .5rem}
.filters .search{flex:1 1 18rem}
#count{margin-left:auto;color:var(--muted);font-size:.9rem}
h2 .range{color:var(--muted);font-weight:400;font-size:.8em}
table{width:100%;border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
thead th{background:var(--head);font-size:.85rem}
td.num{font-variant-numeric:tabular-nums}
table.codes-table{table-layout:fixed;margin:0}
.group{margin-bottom:1.5rem}
.c-code{width:14%}.c-name{width:17%}.c-status{width:7%}.c-retry{width:11%}.c-effect{width:8%}
td{overflow-wrap:anywhere}
tr.row{scroll-margin-top:8rem}
tr.row:target,tr.row.target{background:var(--hit)}
.pill{display:inline-block;padding:0 .45em;border-radius:999px;background:var(--chip);font-size:.85em;white-space:nowrap}
.r-yes,.s-no{color:var(--yes)}.r-no,.s-yes{color:var(--no)}.r-after-change,.s-maybe{color:var(--maybe)}
details:not([open])>.more{display:none}details::details-content{content-visibility:visible}
details summary{display:block;counter-increment:none;cursor:pointer;color:var(--accent);font-size:.85rem;margin-top:.2rem}
details>summary::before{content:"\\25B8\\a0"/""}details[open]>summary::before{content:"\\25BE\\a0"/""}
details p{margin:.35rem 0}
.facts,.note{color:var(--muted);font-size:.9em}
.warn{border-left:3px solid var(--maybe);padding-left:.5rem}
table.fields{margin:.4rem 0;font-size:.9em}
.example .label{font-size:.8rem;color:var(--muted);margin-top:.4rem}
.codes a{margin-right:.35rem;line-height:2}
.empty{padding:1rem;text-align:center;color:var(--muted)}
tr.row.out{display:none}
.chunk,.head{contain:style}
.chunk{content-visibility:auto;contain-intrinsic-size:auto ${CHUNK_ROWS * 80}px}
.chunk.held{content-visibility:hidden}
.chunk.drawn{content-visibility:visible}
.chunk.none{content-visibility:hidden;height:0}
.prose{content-visibility:auto;contain-intrinsic-size:auto 2000px}
.ex{content-visibility:auto;contain-intrinsic-size:auto 320px}
.group.none{margin:0}.head.none{content-visibility:hidden;height:0}
footer{max-width:1200px;margin:0 auto;padding:1rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
@media print{
 :root{color-scheme:light;--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--head:#eee;--code:#f4f4f4;--accent:#000}
 .filters,.theme,details summary{display:none}
 .chunk:not(.none),.prose,.ex{content-visibility:visible}
 details:not([open])>.more{display:block}
 details::details-content{content-visibility:visible;display:block}
 a{text-decoration:none}
 tr{break-inside:avoid}
 pre{white-space:pre-wrap}
}
`
  .trim()
  .replace(/\n/g, '');

const SCRIPT = `
(function(){
"use strict";
var rows=Array.prototype.slice.call(document.querySelectorAll("tr.row")),n=rows.length;
var chunks=Array.prototype.slice.call(document.querySelectorAll("div.chunk"));
var sections=Array.prototype.slice.call(document.querySelectorAll("section.group"));
/* What a search reads is kept in arrays, so a keystroke reads nothing from the DOM, and what
   the page shows is kept too, so a keystroke writes only to the rows, chunks and sections
   whose state changes. */
var text=[],status=[],retry=[],effect=[],group=[],chunkOf=[],out=[];
var chunkCount=[],chunkEmpty=[],sectionOf=[],sectionCount=[],sectionEmpty=[];
/* The browser lays out only the chunks near the viewport (content-visibility:auto) and sizes
   the others by their contain-intrinsic-height. The size it remembers of a chunk is that of
   its rows before the last search, which puts the wrong chunks near the viewport and has the
   browser lay them out for nothing; so a search sizes every chunk it changes as its matching
   rows times the height of a row there, as last measured. */
var rowHeight=[],height=[],lastRow=0;
var heads=sections.map(function(s){return s.querySelector(".head")||s;});
var hasChunks=sections.map(function(s){sectionCount.push(0);sectionEmpty.push(false);return s.querySelector("div.chunk")!==null;});
chunks.forEach(function(c,k){
 sectionOf.push(sections.indexOf(c.closest("section.group")));chunkEmpty.push(false);rowHeight.push(0);height.push(-1);
 var m=0;
 c.querySelectorAll("tr.row").forEach(function(r){var d=r.dataset;text.push(d.search);status.push(d.status);retry.push(d.retry);effect.push(d.effect);group.push(d.group);chunkOf.push(k);out.push(false);m++;});
 chunkCount.push(m);
});
function size(k,h){h=Math.round(h);if(Math.abs(height[k]-h)>1){height[k]=h;chunks[k].style.containIntrinsicHeight=h+"px";}}
function estimate(k){size(k,chunkCount[k]*(rowHeight[k]||lastRow||80));}
if(typeof ResizeObserver==="function"){
 var ro=new ResizeObserver(function(entries){
  /* Only a chunk the browser laid out tells its row height: a skipped one has its estimate. */
  var seen=[];
  entries.forEach(function(en){
   var k=chunks.indexOf(en.target),table=en.target.firstElementChild;
   if(k<0||chunkEmpty[k]||!table.checkVisibility||!table.checkVisibility({contentVisibilityAuto:true}))return;
   var h=en.borderBoxSize&&en.borderBoxSize[0]?en.borderBoxSize[0].blockSize:en.contentRect.height;
   if(h>0)seen.push([k,h]);
  });
  var first=lastRow===0;
  seen.forEach(function(s){rowHeight[s[0]]=lastRow=s[1]/chunkCount[s[0]];size(s[0],s[1]);});
  /* The first chunk laid out gives the page's first row height: size every chunk from it. */
  if(first&&lastRow>0)chunks.forEach(function(c,k){if(height[k]<0&&!chunkEmpty[k])estimate(k);});
 });
 chunks.forEach(function(c){ro.observe(c);});
}
/* Which chunks to lay out, the browser decides from where they were in the last frame, and acts
   on that in the next one: a chunk that a search brings into view from far down would show blank
   for a frame, and one that it moves away would still be laid out in this one. So a search
   places the chunks itself. It hides (content-visibility:hidden, sized by its estimate) every
   chunk the browser may lay out, which leaves the page placeholders only, cheap to lay out,
   and shows (content-visibility:visible) the chunks that land in or near the viewport; laid out
   for real, these move the others, so it shows more until none lands there (estimates are
   close: it takes one or two rounds). Two frames later every chunk is content-visibility:auto
   again, the browser's to skip or lay out: those that show stay laid out, and those in its
   wide margin around the viewport are laid out then, not in the frame after the keystroke. */
var placing=0,held=[],drawn=[],bar=document.querySelector(".filters");
chunks.forEach(function(){held.push(false);drawn.push(false);});
function mark(list,k,name,on){if(list[k]!==on){list[k]=on;chunks[k].classList.toggle(name,on);}}
function hold(k){mark(held,k,"held",true);}
function release(k){mark(held,k,"held",false);}
function draw(k){release(k);mark(drawn,k,"drawn",true);}
function handBack(){placing++;chunks.forEach(function(c,k){release(k);mark(drawn,k,"drawn",false);});}
/* Which chunks the browser lays out now (read while styles are clean, before a change). */
function laidOut(){return chunks.map(function(c,k){var t=c.firstElementChild;return !chunkEmpty[k]&&!held[k]&&(!t.checkVisibility||t.checkVisibility({contentVisibilityAuto:true}));});}
/* wasLaid: the chunks laid out before the change; wasEmpty: those hidden as empty before it. */
function place(wasLaid,wasEmpty){
 var mine=++placing,shown=[],k,round;
 for(k=0;k<chunks.length;k++){
  if(chunkEmpty[k]){release(k);mark(drawn,k,"drawn",false);continue;}
  shown.push(k);
  if(wasLaid[k]||wasEmpty[k]||held[k]||drawn[k]){mark(drawn,k,"drawn",false);hold(k);}
 }
 var top=bar?bar.getBoundingClientRect().bottom:0,lo=top-innerHeight/4,hi=innerHeight*1.25;
 for(round=0;round<6;round++){
  /* Every box is read before any chunk changes: a change would have the next read lay out again. */
  var land=shown.filter(function(k){
   if(drawn[k])return false;
   var box=chunks[k].getBoundingClientRect();
   return box.bottom>=lo&&box.top<=hi;
  });
  if(land.length===0)break;
  land.forEach(draw);
 }
 requestAnimationFrame(function(){requestAnimationFrame(function(){if(mine===placing)handBack();});});
}
var q=document.getElementById("q"),fs=document.getElementById("f-status"),fr=document.getElementById("f-retry"),fe=document.getElementById("f-effect"),fg=document.getElementById("f-group");
var count=document.getElementById("count"),empty=document.getElementById("empty");
function apply(){
 var t0=performance.now(),i,k;
 var terms=q.value.toLowerCase().split(/\\s+/).filter(Boolean);
 var st=fs.value,re=fr.value,ef=fe.value,gr=fg?fg.value:"";
 var cls=/^\\dxx$/.test(st)?st.charAt(0):"";
 var shown=0,before=chunkCount.slice(),wasEmpty=chunkEmpty.slice();
 var wasLaid=laidOut();
 for(k=0;k<chunks.length;k++)chunkCount[k]=0;
 for(k=0;k<sections.length;k++)sectionCount[k]=0;
 for(i=0;i<n;i++){
  var ok=true;
  if(st&&(cls?status[i].charAt(0)!==cls:status[i]!==st))ok=false;
  else if(re&&retry[i]!==re)ok=false;
  else if(ef&&effect[i]!==ef)ok=false;
  else if(gr&&group[i]!==gr)ok=false;
  else for(var j=0;j<terms.length;j++){if(text[i].indexOf(terms[j])<0){ok=false;break;}}
  if(ok){shown++;chunkCount[chunkOf[i]]++;}
  if(out[i]===ok){out[i]=!ok;rows[i].classList.toggle("out",!ok);}
 }
 for(k=0;k<chunks.length;k++){
  sectionCount[sectionOf[k]]+=chunkCount[k];
  /* An empty chunk is hidden outright (content-visibility:hidden keeps its rows' layout for
     later): left to content-visibility:auto at height 0 it would count as near the viewport
     and have its rows laid out. */
  if(chunkEmpty[k]!==(chunkCount[k]===0)){chunkEmpty[k]=chunkCount[k]===0;chunks[k].classList.toggle("none",chunkEmpty[k]);}
  if(chunkCount[k]!==before[k]&&chunkCount[k]>0)estimate(k);
 }
 for(k=0;k<sections.length;k++){
  var none=sectionCount[k]===0&&hasChunks[k];
  if(sectionEmpty[k]!==none){sectionEmpty[k]=none;sections[k].classList.toggle("none",none);heads[k].classList.toggle("none",none);}
 }
 place(wasLaid,wasEmpty);
 count.textContent=shown===n?n+" codes":shown+" of "+n+" codes";
 empty.hidden=shown!==0;
 document.documentElement.dataset.filterMs=(performance.now()-t0).toFixed(2);
}
function reset(){q.value="";fs.value="";fr.value="";fe.value="";if(fg)fg.value="";apply();}
q.addEventListener("input",apply);
[fs,fr,fe,fg].forEach(function(el){if(el)el.addEventListener("change",apply);});
document.getElementById("reset").addEventListener("click",reset);
function reveal(){
 var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
 var el=document.getElementById(id);if(!el)return;
 if(el.closest(".out,.none"))reset();
 handBack();
 var prev=document.querySelector("tr.row.target");if(prev)prev.classList.remove("target");
 if(el.matches("tr.row")){el.classList.add("target");var det=el.querySelector("details");if(det)det.open=true;}
 /* The chunks around the code are laid out for real once it is in view, which can move it:
    scroll again once they are. */
 el.scrollIntoView({block:"start"});
 place(laidOut(),chunkEmpty.map(function(){return false;}));
 el.scrollIntoView({block:"start"});
}
window.addEventListener("hashchange",reveal);
reveal();
/* The first search would compile this code and style the placing classes for the first time:
   do it once the page is idle, with the controls as they are, which changes no row. */
(window.requestIdleCallback||function(f){setTimeout(f,300);})(function(){apply();});
document.addEventListener("keydown",function(ev){if(ev.key==="/"&&document.activeElement!==q){ev.preventDefault();q.focus();}});
var themes=["auto","light","dark"],button=document.getElementById("theme");
function setTheme(t){if(t==="auto")delete document.documentElement.dataset.theme;else document.documentElement.dataset.theme=t;button.textContent="Theme: "+t;try{localStorage.setItem("faultline-theme",t);}catch(e){}}
var saved="auto";try{saved=localStorage.getItem("faultline-theme")||"auto";}catch(e){}
if(themes.indexOf(saved)<0)saved="auto";
setTheme(saved);
button.addEventListener("click",function(){var cur=document.documentElement.dataset.theme||"auto";setTheme(themes[(themes.indexOf(cur)+1)%3]);});
var opened=[];
window.addEventListener("beforeprint",function(){handBack();opened=[];document.querySelectorAll("details:not([open])").forEach(function(d){d.open=true;opened.push(d);});});
window.addEventListener("afterprint",function(){opened.forEach(function(d){d.open=false;});opened=[];});
})();
`.trim();
