/** Subpath of the package's `exports` → folder under src/ holding its index.ts. */
export declare const ENTRIES: Readonly<Record<string, string>>;
/** The `exports` map written into package.json. */
export declare function exportsMap(): Record<string, unknown>;
/** What is wrong with package.json's `exports` against {@link ENTRIES}, one line each. */
export declare function problems(): string[];
