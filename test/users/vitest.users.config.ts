import { defineConfig } from "vitest/config";

// One state, two users: creates a group and two system users (dbtest-shared, dbtest-bridge,
// dbtest-britney), runs the built CLI (dist/) as each of them on one state, and removes them again.
// Needs root, setpriv (util-linux) and useradd (passwd). Run after a build:
//   npm run --silent build && npx vitest run --config test/users/vitest.users.config.ts
export default defineConfig({
  test: {
    include: ["test/users/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // two-users.test.ts also matches the main config's test/**/*.test.ts; it only runs when this
    // variable is set, i.e. under this config.
    env: { TWO_USERS_TEST: "1" },
  },
});
