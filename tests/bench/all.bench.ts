/**
 * `pnpm bench`: every benchmark in turn, each in its own process (one platform at a time on the
 * machine, so they do not measure each other), then one summary of every figure beside its goal,
 * read back from the JSON results they wrote. Figures are reported, never asserted: the exit code
 * says only whether each benchmark ran.
 *
 *   pnpm bench                         # all
 *   BENCH_ONLY=list,deploy pnpm bench  # some
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const ALL = ["start", "logging", "list", "deploy", "realistic", "scale"] as const;
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const selected = ALL.filter((name) => !only || only.includes(name));

interface ResultFigure {
  name: string;
  value: number;
  unit: string;
  goal?: { kind: "max" | "min"; value: number };
  baseline?: number;
  met?: boolean;
}

const failed: string[] = [];
for (const name of selected) {
  console.log(`\n=== bench:${name} ===`);
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "tests/bench", `${name}.bench.ts`)],
    {
      cwd: root,
      stdio: "inherit",
      env: process.env,
    },
  );
  if (run.status !== 0) failed.push(name);
}

console.log("\n=== summary ===");
for (const name of selected) {
  const file = join(root, "bench-results", `${name}.json`);
  if (failed.includes(name) || !existsSync(file)) {
    console.log(`${name}: did not complete`);
    continue;
  }
  const result = JSON.parse(readFileSync(file, "utf8")) as { figures: ResultFigure[] };
  for (const f of result.figures.filter((x) => x.goal)) {
    const goal = `${f.goal!.kind === "max" ? "≤" : "≥"} ${f.goal!.value}`;
    console.log(
      `${name} · ${f.name}: ${f.value.toFixed(2)} ${f.unit} (goal ${goal}) ${f.met ? "MET" : "NOT MET"}`,
    );
  }
}
if (failed.length > 0) {
  console.error(`\nbenchmarks that did not run to the end: ${failed.join(", ")}`);
  process.exit(1);
}
