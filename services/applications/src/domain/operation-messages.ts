import type { OperationKind } from "./operations.js";

/** What users call each kind of operation, for log lines. */
const OPERATION_NAMES: Readonly<Record<OperationKind, string>> = {
  deploy: "Deployment",
  start: "Start",
  stop: "Stop",
  restart: "Restart",
  update: "Update",
  delete: "Removal",
  clone: "Clone",
  adopt: "Adoption",
};

export function operationName(kind: OperationKind): string {
  return OPERATION_NAMES[kind];
}

export interface ContainerFacts {
  readonly vmid: number | null;
  readonly node: string;
  readonly ipAddress: string | null;
}

/** e.g. "Deployment succeeded: container 104 on pve1 at 10.0.0.7". */
export function succeededMessage(kind: OperationKind, container: ContainerFacts): string {
  const where = [
    container.vmid ? `container ${container.vmid}` : "",
    container.node ? `on ${container.node}` : "",
    container.ipAddress ? `at ${container.ipAddress}` : "",
  ].filter(Boolean);
  return `${operationName(kind)} succeeded${where.length ? `: ${where.join(" ")}` : ""}`;
}

/** e.g. "Deployment failed after 5 attempts: no space left on storage local-lvm". */
export function failedMessage(kind: OperationKind, attempts: number, reason: string): string {
  const tries = attempts > 0 ? ` after ${attempts} ${attempts === 1 ? "attempt" : "attempts"}` : "";
  return `${operationName(kind)} failed${tries}: ${reason || "no reason given"}`;
}

/** Why a timed-out operation was failed (status message, log line and event reason). */
export function timedOutMessage(kind: OperationKind, minutes: number): string {
  return `${operationName(kind)} did not finish within ${minutes} minutes and was marked failed; the container's state is unknown: check it on the host, then retry or delete the app`;
}

/** e.g. "Start requested" for the first log line of an operation. */
export function requestedMessage(kind: OperationKind): string {
  return `${operationName(kind)} requested`;
}
