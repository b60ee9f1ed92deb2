/**
 * A minimal path router for the node:http and Fetch targets, which have none of their own:
 * literal segments, `:name` parameters and a trailing `*` wildcard. It knows every method of a
 * path, so a wrong method is a 405 with `Allow` rather than a 404.
 */

/** One compiled route. */
export interface CompiledRoute<T> {
  readonly method: string;
  readonly pattern: string;
  readonly value: T;
  readonly segments: readonly string[];
}

/** What matching a path found. */
export type Match<T> =
  | { kind: 'found'; route: CompiledRoute<T>; params: Record<string, string> }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' };

/** Thrown for a path whose percent-encoding is broken. */
export class BadPathError extends Error {
  override name = 'BadPathError';
}

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A pattern segment as matching reads it: a literal, a parameter with its name, or the
 * trailing wildcard.
 */
interface Segment {
  readonly literal: string | undefined;
  /**
   * The parameter's name, as an interned property key: a name cut from the pattern at run
   * time is a fresh string, and V8 stores a fresh string into a null-prototype object on its
   * slow path every time (microseconds per request).
   */
  readonly param: string | undefined;
  readonly wildcard: boolean;
}

interface Entry<T> {
  readonly route: CompiledRoute<T>;
  readonly segments: readonly Segment[];
}

/** A router over `METHOD /pattern` keys. */
export class Router<T> {
  readonly #routes: Entry<T>[] = [];

  /** Adds a route. @throws {TypeError} on a malformed method or pattern. */
  add(method: string, pattern: string, value: T): void {
    if (!METHOD.test(method)) throw new TypeError(`Invalid HTTP method ${JSON.stringify(method)}`);
    if (!pattern.startsWith('/')) {
      throw new TypeError(`A route pattern must start with "/": ${JSON.stringify(pattern)}`);
    }
    const segments = pattern.split('/').slice(1);
    const star = segments.indexOf('*');
    if (star !== -1 && star !== segments.length - 1) {
      throw new TypeError(`"*" may only end a pattern: ${JSON.stringify(pattern)}`);
    }
    this.#routes.push({
      route: { method: method.toUpperCase(), pattern, value, segments },
      segments: segments.map((segment) =>
        segment === '*'
          ? { literal: undefined, param: undefined, wildcard: true }
          : segment.startsWith(':')
            ? { literal: undefined, param: internKey(segment.slice(1)), wildcard: false }
            : { literal: segment, param: undefined, wildcard: false },
      ),
    });
  }

  /**
   * Matches a request. `HEAD` falls back to `GET`. Parameters are percent-decoded.
   *
   * @throws {BadPathError} when a parameter's percent-encoding is invalid.
   */
  match(method: string, path: string): Match<T> {
    // The path's segments are the pieces after its first `/`; a path without one has none.
    const slash = path.indexOf('/');
    const start = slash === -1 ? -1 : slash + 1;
    let allow: Set<string> | undefined;
    let fallback: { route: CompiledRoute<T>; params: Record<string, string> } | undefined;
    for (const entry of this.#routes) {
      const params = matchSegments(entry.segments, path, start);
      if (!params) continue;
      const route = entry.route;
      if (route.method === method) return { kind: 'found', route, params };
      if (method === 'HEAD' && route.method === 'GET') fallback ??= { route, params };
      allow ??= new Set();
      allow.add(route.method);
    }
    if (fallback) return { kind: 'found', ...fallback };
    return allow ? { kind: 'method', allow: [...allow] } : { kind: 'none' };
  }
}

/**
 * The parameters of `path` if it matches the segments, read in place: no array of the
 * path's pieces is made. `start` is where the first piece begins (-1: the path has none).
 */
function matchSegments(
  segments: readonly Segment[],
  path: string,
  start: number,
): Record<string, string> | undefined {
  // Made at the first parameter: a route that does not match makes none.
  let params: Record<string, string> | undefined;
  let position = start;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.wildcard) {
      params ??= Object.create(PARAMS);
      params!['*'] = position === -1 ? '' : decode(path.slice(position));
      return params;
    }
    // Past the last piece: the path has fewer segments than the pattern.
    if (position === -1 || position > path.length) return undefined;
    let end = path.indexOf('/', position);
    if (end === -1) end = path.length;
    const literal = segment.literal;
    if (literal !== undefined) {
      if (end - position !== literal.length || !path.startsWith(literal, position)) {
        return undefined;
      }
    } else {
      if (end === position) return undefined;
      params ??= Object.create(PARAMS);
      params![segment.param!] = decode(path.slice(position, end));
    }
    position = end + 1;
  }
  // Every piece read: the last one ended the path.
  return position === -1 || position > path.length ? (params ?? Object.create(PARAMS)) : undefined;
}

/**
 * The prototype of every parameters object: itself without one, so a parameter named like an
 * `Object.prototype` member (`:constructor`, `:__proto__`) is an own property and nothing is
 * inherited. Not `Object.create(null)` itself: V8 keeps an object without a prototype as a
 * hash table, which cost about 120 bytes and a hash insertion per request.
 */
const PARAMS: object = Object.freeze(Object.create(null));

/** The same string as an interned property key (the engine interns the keys it lists). */
function internKey(name: string): string {
  return Object.keys({ [name]: true })[0] ?? name;
}

function decode(part: string): string {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadPathError(`Invalid percent-encoding in ${JSON.stringify(part.slice(0, 64))}`);
  }
}
