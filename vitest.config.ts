import { defineConfig } from "vitest/config";

// One vitest run for the whole workspace. Integration tests get PostgreSQL and NATS from the
// global setup (environment variables, else testcontainers) and isolate themselves per file.
export default defineConfig({
  test: {
    // Two projects: the node suites (this file) and the web console's component tests (jsdom).
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: [
            "packages/*/src/**/*.test.ts",
            "packages/*/test/**/*.test.ts",
            "services/*/src/**/*.test.ts",
            "services/*/test/**/*.test.ts",
            "tests/*/**/*.test.ts",
            "examples/*/test/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**", "services/web-console/**"],
        },
      },
      "services/web-console/vitest.config.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["packages/testing/src/global-setup.ts"],
    reporters: ["default"],
  },
});
