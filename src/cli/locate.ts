import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';

/** A 1-based line and column in a text. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Splits an issue path such as `groups["LLM API"].entries[3].status` into its segments:
 * property names as strings, array indexes as numbers.
 */
export function parseIssuePath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let index = 0;
  while (index < path.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(path);
    if (!match) break;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else {
      try {
        segments.push(JSON.parse(match[3]!) as string);
      } catch {
        break;
      }
    }
    index = pattern.lastIndex;
  }
  return segments;
}

/** The 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Where the node at an issue path is in a JSON text: the deepest part of the path that
 * exists (a missing member points at its parent object). `undefined` when the text is not
 * JSON at all.
 */
export function locateInJson(text: string, path: string): Position | undefined {
  // The whole document is where it starts; no need to parse it (it may be nested too deeply).
  if (path === '$') return positionOf(text, Math.max(0, text.search(/\S/)));
  let root: Node | undefined;
  try {
    root = parseTree(text);
  } catch {
    // A document nested deeper than the parser's stack: the issue is reported without a line.
    return undefined;
  }
  if (!root) return undefined;
  const segments = parseIssuePath(path);
  let node: Node | undefined;
  for (let length = segments.length; length >= 0 && !node; length--) {
    node = findNodeAtLocation(root, segments.slice(0, length));
  }
  // A property value's position is less useful than its key's: point at the key.
  const target = node?.parent?.type === 'property' ? node.parent : node;
  return positionOf(text, (target ?? root).offset);
}

/**
 * Where an issue path probably is in a TypeScript or JavaScript catalog module: each
 * property name of the path is looked for as an object key after the previous one, from
 * `from` (the `defineCatalog` call). Stops at the last segment found.
 */
export function locateInSource(text: string, path: string, from = 0): Position | undefined {
  let offset = -1;
  let cursor = from;
  for (const segment of parseIssuePath(path)) {
    if (typeof segment === 'number') continue;
    const escaped = segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const key = new RegExp(
      `(?:^|[\\s{,])(${escaped}|'${escaped}'|"${escaped}"|\\[\\s*'${escaped}'\\s*\\])\\s*:`,
      'gd',
    );
    key.lastIndex = cursor;
    const match = key.exec(text);
    if (!match?.indices?.[1]) break;
    offset = match.indices[1][0];
    cursor = key.lastIndex;
  }
  return offset < 0 ? undefined : positionOf(text, offset);
}
