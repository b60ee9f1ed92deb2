import { describe, expect, it } from 'vitest';
import { defineCatalog } from '../core/catalog.js';
import { presets } from '../presets/index.js';
import { renderHtml } from './html.js';

const hostile = defineCatalog({
  name: 'x</title><script>alert(1)</script>',
  title: '"><script>alert(2)</script>',
  version: '<b>1</b>',
  typeBase: 'https://example.com/e#',
  groups: {
    '"><img src=x>': {
      description: '<style>body{display:none}</style>',
      entries: {
        'a"b': {
          name: '<svg/onload=alert(3)>',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: '</script><script>alert(4)</script>',
          meaning: "' onmouseover='alert(5)",
          fix: '<a href="javascript:alert(6)">x</a>',
          deprecated: '<marquee>',
        },
      },
    },
  },
});

describe('renderHtml', () => {
  it('is one self-contained page: no external resource, a strict content policy', () => {
    for (const catalog of Object.values(presets)) {
      const html = renderHtml(catalog);
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none';`,
      );
      // Every src/href points inside the page (or is the empty data: icon).
      const targets = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(target, catalog.name).toMatch(/^(#|data:,$)/);
      expect(html).not.toMatch(/@import|url\(/);
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(html.match(/<style/g)).toHaveLength(1);
    }
  });

  it('gives every code one element with its anchor as id', () => {
    for (const catalog of Object.values(presets)) {
      const html = renderHtml(catalog);
      for (const entry of catalog.entries) {
        expect(
          html.split(` id="${entry.anchor}"`).length - 1,
          `${catalog.name} ${entry.code}`,
        ).toBe(1);
      }
    }
  });

  it('escapes every catalog string', () => {
    const html = renderHtml(hostile);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
    for (const raw of [
      '<img',
      '<svg',
      '<a href="javascript',
      '<marquee',
      '<b>1',
      "' onmouseover",
    ]) {
      expect(html).not.toContain(raw);
    }
    expect(html).toContain('&lt;svg/onload=alert(3)&gt;');
    expect(html).toContain('&#39; onmouseover=&#39;alert(5)');
    expect(html).toContain('id="a-b"');
  });

  it('offers filters for the statuses, retryability, side effects and groups present', () => {
    const html = renderHtml(presets.eventStore);
    expect(html).toContain('<option value="5xx">5xx</option>');
    expect(html).toContain('<option value="409">409 Conflict</option>');
    expect(html).toContain('<option value="after-change">No (after change)</option>');
    expect(html).toContain('<option value="group-schema">Schema</option>');
    const s2 = renderHtml(presets.s2);
    expect(s2).not.toContain('id="f-group"');
  });

  it('reads without JavaScript: as sent, every row and table shows, in chunks the browser can skip', () => {
    for (const catalog of Object.values(presets)) {
      const html = renderHtml(catalog);
      const body = html.slice(html.indexOf('<body>'), html.indexOf('<script>'));
      // Only the script hides rows, chunks or tables; the page as sent has none hidden.
      expect(body, catalog.name).not.toMatch(/class="[^"]*\b(out|none|held|drawn)\b/);
      expect(body, catalog.name).not.toMatch(/<(tr|div|section)\b[^>]*\shidden[\s>=]/);
      const chunks = body.split('<div class="chunk">').slice(1);
      const rows = chunks.map((chunk) => chunk.split('<tr class="row"').length - 1);
      expect(
        rows.reduce((sum, n) => sum + n, 0),
        catalog.name,
      ).toBe(body.split('<tr class="row"').length - 1);
      for (const n of rows) expect(n, catalog.name).toBeGreaterThan(0);
      for (const n of rows) expect(n, catalog.name).toBeLessThanOrEqual(25);
    }
  });

  it('renders a light theme, a dark theme and print styles', () => {
    const html = renderHtml(presets.s2);
    expect(html).toContain('@media (prefers-color-scheme:dark)');
    expect(html).toContain(':root[data-theme=dark]');
    expect(html).toContain('@media print');
    expect(html).toContain('id="theme"');
  });
});
