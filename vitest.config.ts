import { defineConfig } from "vitest/config";

// One vitest run for the whole workspace. Integration tests get PostgreSQL and NATS from the
// global setup (environment variables, else testcontainers) and isolate themselves per file.
export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "services/*/src/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "tests/*/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["packages/testing/src/global-setup.ts"],
    reporters: ["default"],
  },
});
