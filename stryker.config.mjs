// Mutation testing of the decision code (`npm run mutation`; README, "Mutation testing").
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.unit.config.ts" },
  mutate: [
    "specs/checks/**/*.ts",
    "helpers/checks/{assert,evidence,facts,probes,network-witness,reach}.ts",
    "helpers/facts/parsers/**/*.ts",
    "helpers/facts/build.ts",
    "helpers/versions/**/*.ts",
    "helpers/evaluate.ts",
    "helpers/failover/analysis.ts",
  ],
  // Messages are for people; a test that pinned every word would break on each rewording.
  mutator: { excludedMutations: ["StringLiteral"] },
  // The pinned TypeScript 7 is the native compiler and has no JavaScript API. Stryker instruments
  // TypeScript with Babel and needs none, but its tsconfig rewriter (it fixes `extends` and
  // `references` that point outside the sandbox; ours has neither) imports `typescript` when it
  // finds the file named here. Naming a file that does not exist keeps it off. No type-checker
  // plugin is installed either: every mutant runs, even one that tsc would reject.
  tsconfigFile: "tsconfig.none.json",
  coverageAnalysis: "perTest",
  // Some tests build their inputs while vitest collects them (describe bodies, test.each tables):
  // a mutant reached only there would need the whole suite per mutant. Such mutants run against
  // the tests that reach them inside a test; those reached ONLY at load time (module-level
  // constants) are reported as Ignored, and the README says how many.
  ignoreStatic: true,
  // The machine is shared: at most 2 test-runner processes.
  concurrency: 2,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: ["reports", ".lab", ".stryker-tmp"],
  thresholds: { high: 90, low: 80, break: null },
};
