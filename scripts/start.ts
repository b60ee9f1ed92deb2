/**
 * `npm start`: until the end-to-end demo exists, prints the error reference of one of the
 * seed presets as Markdown, generated from the catalog itself.
 *
 * Usage: `npm start` (S2) or `npm start -- <preset>` with one of the preset names.
 */
import { renderMarkdown } from '../src/docs/index.js';
import { presets } from '../src/presets/index.js';

const byName = new Map(Object.values(presets).map((catalog) => [catalog.name, catalog]));
const wanted = process.argv[2] ?? 's2';
const catalog = byName.get(wanted);
if (catalog === undefined) {
  process.stderr.write(
    `Unknown preset "${wanted}". Choose one of: ${[...byName.keys()].join(', ')}\n`,
  );
  process.exit(2);
}
process.stdout.write(renderMarkdown(catalog));
