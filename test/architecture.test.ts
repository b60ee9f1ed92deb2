import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test(-d)?\.ts$/.test(name) ? [path] : [];
  });
}

/** Every static and dynamic import specifier of a file (type-only imports included). */
function importsOf(file: string): string[] {
  // Comments hold `@example` imports that are not part of the module graph.
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g))
    found.add(match[1]!);
  for (const match of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.add(match[1]!);
  return [...found];
}

function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));
}

const files = sourceFiles(src);
const part = (file: string) => relative(src, file).split('/')[0]!;

describe('architecture', () => {
  it('keeps the core free of runtime dependencies and of every other part', () => {
    const offending = files
      .filter((file) => part(file) === 'core')
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => {
            const target = resolveLocal(file, specifier);
            return target === undefined || part(target) !== 'core';
          })
          .map((specifier) => `${relative(src, file)} imports ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('keeps the client and presets on the core only, with web-standard APIs (no node: imports)', () => {
    const offending = files
      .filter((file) => ['client', 'presets'].includes(part(file)))
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => {
            const target = resolveLocal(file, specifier);
            return target === undefined || !['core', part(file)].includes(part(target));
          })
          .map((specifier) => `${relative(src, file)} imports ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .map((specifier) => resolveLocal(file, specifier))
          .filter((target): target is string => target !== undefined && files.includes(target)),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') {
          cycles.push(
            stack
              .slice(stack.indexOf(next))
              .concat(next)
              .map((f) => relative(src, f))
              .join(' → '),
          );
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('finds the files it checks', () => {
    expect(files.filter((file) => part(file) === 'core').length).toBeGreaterThan(4);
  });
});
