/**
 * The shop's error reference as one HTML page and as Markdown, and its OpenAPI 3.1
 * components, written into a folder (a new temporary one by default). The published limits
 * are read from the same options the servers enforce. Run it: `npx tsx examples/docs/generate.ts`.
 *
 * The same from the command line, for CI or a docs build:
 *   npx faultline docs examples/catalog.ts --format html --out site/
 *   npx faultline docs examples/catalog.ts --format md > errors.md
 *   npx faultline openapi examples/catalog.ts --out openapi.json
 *   npx faultline lint examples/catalog.ts
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DocsOptions,
  lintCatalog,
  renderHtml,
  renderMarkdown,
  toOpenApi,
} from 'faultline/docs';
import { describeIdempotency } from 'faultline/idempotency';
import { describeRateLimit } from 'faultline/ratelimit';
import { orderQuota, shop } from '../catalog.js';

export async function generate(dir?: string): Promise<{ dir: string; files: string[] }> {
  const out = dir ?? (await mkdtemp(join(tmpdir(), 'shop-docs-')));
  await mkdir(out, { recursive: true });
  const problems = lintCatalog(shop).filter((issue) => issue.severity === 'error');
  if (problems.length > 0) throw new Error(problems.map((issue) => issue.message).join('\n'));

  const options: DocsOptions = {
    policies: {
      rateLimit: describeRateLimit({ policies: orderQuota }),
      idempotency: describeIdempotency(),
    },
  };
  const files = {
    'shop.html': renderHtml(shop, options), // self-contained: search, filters, anchors
    'shop.md': renderMarkdown(shop, options),
    'openapi.json': `${JSON.stringify(toOpenApi(shop), null, 2)}\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(out, name), text);
  return { dir: out, files: Object.keys(files) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { dir, files } = await generate(process.argv[2]);
  console.log(`wrote ${files.join(', ')} to ${dir}`);
}
