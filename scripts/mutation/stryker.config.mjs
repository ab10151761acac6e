// Mutation testing (StrykerJS + vitest) of the modules that guard invariants. `pnpm mutation`
// (scripts/mutation.sh) runs one Stryker run per group below, with the TEST_* servers set like
// scripts/test.sh does. Not part of scripts/test.sh: the whole run takes ~15-20 minutes on 2 cores.
//
// One run per group (groups.mjs), each with a vitest configuration narrowed to the group's test
// files (vitest.config.ts here): a "static" mutant (top-level code, e.g. the policy table) re-runs
// every test file of its run, and must not start the service tests of unrelated modules. Per-test
// coverage limits the other mutants to the tests that reached them.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { currentGroup } from "./groups.mjs";

const group = currentGroup();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "scripts/mutation/vitest.config.ts", related: false },
  mutate: group.mutate,
  coverageAnalysis: "perTest",
  concurrency: 2,
  // Service tests start servers; a mutant that hangs one must time out, not stall the run.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  // Copy only what the tests import; node_modules folders are symlinked into the sandbox.
  ignorePatterns: ["/deploy", "/docs", "/tests", "/.dev", "/reports", "coverage", "*.log"],
  // Outside the repository, so that lint and typecheck runs meanwhile never see the sandboxes.
  tempDirName: join(tmpdir(), "proximity-stryker"),
  cleanTempDir: "always",
  reporters: ["clear-text", "progress", "html", "json"],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  htmlReporter: { fileName: `reports/mutation/${group.name}.html` },
  jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
  thresholds: { high: 90, low: 75, break: null },
  warnings: { slow: false },
};
