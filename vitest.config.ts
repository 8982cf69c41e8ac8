import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Suites that need Debian packages run by their own scripts: the real debci (`npm run test:debci`),
    // headless Chromium (`npm run test:html`), the Debian package (`npm run test:deb`).
    exclude: ["test/debci-real/**", "test/report-html/**", "test/deb/**", "node_modules/**"],
    // Crash and lock tests spawn real processes; give them room on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
