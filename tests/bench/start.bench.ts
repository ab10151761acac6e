/**
 * Start benchmark (issue 10, goal 5: production processes run compiled JavaScript, no transpiler at
 * run time): starts the platform as separate processes twice in one run, from the TypeScript
 * sources through tsx (the bare baseline: how the image ran before) and compiled (`pnpm build`,
 * as the image runs now), and prints each service's start time (spawn → port open) and its idle
 * memory after BENCH_IDLE_MS, the two modes side by side. Figures are printed, never asserted.
 *
 *   pnpm bench:start                 # builds first (tsc -b: only what changed)
 *   BENCH_IDLE_MS=10000 pnpm bench:start
 * Services start in dependency order (secrets, hosts, then applications, backups and provisioner
 * at once, then the gateway), so a start time includes waiting for CPU beside its siblings.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ProcessPlatform, startPlatformProcesses } from "./src/platform-processes.js";
import { rssMiB } from "./src/proc.js";
import { BenchReport } from "./src/report.js";

const idleMs = Number(process.env.BENCH_IDLE_MS ?? 5000);
const root = join(import.meta.dirname, "../..");
const SERVICES = ["secrets", "hosts", "applications", "backups", "provisioner", "api-gateway"] as const;

/** The processes `pid` started (tsx's esbuild service, for one), read from /proc. */
function childrenOf(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
}

/** Whether the process runs TypeScript through a transpiler: tsx in its arguments or a child. */
function transpiles(pid: number): boolean {
  const cmdline = (p: number) => readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
  return [pid, ...childrenOf(pid)].some((p) => /\btsx\b|esbuild/.test(cmdline(p)));
}

interface ServiceFigures {
  startMs: number;
  rssMiB: number;
  /** The service's process and its children (tsx's esbuild). */
  rssWithChildrenMiB: number;
  transpiler: boolean;
}

async function measure(compiled: boolean): Promise<Map<string, ServiceFigures>> {
  const started = performance.now();
  const platform: ProcessPlatform = await startPlatformProcesses({ compiled });
  const figures = new Map<string, ServiceFigures>();
  try {
    console.log(
      `  ${platform.runtime}: platform up in ${((performance.now() - started) / 1000).toFixed(1)} s; idle ${idleMs} ms`,
    );
    await new Promise((r) => setTimeout(r, idleMs));
    for (const p of platform.processes()) {
      if (!(SERVICES as readonly string[]).includes(p.service) || p.replica !== 0) continue;
      const own = rssMiB(p.pid);
      figures.set(p.service, {
        startMs: p.startedMs,
        rssMiB: own,
        rssWithChildrenMiB: own + childrenOf(p.pid).reduce((sum, c) => sum + rssMiB(c), 0),
        transpiler: transpiles(p.pid),
      });
    }
  } finally {
    await platform.stop();
  }
  return figures;
}

const report = new BenchReport("start", { idleMs, services: SERVICES });
console.log("building (pnpm build: tsc -b, only what changed)…");
const buildStarted = performance.now();
execFileSync("pnpm", ["build"], { cwd: root, stdio: "inherit" });
console.log(`  build: ${((performance.now() - buildStarted) / 1000).toFixed(1)} s`);

console.log("starting the platform from sources (tsx, baseline), then compiled…");
const tsx = await measure(false);
const compiled = await measure(true);

const sum = (m: Map<string, ServiceFigures>, f: (x: ServiceFigures) => number) =>
  [...m.values()].reduce((s, x) => s + f(x), 0);
console.log("\n  service        start tsx → compiled (ms)   idle RSS tsx → compiled (MiB; with children)");
for (const service of SERVICES) {
  const a = tsx.get(service)!;
  const b = compiled.get(service)!;
  console.log(
    `  ${service.padEnd(14)} ${a.startMs.toFixed(0).padStart(6)} → ${b.startMs.toFixed(0).padStart(6)}` +
      `           ${a.rssMiB.toFixed(0).padStart(4)} → ${b.rssMiB.toFixed(0).padStart(4)}` +
      `  (${a.rssWithChildrenMiB.toFixed(0)} → ${b.rssWithChildrenMiB.toFixed(0)})`,
  );
}
console.log("");
for (const service of SERVICES) {
  const a = tsx.get(service)!;
  const b = compiled.get(service)!;
  report.add({
    name: `${service} start (spawn → port open)`,
    value: b.startMs,
    unit: "ms",
    baseline: a.startMs,
  });
  report.add({
    name: `${service} idle RSS (with child processes)`,
    value: b.rssWithChildrenMiB,
    unit: "MiB",
    baseline: a.rssWithChildrenMiB,
  });
}
report.add({
  name: "all services: idle RSS (with child processes)",
  value: sum(compiled, (x) => x.rssWithChildrenMiB),
  unit: "MiB",
  baseline: sum(tsx, (x) => x.rssWithChildrenMiB),
});
report.add({
  name: "services running a transpiler",
  value: [...compiled.values()].filter((x) => x.transpiler).length,
  unit: "of 6",
  goal: { kind: "max", value: 0 },
  baseline: [...tsx.values()].filter((x) => x.transpiler).length,
  note: "goal 5: compiled JavaScript, no transpiler at run time",
});
report.write({
  services: Object.fromEntries(SERVICES.map((s) => [s, { tsx: tsx.get(s), compiled: compiled.get(s) }])),
});
