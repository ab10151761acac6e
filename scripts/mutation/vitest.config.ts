// The workspace's vitest configuration narrowed to the test files of one mutation group. The
// narrowing is done here rather than with Stryker's `testFiles`: with `testFiles`, Stryker 9.6
// activates "static" mutants (top-level code such as a policy table) only after the module was
// loaded, so they are reported as survived although the tests kill them (stryker-js#6144).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import base from "../../vitest.config.js";
import { currentGroup } from "./groups.mjs";

export default defineConfig({
  ...base,
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: { ...base.test, include: currentGroup().testFiles },
});
