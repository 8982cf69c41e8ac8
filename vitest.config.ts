import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The suite against the real debci needs Debian packages: `npm run test:debci`.
    exclude: ["test/debci-real/**", "node_modules/**"],
    // Crash and lock tests spawn real processes; give them room on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
