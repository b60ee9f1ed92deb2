import type { ApiError } from '../core/error.js';
import { encode } from '../core/wire/index.js';

/**
 * Framework-neutral middleware on the Fetch API: runs before a handler (`next`), may answer
 * instead of it, and sees its response.
 */
export type FetchMiddleware = (
  request: Request,
  next: (request: Request) => Promise<Response>,
) => Promise<Response>;

/**
 * Wraps a Fetch handler in middleware, the first one outermost.
 *
 * @example
 * ```ts
 * const handler = composeMiddleware(rateLimit({ policies }), idempotency())(app.fetch);
 * ```
 */
export function composeMiddleware(
  ...middleware: readonly FetchMiddleware[]
): (handler: (request: Request) => Promise<Response>) => (request: Request) => Promise<Response> {
  return (handler) =>
    middleware.reduceRight<(request: Request) => Promise<Response>>(
      (next, layer) => (request) => layer(request, next),
      handler,
    );
}

/** Turns an error into the response a middleware answers with. */
export type ErrorResponder = (error: ApiError, request: Request) => Response | Promise<Response>;

/** The default {@link ErrorResponder}: RFC 9457 problem+json, with the error's headers. */
export const problemResponse: ErrorResponder = (error) => {
  const encoded = encode(error, 'problem');
  return new Response(encoded.body, {
    status: encoded.status,
    headers: { ...encoded.headers, 'cache-control': 'no-store' },
  });
};

/**
 * Adds headers to a response. Responses from `fetch()` have immutable headers, so those are
 * copied into a new response first.
 */
export function withHeaders(
  response: Response,
  headers: Readonly<Record<string, string>>,
): Response {
  const names = Object.keys(headers);
  if (names.length === 0) return response;
  try {
    for (const name of names) response.headers.set(name, headers[name]!);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const name of names) copy.headers.set(name, headers[name]!);
    return copy;
  }
}
