/**
 * The server core stays framework-neutral and runtime-neutral; adapters stay thin and import
 * the core, never the other way round; each adapter's entry file re-exports names only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', 'src');
const sources = (folder: string) =>
  readdirSync(join(root, folder))
    .filter((file) => file.endsWith('.ts') && !file.includes('.test'))
    .map((file) => ({
      file: `${folder}/${file}`,
      text: readFileSync(join(root, folder, file), 'utf8'),
    }));

describe('server architecture', () => {
  it('the server core uses only web-standard APIs and imports no adapter or framework', () => {
    for (const { file, text } of sources('server')) {
      expect(text, file).not.toMatch(/from 'node:/);
      expect(text, file).not.toMatch(/\bBuffer\b|\bprocess\./);
      expect(text, file).not.toMatch(/from '\.\.\/(node|express|fastify|hono)\//);
      expect(text, file).not.toMatch(/from '(express|fastify|hono)/);
    }
  });

  it.each(['node', 'express', 'fastify', 'hono'])(
    'the %s adapter imports its framework, the core and the node adapter only',
    (adapter) => {
      for (const { file, text } of sources(adapter)) {
        for (const [, specifier] of text.matchAll(/^(?:import\s[^;]*?|\}\s)from '([^']+)';/gm)) {
          const allowed =
            specifier!.startsWith('node:') ||
            specifier!.startsWith('./') ||
            /^\.\.\/(core|server|node)\//.test(specifier!) ||
            specifier === adapter ||
            specifier!.startsWith(`${adapter}/`);
          expect(allowed, `${file} imports ${specifier}`).toBe(true);
        }
      }
    },
  );

  it.each(['server', 'node', 'express', 'fastify', 'hono'])(
    'src/%s/index.ts only re-exports',
    (folder) => {
      const text = readFileSync(join(root, folder, 'index.ts'), 'utf8');
      const rest = text.replace(/export (type )?\{[^}]*\} from '\.\/[\w-]+\.js';/g, '');
      expect(rest.trim()).toBe('');
      expect(text).toMatch(/export \{/);
    },
  );
});
