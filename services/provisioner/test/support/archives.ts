/** Shared steps of the backup tests: requests as the backups service sends them, and the archives on the simulator. */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import type { backupsEventsV1 } from "@proximity/proto";
import type { StorageContentItem } from "@proximity/proxmox";
import { expect } from "vitest";
import type { Harness } from "./harness.js";
import { NODE } from "./harness.js";
import type { DeployedApp } from "./lifecycle.js";

export function backupRequest(
  app: DeployedApp,
  overrides: Partial<backupsEventsV1.BackupRequested> = {},
): backupsEventsV1.BackupRequested {
  return {
    operationId: randomUUID(),
    backupId: randomUUID(),
    appId: app.request.appId,
    hostId: app.request.hostId,
    node: app.request.node,
    vmid: app.vmid,
    mode: "snapshot",
    compression: "zstd",
    storage: "",
    notAfter: undefined,
    ...overrides,
  };
}

/** An archive a test backed up (backUp's result). */
export interface TestBackup {
  readonly request: backupsEventsV1.BackupRequested;
  readonly volid: string;
  readonly storage: string;
}

/** A restore of `backup` onto the app's own container, as the backups service sends it. */
export function restoreRequest(
  app: DeployedApp,
  backup: TestBackup,
  overrides: Partial<backupsEventsV1.RestoreRequested> = {},
): backupsEventsV1.RestoreRequested {
  return {
    operationId: randomUUID(),
    backupId: backup.request.backupId,
    appId: app.request.appId,
    sourceAppId: app.request.appId,
    hostId: app.request.hostId,
    node: app.request.node,
    vmid: app.vmid,
    storage: backup.storage,
    volid: backup.volid,
    newApp: false,
    hostname: "",
    publicPort: 0,
    secretEnvironment: [],
    startAfter: true,
    adopted: false,
    notAfter: undefined,
    ...overrides,
  };
}

/** Backs the app up through the provisioner; returns the request and the archive's volid. */
export async function backUp(
  h: Harness,
  app: DeployedApp,
  overrides: Partial<backupsEventsV1.BackupRequested> = {},
): Promise<TestBackup> {
  const request = backupRequest(app, overrides);
  await h.publishEvent(Events.BackupRequested, request);
  const outcome = await h.outcome(request.operationId, 30_000);
  expect(outcome.type, String(outcome.payload.reason ?? "")).toBe("succeeded");
  const archive = outcome.payload.archive as { volid: string; storage: string };
  return { request, volid: archive.volid, storage: archive.storage };
}

/** The backup archives a storage of the simulated node lists (through the real API). */
export async function archivesOn(h: Harness, storage: string, vmid?: number): Promise<StorageContentItem[]> {
  return h.pve.listStorageContent(NODE, storage, { content: "backup", ...(vmid ? { vmid } : {}) });
}

/** Archives whose notes name the backup. */
export async function archivesOfBackup(h: Harness, storage: string, backupId: string) {
  return (await archivesOn(h, storage)).filter((a) => (a.notes ?? "").includes(backupId));
}

/** Writes `content` to `path` inside the container (as a user of the app would). */
export async function writeInGuest(h: Harness, vmid: number, path: string, content: string): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const res = await h.runInGuest(vmid, `mkdir -p ${dir} && echo ${content} > ${path}`);
  expect(res.code).toBe(0);
}
