import type { Catalog } from '../catalog.js';
import type { ApiError, FieldError } from '../error.js';
import type { Code, Entry } from '../types.js';

/** The wire formats faultline speaks. */
export type FormatId = 'problem' | 's2' | 'sequin' | 'discord' | 'jan' | 'google';

/** One encoded error response: what a server writes. */
export interface EncodedError {
  status: number;
  /** Header names are lower-case, as HTTP/2 and the Fetch API want them. */
  headers: Record<string, string>;
  /** The JSON text of the body. */
  body: string;
}

/** Options for encoding one error. */
export interface EncodeOptions {
  /** Used when the error carries no request id of its own. */
  requestId?: string;
  /** The clock for timestamps in the body (Jan's `timestamp`). */
  now?: () => Date;
  /**
   * The catalog the error belongs to: its name is Google's `ErrorInfo.domain`, and its entry
   * is used when the error carries none.
   */
  catalog?: Catalog<any>;
}

/**
 * What a format's decoder reads from a body, before the code is looked up in a catalog.
 * Every field is optional: a decoder fills in what its body carries.
 */
export interface WireFields {
  /** The code as the body carries it. */
  code?: Code | undefined;
  /** Set when the format itself identified the entry (a problem `type`, an S2 structured body). */
  entry?: Entry | undefined;
  message?: string | undefined;
  /** Members that are details for certain (Jan's `details`, Google's `Struct`). */
  details?: Record<string, unknown> | undefined;
  /**
   * Top-level members the format does not map. They become details or extensions, depending
   * on the entry's details schema (see {@link decode}).
   */
  rest?: Record<string, unknown> | undefined;
  /**
   * The lazy form of `rest`: the own members of `restOf` whose names are not in `restKnown`.
   * Read only when the error is built, so a decode that needs just the code and entry (a
   * retry decision) never copies them.
   */
  restOf?: Record<string, unknown> | undefined;
  /** Member names of `restOf` the format mapped (see `restOf`). */
  restKnown?: ReadonlySet<string> | undefined;
  /** Members that are known not to be details. */
  extensions?: Record<string, unknown> | undefined;
  type?: string | undefined;
  title?: string | undefined;
  instance?: string | undefined;
  requestId?: string | undefined;
  /** Seconds, from the body. */
  retryAfter?: number | undefined;
  fieldErrors?: FieldError[] | undefined;
}

/** One wire format: an encoder, a decoder and a detector that recognises its bodies. */
export interface WireFormat {
  readonly id: FormatId;
  /** `application/problem+json` for problem; `application/json; charset=utf-8` otherwise. */
  readonly contentType: string;
  /** The JSON body object of `error`. */
  body(error: ApiError, options?: EncodeOptions): Record<string, unknown>;
  /** Status, headers and JSON text of `error`. */
  encode(error: ApiError, options?: EncodeOptions): EncodedError;
  /**
   * How sure the format is that `body` is one of its own: 0 = not this format, higher = more
   * confident; 100 or more settles it (the content type names the format) and ends
   * detection. Looks at a handful of members, never walks the body.
   */
  detect(body: Record<string, unknown>, status: number, contentType: string | undefined): number;
  /**
   * Reads the members of a body already parsed, size-checked and cleaned (no `__proto__`
   * keys, bounded depth). `catalog` lets a format identify entries by other means than the
   * code (a problem `type`, an S2 structured body).
   */
  decode(body: Record<string, unknown>, status: number, catalog?: Catalog<any>): WireFields;
}

/** Options for {@link decode}. */
export interface DecodeOptions {
  /** Looks the decoded code up, for the entry and its retry semantics. */
  catalog?: Catalog<any>;
  /** Skip detection and read the body as this format. */
  format?: FormatId | WireFormat;
  /**
   * Bodies larger than this are not parsed (default 1 MiB): bytes count bytes, text counts
   * UTF-16 units, and a value handed in already parsed may hold at most `maxBytes / 4`
   * values (never fewer than 1024).
   */
  maxBytes?: number;
  /** The clock, in epoch milliseconds, for `Retry-After` HTTP-dates. */
  now?: () => number;
  /**
   * Capture a stack trace on the decoded error (default `false`: the error describes a
   * remote failure, and capturing a stack costs several times more than the whole decode).
   */
  captureStack?: boolean;
}

/** Why a response could not be decoded into an {@link ApiError}. */
export type UndecodableReason =
  | 'empty'
  | 'too-large'
  | 'not-json'
  | 'unrecognized'
  | 'invalid-input';

/** The outcome of {@link decode}: an error, or why there is none. */
export type DecodeResult =
  | {
      kind: 'error';
      /** The decoded error, built on first access (and then the same object every time). */
      readonly error: ApiError;
      format: FormatId;
      /** The resolved code: the catalog's, the wire's, or the HTTP status. */
      code: Code;
      /** The HTTP status. */
      status: number;
      /** The catalog entry of the code, when a catalog knows it. */
      entry: Entry | undefined;
    }
  | {
      kind: 'undecodable';
      /** The HTTP status, or 0 when the given status was not one. */
      status: number;
      reason: UndecodableReason;
      /** What went wrong, for humans and logs. */
      message: string;
      contentType: string | undefined;
      requestId: string | undefined;
      /** Seconds, from the headers. */
      retryAfter: number | undefined;
      /** The first 200 characters of the body, for logs. */
      text: string | undefined;
    };
