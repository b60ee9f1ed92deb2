// The wire formats: one error, many encodings, and a decoder that recognises them all.
export { decode } from './decode.js';
export { encode, formats } from './formats.js';
export { parseRetryAfter, statusSemantics } from './shared.js';
export type {
  DecodeOptions,
  DecodeResult,
  EncodedError,
  EncodeOptions,
  FormatId,
  UndecodableReason,
  WireFields,
  WireFormat,
} from './types.js';
