// Wire formats: filled in by the wire-format work (encoders, decoders, auto-detection).
export {};
