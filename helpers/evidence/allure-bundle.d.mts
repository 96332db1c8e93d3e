// Types of allure-bundle.mjs (plain JavaScript: the generator process runs it without a TypeScript loader).
export declare const GENERATOR_ENTRY: string;
export declare function bundleInputs(entry?: string): string[];
export declare function bundleHash(inputs: string[]): string;
export declare function generatorBundle(options?: { entry?: string; cacheDir?: string }): Promise<{ file: string; built: boolean }>;
