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

/** A router over `METHOD /pattern` keys. */
export class Router<T> {
  readonly #routes: CompiledRoute<T>[] = [];

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
    this.#routes.push({ method: method.toUpperCase(), pattern, value, segments });
  }

  /**
   * Matches a request. `HEAD` falls back to `GET`. Parameters are percent-decoded.
   *
   * @throws {BadPathError} when a parameter's percent-encoding is invalid.
   */
  match(method: string, path: string): Match<T> {
    const parts = path.split('/').slice(1);
    let allow: Set<string> | undefined;
    let fallback: { route: CompiledRoute<T>; params: Record<string, string> } | undefined;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params };
      if (method === 'HEAD' && route.method === 'GET') fallback ??= { route, params };
      allow ??= new Set();
      allow.add(route.method);
    }
    if (fallback) return { kind: 'found', ...fallback };
    return allow ? { kind: 'method', allow: [...allow] } : { kind: 'none' };
  }
}

function matchSegments(
  segments: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '*') {
      params['*'] = decode(parts.slice(i).join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.startsWith(':')) {
      if (part === '') return undefined;
      params[segment.slice(1)] = decode(part);
    } else if (segment !== part) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

function decode(part: string): string {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadPathError(`Invalid percent-encoding in ${JSON.stringify(part.slice(0, 64))}`);
  }
}
