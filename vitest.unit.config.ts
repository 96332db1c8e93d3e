import { defineConfig } from "vitest/config";

// The unit self-tests that decide what `npm run mutation` reports: Stryker's vitest runner runs
// them against each mutant. Left out: tests that start processes (the collection script run by
// bash, ssh-keygen, ansible-inventory, the quoting round trips through a shell). They test the
// script and the transport, which are not mutated, and would add seconds to every mutant.
export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts"],
    exclude: [
      "tests/unit/facts/script.test.ts",
      "tests/unit/transport/**",
      "tests/unit/environment/ansible-inventory.test.ts",
    ],
    testTimeout: 60_000,
  },
});
