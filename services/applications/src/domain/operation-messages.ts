import type { AppStatus } from "./app-status.js";

/** What users call the operation behind each in-flight status, for log lines. */
const OPERATION_NAMES: Readonly<Partial<Record<AppStatus, string>>> = {
  deploying: "Deployment",
  starting: "Start",
  stopping: "Stop",
  updating: "Update",
  cloning: "Clone",
  removing: "Removal",
};

function operationName(inFlight: AppStatus): string {
  return OPERATION_NAMES[inFlight] ?? "Operation";
}

export interface ContainerFacts {
  readonly vmid: number | null;
  readonly node: string;
  readonly ipAddress: string | null;
}

/** e.g. "Deployment succeeded: container 104 on pve1 at 10.0.0.7". */
export function succeededMessage(inFlight: AppStatus, container: ContainerFacts): string {
  const where = [
    container.vmid ? `container ${container.vmid}` : "",
    container.node ? `on ${container.node}` : "",
    container.ipAddress ? `at ${container.ipAddress}` : "",
  ].filter(Boolean);
  return `${operationName(inFlight)} succeeded${where.length ? `: ${where.join(" ")}` : ""}`;
}

/** e.g. "Deployment failed after 5 attempts: no space left on storage local-lvm". */
export function failedMessage(inFlight: AppStatus, attempts: number, reason: string): string {
  const tries = attempts > 0 ? ` after ${attempts} ${attempts === 1 ? "attempt" : "attempts"}` : "";
  return `${operationName(inFlight)} failed${tries}: ${reason || "no reason given"}`;
}
