import { defineConfig } from "vitest/config";

// The unit self-tests that decide what `npm run mutation` reports: Stryker's vitest runner runs
// them against each mutant. Left out: tests that start processes (the collection script run by
// bash, ssh-keygen, ansible-inventory, the quoting round trips through a shell): they test the
// script and the transport, which are not mutated, and would add seconds to every mutant. And the
// ablation matrix (17 s on the 2-core runner): it would re-run for every mutant of the engine it
// reaches; the focused tests must kill those mutants on their own.
export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts"],
    exclude: [
      "tests/unit/facts/script.test.ts",
      "tests/unit/transport/**",
      "tests/unit/environment/ansible-inventory.test.ts",
      "tests/unit/checks/ablation.test.ts",
    ],
    testTimeout: 60_000,
  },
});
