/**
 * Snapshots an operation takes for itself (update: to roll back; clone: to copy a running
 * container). Named after the operation, so a retry finds its own snapshot, and the name tells an
 * operator which operation left one behind.
 */
import type { Upid } from "@proximity/proxmox";
import type { Attempt, HostConnection, OperationSettings } from "./context.js";
import { Step } from "./step-names.js";
import { taskStep } from "./steps/task-step.js";

/** `proximity-<purpose>-<first 8 hex of the operation id>` (Proxmox: letters first, ≤ 40 chars). */
export function snapshotName(purpose: "upd" | "cln", operationId: string): string {
  const short = operationId
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 8)
    .toLowerCase();
  return `proximity-${purpose}-${short}`;
}

async function hasSnapshot(connection: HostConnection, node: string, vmid: number, name: string) {
  return (await connection.pve.listSnapshots(node, vmid)).some((s) => s.name === name);
}

/**
 * Takes the snapshot (step `take-snapshot`) unless it exists (a crash after the call, before its
 * UPID was journaled).
 */
export async function takeSnapshot(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  name: string,
): Promise<void> {
  const { node } = a.request;
  await taskStep(
    a,
    connection,
    Step.takeSnapshot,
    `Taking snapshot ${name} of container ${vmid}`,
    async (): Promise<Upid | null> =>
      (await hasSnapshot(connection, node, vmid, name))
        ? null
        : connection.pve.createSnapshot(node, vmid, name, `Proximity operation ${a.request.operationId}`),
  );
}

/** Deletes the snapshot (step `delete-snapshot`) if it is there. */
export async function deleteSnapshot(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  name: string,
): Promise<void> {
  const { node } = a.request;
  await taskStep(a, connection, Step.deleteSnapshot, `Removing snapshot ${name}`, async () =>
    (await hasSnapshot(connection, node, vmid, name))
      ? connection.pve.deleteSnapshot(node, vmid, name)
      : null,
  );
}

/** Cleanup variant (no journal): deletes the snapshot if present and waits for it. */
export async function removeSnapshotIfPresent(
  connection: HostConnection,
  settings: OperationSettings,
  target: { node: string; vmid: number; name: string },
): Promise<boolean> {
  const { node, vmid, name } = target;
  if (!(await hasSnapshot(connection, node, vmid, name))) return false;
  await connection.pve.waitForTask(await connection.pve.deleteSnapshot(node, vmid, name), {
    timeoutMs: settings.taskTimeoutMs,
    intervalMs: settings.taskPollIntervalMs,
  });
  return true;
}
