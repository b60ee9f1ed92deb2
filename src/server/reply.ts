import type { ErrorKind } from './base.js';
import type { NeutralResponse } from './faultline.js';

/**
 * A response a route handler returns when a plain value (sent as JSON with 200) is not enough:
 * another status, headers, a text or binary body, or a stream. Header names are kept in lower
 * case.
 *
 * @example
 * ```ts
 * return Reply.json({ id: 7 }, { status: 201, headers: { location: '/orders/7' } });
 * ```
 */
export class Reply implements NeutralResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array | ReadableStream<Uint8Array> | null;

  constructor(
    status: number,
    headers: Readonly<Record<string, string>> = {},
    body: string | Uint8Array | ReadableStream<Uint8Array> | null = null,
  ) {
    this.status = status;
    this.headers = {};
    for (const [name, value] of Object.entries(headers)) this.headers[name.toLowerCase()] = value;
    this.body = body;
  }

  /** A JSON body (`application/json`), status 200 unless given. */
  static json(
    value: unknown,
    init: { status?: number; headers?: Readonly<Record<string, string>> } = {},
  ): Reply {
    return new Reply(
      init.status ?? 200,
      { 'content-type': 'application/json', ...init.headers },
      JSON.stringify(value),
    );
  }

  /**
   * The error of a kind of failure (`'notFound'`), for a route to return: answered as the same
   * error thrown (bytes, log record, span attributes, hooks), without making the error object
   * unless a log or a hook needs one. Making an `Error`, even without a stack trace, is most
   * of what answering an error directly costs.
   *
   * @example
   * ```ts
   * 'GET /orders/:id': ({ params }) => orders.get(params.id) ?? Reply.error('notFound'),
   * ```
   */
  static error(kind: ErrorKind): ErrorReply {
    return new ErrorReply(kind);
  }

  /** A neutral response (an SSE or NDJSON stream from the helpers) as a `Reply`. */
  static from(response: NeutralResponse): Reply {
    return response instanceof Reply
      ? response
      : new Reply(response.status, response.headers, response.body);
  }
}

/** What {@link Reply.error} returns: the error of a kind, for the route's faultline to answer. */
export class ErrorReply {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind) {
    this.kind = kind;
  }
}
