import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

// Component tests: jsdom, no database or bus (the root config runs this project beside the others).
export default defineProject({
  plugins: [react()],
  test: {
    name: "web-console",
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    // Generous on a busy 2-core CI machine (these are not timed tests: they wait for the page).
    testTimeout: 30_000,
  },
});
