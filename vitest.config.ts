import { defineConfig } from "vitest/config";

// The audit run sets API7_AUDIT_RUN_DIR; its reporters write Allure results and JUnit there (Allure
// through helpers/run/allure-reporter.ts: allure-vitest's reporter without an fsync per file).
const runDir = process.env.API7_AUDIT_RUN_DIR;

export default defineConfig({
  test: {
    reporters: runDir
      ? [
          "default",
          ["./helpers/run/allure-reporter.ts", { resultsDir: `${runDir}/allure-results` }],
          ["junit", { outputFile: `${runDir}/junit.xml`, suiteName: "api7-ha-audit" }],
        ]
      : ["default"],
    projects: [
      {
        test: {
          name: "audit",
          include: ["specs/**/*.spec.ts"],
          // spec-warmup: `npm run audit` starts vitest before collecting; the specs wait for the run's data.
          setupFiles: ["allure-vitest/setup", "helpers/run/spec-warmup.ts"],
          // Specs only read the run's collected facts: one worker, and one module graph for all spec
          // files (no per-file isolation), so the helpers and the parsed run load once. They share no
          // mutable state but loadRunContext()'s cache of the same run. Measured in README "Performance".
          fileParallelism: false,
          isolate: false,
          testTimeout: 60_000,
          // Transformed modules are kept on disk between audits (keyed by file content): an audit
          // then skips Vite's transforms, about 1 s of CPU and 80 MB of peak memory (README, "Performance").
          experimental: { fsModuleCache: true },
        },
      },
      {
        test: {
          name: "self-tests",
          include: ["tests/**/*.test.ts"],
          // Integration and end-to-end files start real servers, labs and timed failovers: one at a
          // time keeps their timings honest on a 2-core machine.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
