/**
 * `pnpm chaos` (issue 12): CHAOS_DEPLOYS deploys (default 500) with life-cycle actions, spread over
 * CHAOS_USERS users (3) and the simulator's two nodes, CHAOS_CONCURRENCY scripts at a time (24),
 * while one of CHAOS_REPLICAS provisioner replicas (3) is killed -9 every CHAOS_KILL_EVERY_MS
 * (2000) and started again, and the simulator fails CHAOS_FAULT_RATE (0.2) of the Proxmox API calls
 * and SSH commands (errors, resets, hangs). Then the faults are cleared and the run waits at most
 * CHAOS_SETTLE_MS (300000) for everything to settle, prints each figure beside its goal, writes
 * bench-results/chaos.json and exits 1 when a goal is missed.
 *
 *   pnpm chaos
 *   CHAOS_DEPLOYS=50 pnpm chaos
 */
import { BenchReport, meets } from "../bench/src/report.js";
import { chaosFigures } from "./src/figures.js";
import { runChaos } from "./src/run-chaos.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const options = {
  deploys: num("CHAOS_DEPLOYS", 500),
  users: num("CHAOS_USERS", 3),
  concurrency: num("CHAOS_CONCURRENCY", 24),
  replicas: num("CHAOS_REPLICAS", 3),
  faultRate: num("CHAOS_FAULT_RATE", 0.2),
  killEveryMs: num("CHAOS_KILL_EVERY_MS", 2_000),
  settleMs: num("CHAOS_SETTLE_MS", 300_000),
  actionWaitMs: num("CHAOS_ACTION_WAIT_MS", 120_000),
  ...(process.env.CHAOS_COMPILED === "1" ? { compiled: true } : {}),
  keepState: process.env.CHAOS_KEEP_STATE === "1",
  ...(process.env.CHAOS_LOG_LEVEL ? { logLevel: process.env.CHAOS_LOG_LEVEL } : {}),
};

console.log(
  `chaos: ${options.deploys} deploys by ${options.users} users, ${options.concurrency} at a time; ${options.replicas} provisioner replicas, one killed -9 every ${options.killEveryMs} ms; ${Math.round(options.faultRate * 100)} % of Proxmox calls failing`,
);
const report = new BenchReport("chaos", options);
const result = await runChaos({ ...options, log: (line) => console.log(`  ${line}`) });
const figures = chaosFigures(result).map((f) => report.add(f));
for (const e of result.audit.examples) console.log(`  ! ${e}`);
for (const f of result.workload.failures.slice(0, 10)) console.log(`  ! request: ${f}`);
for (const r of result.workload.refusals.slice(0, 5)) console.log(`  409: ${r}`);
report.write({
  audit: result.audit,
  workload: result.workload,
  killer: result.killer,
  faultHits: result.faultHits,
  appsPerNode: result.appsPerNode,
  runtime: result.runtime,
});
const missed = figures.filter((f) => meets(f) === false);
if (missed.length > 0) {
  console.log(`  goals missed: ${missed.map((f) => f.name).join("; ")}`);
  process.exit(1);
}
