/** A chaos run's figures, each beside its goal (all terminal, every other count 0), and timings. */
import type { Figure } from "../../bench/src/report.js";
import type { ChaosResult } from "./run-chaos.js";

const zero = { kind: "max", value: 0 } as const;

export function chaosFigures(r: ChaosResult): Figure[] {
  const a = r.audit;
  const stuck = a.stuck.apps + a.stuck.appOperations + a.stuck.provisionerOperations + a.stuck.backups;
  const sum = (x: Record<string, number>) => Object.values(x).reduce((s, n) => s + n, 0);
  return [
    {
      name: "terminal operations / total",
      value: a.operations === 0 ? 0 : a.terminal / a.operations,
      unit: "",
      goal: { kind: "min", value: 1 },
      note: `${a.terminal} of ${a.operations}: ${JSON.stringify(a.byResult)}`,
    },
    {
      name: "stuck after settling",
      value: stuck,
      unit: "",
      goal: zero,
      note: JSON.stringify(a.stuck),
    },
    { name: "duplicate VMIDs", value: a.duplicateVmids, unit: "", goal: zero },
    {
      name: "orphan containers (no live app)",
      value: a.orphanContainers,
      unit: "",
      goal: zero,
    },
    {
      name: "apps whose container is missing",
      value: a.appsWithoutContainer,
      unit: "",
      goal: zero,
    },
    { name: "leaked ports (held by deleted apps)", value: a.leakedPorts, unit: "", goal: zero },
    {
      // A request whose operation failed after its last attempt is dead-lettered by design (its
      // OperationFailed was published); more dead letters than that is a message given up on.
      name: "dead letters (goal: one per failed operation at most)",
      value: a.deadLetters,
      unit: "",
      goal: { kind: "max", value: a.failedOperations },
      note: `${a.failedOperations} provisioner operations failed${Object.keys(a.deadLetterSubjects).length ? `; ${JSON.stringify(a.deadLetterSubjects)}` : ""}`,
    },
    {
      // Every delivery of a message died with its process; the provisioner fails its operations
      // from these (stuck and orphans above say whether it did).
      name: "max-deliveries advisories (every delivery of a message died)",
      value: a.advisories,
      unit: "",
    },
    {
      name: "requests refused by the platform (other than 409)",
      value: sum(r.workload.failed),
      unit: "",
      goal: zero,
      note: Object.keys(r.workload.failed).length ? JSON.stringify(r.workload.failed) : "",
    },
    {
      name: "apps by status",
      value: Object.values(a.appsByStatus).reduce((s, n) => s + n, 0),
      unit: "apps",
      note: JSON.stringify(a.appsByStatus),
    },
    {
      name: "operations accepted",
      value: sum(r.workload.accepted),
      unit: "",
      note: `${JSON.stringify(r.workload.accepted)}; 409 refused ${JSON.stringify(r.workload.refused)}`,
    },
    {
      name: "replica kills (SIGKILL)",
      value: r.killer.kills,
      unit: "",
      note: `restart p50 ${(r.restartP50Ms / 1000).toFixed(1)} s; ${r.killer.failedStarts} starts failed and were tried again`,
    },
    { name: "fault hits", value: sum(r.faultHits), unit: "", note: JSON.stringify(r.faultHits) },
    { name: "workload", value: r.workloadMs / 1000, unit: "s" },
    {
      name: "settle after faults cleared",
      value: r.settleMs / 1000,
      unit: "s",
      note: r.settled ? "" : "bound reached",
    },
    { name: "deploy POST → running, p50", value: r.deployP50Ms / 1000, unit: "s" },
    { name: "deploy POST → running, p95", value: r.deployP95Ms / 1000, unit: "s" },
  ];
}
