import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { formats } from '../core/wire/index.js';
import {
  buildDocsModel,
  type DocsPolicies,
  diffCatalogs,
  generateTypeScript,
  lintCatalog,
  markdownFromModel,
  mergeOpenApi,
  OpenApiMergeError,
  renderHtmlFromModel,
  toOpenApi,
  type WireFormatId,
} from '../docs/index.js';
import { CatalogLoadError, formatIssue, type LoadedCatalog, loadCatalog } from './load.js';
import { locateInJson, locateInSource } from './locate.js';

/** Where the CLI writes and reads; the real process streams in the bin, buffers in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Folder that relative paths are resolved from. */
  readonly cwd: string;
}

/** Exit codes: success, findings (breaking changes, lint errors, an invalid catalog), misuse. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

const WIRE_IDS = Object.keys(formats) as WireFormatId[];

class UsageError extends Error {
  override name = 'UsageError';
}

async function readJsonFile(cwd: string, file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file} is not JSON: ${(error as Error).message}`);
  }
}

async function output(io: CliIo, text: string, file: string | undefined): Promise<void> {
  if (file === undefined) {
    io.stdout(text);
    return;
  }
  const target = resolve(io.cwd, file);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  io.stderr(`wrote ${file}\n`);
}

function wireOption(): Option {
  return new Option('--wire <format>', 'wire format of the bodies')
    .choices(WIRE_IDS)
    .default('problem');
}

function exportOption(): Option {
  return new Option('--export <name>', 'the export of a module that holds the catalog');
}

/** Builds the `faultline` program, writing to `io`; `exit` receives each command's code. */
function program(io: CliIo, exit: (code: number) => void): Command {
  const load = (file: string, exportName: string | undefined): Promise<LoadedCatalog> =>
    loadCatalog(file, exportName === undefined ? { cwd: io.cwd } : { cwd: io.cwd, exportName });

  const root = new Command('faultline')
    .description(
      'Error catalog tooling: reference docs, OpenAPI, breaking-change diff, lint and codegen.',
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  root
    .command('docs')
    .description('write the error reference of a catalog')
    .argument('<catalog>', 'a .ts/.js module exporting a catalog, or a catalog .json document')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['md', 'html', 'json'])
        .default('md'),
    )
    .option(
      '--out <dir>',
      'folder to write <catalog name>.<format> into (default: standard output)',
    )
    .addOption(wireOption())
    .option('--policies <file>', 'JSON file with rate-limit and idempotency policies to document')
    .option('--title <title>', 'page title')
    .addOption(exportOption())
    .action(async (file: string, options: Record<string, string | undefined>) => {
      const { catalog } = await load(file, options.export);
      const policies =
        options.policies === undefined
          ? undefined
          : ((await readJsonFile(io.cwd, options.policies, 'policies file')) as DocsPolicies);
      const model = buildDocsModel(catalog, {
        format: options.wire as WireFormatId,
        ...(policies === undefined ? {} : { policies }),
        ...(options.title === undefined ? {} : { title: options.title }),
      });
      const format = options.format as 'md' | 'html' | 'json';
      const text =
        format === 'md'
          ? markdownFromModel(model)
          : format === 'html'
            ? renderHtmlFromModel(model)
            : `${JSON.stringify(model, null, 2)}\n`;
      await output(
        io,
        text,
        options.out === undefined ? undefined : join(options.out, `${catalog.name}.${format}`),
      );
      exit(EXIT.ok);
    });

  root
    .command('openapi')
    .description('write the OpenAPI 3.1 components of a catalog')
    .argument('<catalog>', 'a .ts/.js module exporting a catalog, or a catalog .json document')
    .option('--merge <openapi.json>', 'merge the components into this OpenAPI 3.1 document')
    .addOption(
      new Option('--on-conflict <mode>', 'when a component exists in the merged document')
        .choices(['ours', 'theirs', 'error'])
        .default('ours'),
    )
    .addOption(wireOption())
    .option('--prefix <prefix>', 'prefix of the component names')
    .option('--out <file>', 'file to write (default: standard output)')
    .addOption(exportOption())
    .action(async (file: string, options: Record<string, string | undefined>) => {
      const { catalog } = await load(file, options.export);
      let doc = toOpenApi(catalog, {
        format: options.wire as WireFormatId,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      });
      if (options.merge !== undefined) {
        const existing = await readJsonFile(io.cwd, options.merge, 'OpenAPI document');
        doc = mergeOpenApi(existing, doc, options.onConflict as 'ours' | 'theirs' | 'error');
      }
      await output(io, `${JSON.stringify(doc, null, 2)}\n`, options.out);
      exit(EXIT.ok);
    });

  root
    .command('diff')
    .description('list the changes between two catalog versions; exit 1 when one breaks clients')
    .argument('<old>', 'the previous catalog')
    .argument('<new>', 'the new catalog')
    .option('--json', 'print the changes as JSON')
    .addOption(exportOption())
    .action(
      async (
        oldFile: string,
        newFile: string,
        options: Record<string, string | boolean | undefined>,
      ) => {
        const exportName = options.export as string | undefined;
        const before = await load(oldFile, exportName);
        const after = await load(newFile, exportName);
        const diff = diffCatalogs(before.catalog, after.catalog);
        if (options.json) {
          io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
        } else {
          const lines: string[] = [];
          const list = (title: string, changes: typeof diff.breaking) => {
            lines.push(`${title} (${changes.length})${changes.length > 0 ? ':' : ''}`);
            for (const change of changes) lines.push(`  - [${change.rule}] ${change.message}`);
          };
          list('Breaking changes', diff.breaking);
          list('Non-breaking changes', diff.nonBreaking);
          io.stdout(`${lines.join('\n')}\n`);
        }
        exit(diff.breaking.length > 0 ? EXIT.findings : EXIT.ok);
      },
    );

  root
    .command('lint')
    .description('check a catalog: definition errors and docs completeness; exit 1 on errors')
    .argument('<catalog>', 'a .ts/.js module exporting a catalog, or a catalog .json document')
    .option('--json', 'print the findings as JSON')
    .option('--strict', 'fail on warnings too')
    .addOption(exportOption())
    .action(async (file: string, options: Record<string, string | boolean | undefined>) => {
      const loaded = await load(file, options.export as string | undefined);
      const issues = lintCatalog(loaded.catalog).map((issue) => {
        const { text } = loaded;
        if (text === undefined) return { ...issue, file: loaded.file };
        if (loaded.kind === 'json')
          return { ...issue, file: loaded.file, ...locateInJson(text, issue.path) };
        // A module keys entries by code, so the code's key is the line to show; the JSON path
        // means nothing there.
        const at =
          issue.code === undefined
            ? undefined
            : locateInSource(text, `[${JSON.stringify(String(issue.code))}]`);
        const { path: _path, ...rest } = issue;
        return { ...rest, file: loaded.file, ...at };
      });
      if (options.json) {
        io.stdout(`${JSON.stringify(issues, null, 2)}\n`);
      } else {
        for (const issue of issues) {
          io.stdout(
            `${formatIssue({ ...issue, message: `${issue.severity} [${issue.rule}] ${issue.message}` })}\n`,
          );
        }
        const errors = issues.filter((i) => i.severity === 'error').length;
        io.stdout(`${errors} error(s), ${issues.length - errors} warning(s)\n`);
      }
      const failing = issues.some(
        (i) => i.severity === 'error' || (options.strict && i.severity === 'warning'),
      );
      exit(failing ? EXIT.findings : EXIT.ok);
    });

  root
    .command('codegen')
    .description('generate a typed TypeScript module from a catalog')
    .argument('<catalog>', 'a catalog .json document (or a module exporting a catalog)')
    .option('--out <file>', 'file to write, such as errors.ts (default: standard output)')
    .addOption(exportOption())
    .action(async (file: string, options: Record<string, string | undefined>) => {
      const { catalog } = await load(file, options.export);
      await output(io, generateTypeScript(catalog, { source: file }), options.out);
      exit(EXIT.ok);
    });

  return root;
}

/**
 * Runs the `faultline` command line with `argv` (the arguments after the program name) and
 * resolves to the exit code. Never throws: every failure is written to `io.stderr`.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), { stdout, stderr, cwd: process.cwd() });
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const cli = program(io, (value) => {
    code = value;
  });
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version requests end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CatalogLoadError) {
      io.stderr(`${error.message}\n`);
      return EXIT.findings;
    }
    if (error instanceof UsageError || error instanceof OpenApiMergeError) {
      io.stderr(`faultline: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`faultline: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
}
