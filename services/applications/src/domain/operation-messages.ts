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
  backup: "Backup",
  restore: "Restore",
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

/**
 * The reason an app shows after a failed operation, with what to do next when the words of the
 * provisioner cannot say it: a restore onto the app that ended in `error` may have replaced the
 * container's disk half-way (Proxmox removes the old volumes before it writes the new ones).
 */
export function failureReason(
  op: { readonly kind: OperationKind; readonly newApp: boolean },
  settledIn: string,
  reason: string,
): string {
  if (op.kind === "restore" && !op.newApp && settledIn === "error") {
    return `${reason}. The container may be incomplete or gone: restore this or another backup to bring the app back, or delete the app`;
  }
  return reason;
}

/** What the owner can do after an operation of each kind timed out. */
function afterTimeout(kind: OperationKind): string {
  if (kind === "backup") return "check the container on the host before backing it up again";
  if (kind === "restore")
    return "the container's state is unknown: check it on the host, then restore again or delete the app";
  return "the container's state is unknown: check it on the host, then retry or delete the app";
}

/** Why a timed-out operation was failed (status message, log line and event reason). */
export function timedOutMessage(kind: OperationKind, minutes: number): string {
  return `${operationName(kind)} did not finish within ${minutes} minutes and was marked failed; ${afterTimeout(kind)}`;
}

/** e.g. "Start requested" for the first log line of an operation. */
export function requestedMessage(kind: OperationKind): string {
  return `${operationName(kind)} requested`;
}

/** The archive a backup wrote, as the provisioner reports it. */
export interface ArchiveFacts {
  readonly volid: string;
  readonly sizeBytes: number;
}

/** e.g. "Backup succeeded: 1.5 GiB archive local:backup/vzdump-lxc-104-….tar.zst". */
export function backupSucceededMessage(archive: ArchiveFacts | undefined): string {
  if (!archive?.volid) return "Backup succeeded";
  return `Backup succeeded: ${formatBytes(archive.sizeBytes)} archive ${archive.volid}`;
}

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"] as const;

/** 1536 → "1.5 KiB"; one decimal from KiB up, whole bytes below. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${value === 1 ? "byte" : "bytes"}` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
