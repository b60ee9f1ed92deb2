// Builds the API reference from the TSDoc of every public entry point with TypeDoc: one module
// per subpath of the package's `exports` (the list in scripts/entries.mjs).
//
// Usage: `npm run docs:api [-- --out <dir>]` (default docs/api); open <dir>/index.html.
import { parseArgs } from 'node:util';
import { Application } from 'typedoc';
import { ENTRIES } from './entries.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/api' } } });

const app = await Application.bootstrapWithPlugins({
  name: 'faultline',
  entryPoints: Object.values(ENTRIES).map((dir) => `src/${dir}/index.ts`),
  entryPointStrategy: 'resolve',
  tsconfig: 'tsconfig.build.json',
  readme: 'none',
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  sort: ['kind', 'alphabetical'],
  validation: { notExported: false, invalidLink: true, notDocumented: false },
  out: values.out,
});
const project = await app.convert();
if (project === undefined) {
  process.stderr.write('api-docs: TypeDoc could not convert the project\n');
  process.exit(1);
}
app.validate(project);
await app.generateDocs(project, values.out);
const { errorCount, warningCount } = app.logger;
process.stdout.write(
  `api-docs: ${values.out}/index.html (${Object.keys(ENTRIES).length} entry points, ${warningCount} warnings)\n`,
);
if (errorCount > 0) process.exit(1);
