import { defineConfig } from "vitest/config";

// Builds the Debian package in a temporary copy of the tree without node_modules/, runs lintian,
// installs it with apt-get, runs the installed files, purges it, then runs its autopkgtest. Needs root,
// the Build-Depends (debhelper, esbuild, nodejs), lintian and autopkgtest; the project's
// node_modules only for vitest itself (npm ci). Run: npm run test:deb
export default defineConfig({
  test: {
    include: ["test/deb/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // deb.test.ts also matches the main config's test/**/*.test.ts; it only runs when this
    // variable is set, i.e. under this config.
    env: { DEB_PACKAGE_TEST: "1" },
  },
});
