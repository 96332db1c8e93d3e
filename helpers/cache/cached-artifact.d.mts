// Types of cached-artifact.mjs (plain JavaScript: bin/compiled.mjs runs it without a TypeScript loader).
export declare function inputsHash(inputs: readonly (string | Uint8Array)[]): string;
export declare function cachedArtifact(options: {
  /** The cache's folder under node_modules/.cache. */
  name: string;
  /** What the artifact is built from, hashed in order. */
  inputs: readonly (string | Uint8Array)[];
  /** Writes the artifact (a file or a folder) at `partial`. */
  build: (partial: string) => Promise<void> | void;
  /** Ending of the entry's name, e.g. ".json"; none for a folder. */
  extension?: string;
  /** Another folder than node_modules/.cache/<name> (tests). */
  cacheDir?: string;
}): Promise<{ path: string; built: boolean }>;
