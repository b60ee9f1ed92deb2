/**
 * Type-checks generated TypeScript the way a strict client project would, so tests can
 * assert that codegen and OpenAPI type output compile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

// The standard library files are the same for every program: parse them once per process.
const libFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks `files` (file name → source) in a fresh temporary ES module folder and returns
 * the diagnostics as text (empty when everything compiles). The folder is removed afterwards.
 */
export function typecheck(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-typecheck-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const host = ts.createCompilerHost(OPTIONS);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, onError, create) => {
      if (!name.includes('/typescript/lib/')) return read(name, version, onError, create);
      let file = libFiles.get(name);
      if (!file) {
        file = read(name, version, onError, create);
        if (file) libFiles.set(name, file);
      }
      return file;
    };
    const program = ts.createProgram(
      Object.keys(files).map((name) => join(dir, name)),
      OPTIONS,
      host,
    );
    return ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file?.fileName.slice(dir.length + 1) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
