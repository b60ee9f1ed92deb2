/** What one benchmark module reports; `bench/run.ts` gathers them into BENCHMARKS.md. */
export interface BenchReport {
  /** Section heading in BENCHMARKS.md. */
  title: string;
  /** How to run only this benchmark. */
  command: string;
  /** The section body: tables (Markdown), goals and whether they were met, notes. */
  markdown: string;
  /** Raw figures, written to bench/results/<id>.json for charts and later comparison. */
  raw: unknown;
}

/** A benchmark module: `bench/<id>.bench.ts` exporting `run` as its default. */
export type BenchModule = { default: () => Promise<BenchReport> };
