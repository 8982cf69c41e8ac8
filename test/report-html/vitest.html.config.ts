import { defineConfig } from "vitest/config";

// The report page in a real browser: Debian's chromium, headless (apt-get install chromium).
// Run: npm run test:html (builds, then npx vitest run --config test/report-html/vitest.html.config.ts)
export default defineConfig({
  test: {
    include: ["test/report-html/**/*.html.test.ts"],
    // Each chromium takes a core or two; one file at a time.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The *.html.test.ts files also match the main config's test/**/*.test.ts;
    // they only run when this variable is set, i.e. under this config.
    env: { REPORT_HTML_TEST: "1" },
  },
});
