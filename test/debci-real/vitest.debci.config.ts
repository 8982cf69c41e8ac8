import { defineConfig } from "vitest/config";

// Tests against a real debci 3.6 started by test/debci-real/debci-service.ts.
// Run: npx vitest run --config test/debci-real/vitest.debci.config.ts
export default defineConfig({
  test: {
    include: ["test/debci-real/**/*.debci.test.ts"],
    // Each file starts its own RabbitMQ + debci; one at a time on a 2-core machine.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The *.debci.test.ts files also match the main config's test/**/*.test.ts;
    // they only run when this variable is set, i.e. under this config.
    env: { DEBCI_REAL_TEST: "1" },
  },
});
