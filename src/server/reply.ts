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

  /** A neutral response (an SSE or NDJSON stream from the helpers) as a `Reply`. */
  static from(response: NeutralResponse): Reply {
    return response instanceof Reply
      ? response
      : new Reply(response.status, response.headers, response.body);
  }
}
