import { describe, expect, it } from 'vitest';
import { catalogFromJSON, defineCatalog } from '../core/catalog.js';
import { t } from '../core/schema.js';
import { presets } from '../presets/index.js';
import { renderMarkdown } from './markdown.js';

const hostile = defineCatalog({
  name: 'evil',
  title: '<script>alert(1)</script>',
  typeBase: 'https://example.com/e#',
  groups: {
    '<b>bold</b>': {
      description: 'a | pipe and <img src=x onerror=alert(1)>',
      entries: {
        boom: {
          name: 'Boom<svg onload=alert(1)>',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: '<iframe src="https://evil.example"></iframe>',
          meaning: 'line one\nline two | with pipe <script>x</script> and `<kept in code>`',
          fix: '<a href="javascript:alert(1)">click</a>',
        },
      },
    },
  },
});

describe('renderMarkdown', () => {
  it('gives every code exactly one stable anchor', () => {
    for (const catalog of Object.values(presets)) {
      const markdown = renderMarkdown(catalog);
      for (const entry of catalog.entries) {
        const count = markdown.split(`<a id="${entry.anchor}"></a>`).length - 1;
        expect(count, `${catalog.name} ${entry.code}`).toBe(1);
      }
    }
  });

  it('writes a table per category with its range, and per service', () => {
    const store = renderMarkdown(presets.eventStore);
    expect(store).toContain('## <a id="group-schema"></a>Schema (2020–2029)');
    expect(store).toContain('unlisted values inside a range are reserved');
    const jan = renderMarkdown(presets.jan);
    expect(jan).toMatch(/## <a id="group-mcp-tools"><\/a>MCP Tools\n/);
  });

  it('reads after-change as not retryable and shows side effects', () => {
    const markdown = renderMarkdown(presets.s2);
    expect(markdown).toMatch(
      /\| \[`basin_not_found`\]\(#basin_not_found\) \| BasinNotFound \| 404 \| No \(after change\) \| No \|/,
    );
    expect(markdown).toMatch(
      /\| \[`request_timeout`\]\(#request_timeout\) \| RequestTimeout \| 408 \| Yes \| Maybe \|/,
    );
  });

  it('shows structured bodies in the chosen wire format', () => {
    const asS2 = renderMarkdown(presets.s2, { format: 's2' });
    expect(asS2).toContain('```json\n{\n  "seq_num_mismatch": 42\n}\n```');
    expect(asS2).toContain('The body is this object alone:');
    const asProblem = renderMarkdown(presets.s2);
    expect(asProblem).toContain('"type": "https://faultline.dev/presets/s2#seq_num_mismatch"');
    expect(asProblem).not.toContain('The body is this object alone:');
    const asJan = renderMarkdown(presets.jan, { format: 'jan' });
    expect(asJan).toContain('"timestamp": "2025-01-01T12:00:00.000Z"');
  });

  it('derives retry guidance from the catalog', () => {
    const markdown = renderMarkdown(presets.eventStore);
    const section = markdown.slice(markdown.indexOf('## Retrying'));
    expect(section).toMatch(/### Treat as success\n\n[^\n]*\n\n\[`2002`\]\(#2002\)\n/);
    expect(section).toMatch(/### Never treat as success\n\n[^\n]*\n\n\[`2013`\]\(#2013\)\n/);
    expect(section).toContain('### Unknown codes');
  });

  it('documents a code listed in two services with each meaning', () => {
    const markdown = renderMarkdown(presets.jan);
    const timeout = markdown.slice(markdown.indexOf('<a id="TIMEOUT"></a>'));
    expect(timeout).toMatch(/In \*Response API\*: /);
    expect(timeout).toMatch(/In \*MCP Tools\*: /);
  });

  it('renders policy sections only when policies are given', () => {
    expect(renderMarkdown(presets.eventStore)).not.toContain('## Rate limits');
    const generic = renderMarkdown(presets.s2);
    expect(generic).toContain(
      '## Rate limits\n\nOver a limit, the answer is [`rate_limited`](#rate_limited) with `Retry-After` in seconds; nothing was done',
    );
    expect(generic).not.toContain('## Idempotency');
    const markdown = renderMarkdown(presets.s2, {
      policies: {
        rateLimit: { policies: [{ limit: 100, windowSeconds: 60 }], headers: 'both' },
        idempotency: { retentionSeconds: 86_400, leaseSeconds: 30, required: true },
      },
    });
    expect(markdown).toContain('| policy 1 | 100 | 1 min | caller |');
    expect(markdown).toContain('`X-RateLimit-Remaining`');
    expect(markdown).toContain('remembered for 1 d');
    expect(markdown).toContain('A required key that is missing gets 400.');
  });

  it('neutralises HTML in every catalog string and keeps tables intact', () => {
    const markdown = renderMarkdown(hostile);
    // Code blocks and spans show text literally, so only the prose outside them matters.
    const prose = markdown.replace(/```[a-z]*\n[\s\S]*?\n```/g, '').replace(/`[^`\n]*`/g, '');
    expect(prose).not.toBe(markdown);
    for (const tag of ['<script', '<img', '<iframe', '<svg', '<b>', '<a href']) {
      expect(prose).not.toContain(tag);
    }
    expect(markdown).toContain('`<kept in code>`');
    const row = markdown.split('\n').find((line) => line.includes('[`boom`]'));
    expect(row).toBeDefined();
    // 6 columns: 7 unescaped pipes.
    expect(row!.replace(/\\\|/g, '').split('|')).toHaveLength(8);
  });

  it('renders a catalog without groups or entries', () => {
    const empty = catalogFromJSON({ faultline: 1, name: 'empty', entries: [] });
    const markdown = renderMarkdown(empty);
    expect(markdown).toContain('# empty error reference');
    expect(markdown).toContain('No codes yet.');
  });

  it('documents details fields with their types', () => {
    const catalog = defineCatalog({
      name: 'x',
      entries: {
        limited: {
          name: 'Limited',
          status: 429,
          retry: 'yes',
          sideEffect: 'no',
          message: 'Slow down',
          details: { limit: t.integer({ minimum: 1 }), scope: t.optional(t.enum(['user', 'ip'])) },
        },
      },
    });
    const markdown = renderMarkdown(catalog);
    expect(markdown).toContain('| `limit` | integer ≥ 1 | yes |  |');
    expect(markdown).toContain('| `scope` | "user" \\| "ip" | no |  |');
    expect(markdown).toContain('retry-after: 30');
  });
});
