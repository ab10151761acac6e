/**
 * BACKUP and DELETE_BACKUP on the simulator: the archive is found by the backup id in its notes and
 * reported only when the storage lists it with a size; a retry never makes a second archive; a
 * full storage fails at once with our own sentence; archives are removed (gone = done, protected =
 * failed). Observations: backup-observations.test.ts.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { type backupsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archivesOfBackup, archivesOn, backUp, backupRequest } from "./support/archives.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { type DeployedApp, deployApp, tasksOf } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
let h: Harness;
let app: DeployedApp;

beforeAll(async () => {
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "3" });
  app = await deployApp(h);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function deleteRequest(backup: {
  request: backupsEventsV1.BackupRequested;
  volid: string;
  storage: string;
}): backupsEventsV1.BackupDeleteRequested {
  return {
    operationId: randomUUID(),
    backupId: backup.request.backupId,
    appId: backup.request.appId,
    hostId: HOST_ID,
    node: NODE,
    storage: backup.storage,
    volid: backup.volid,
  };
}

async function imgdelTasks(): Promise<unknown[]> {
  const tasks = (await h.api(`/nodes/${NODE}/tasks?limit=1000`)) as { type: string }[];
  return tasks.filter((t) => t.type === "imgdel");
}

async function operationRow(operationId: string) {
  return h.db.selectFrom("operations").selectAll().where("id", "=", operationId).executeTakeFirstOrThrow();
}

describe("backup", () => {
  it("backup - writes an archive with the backup id in its notes and reports it with its size", async () => {
    const request = backupRequest(app);
    await h.publishEvent(Events.BackupRequested, request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_BACKUP,
      appId: app.request.appId,
      backupId: request.backupId,
      vmid: app.vmid,
      containerStatus: "running",
    });
    const archive = outcome.payload.archive as provisionerEventsV1.BackupArchive;
    // The host's backup storage (`local`), since the request names none.
    expect(archive.storage).toBe("local");
    expect(archive.volid).toMatch(new RegExp(`^local:backup/vzdump-lxc-${app.vmid}-[\\d_-]+\\.tar\\.zst$`));
    const listed = await archivesOfBackup(h, "local", request.backupId);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ volid: archive.volid, notes: `Proximity backup ${request.backupId}` });
    expect(archive.sizeBytes).toBe(listed[0]!.size);
    expect(archive.sizeBytes).toBeGreaterThan(0);
    expect(archive.createdAt?.getTime()).toBe(listed[0]!.ctime! * 1000);
    expect(h.sim.containers().find((c) => c.vmid === app.vmid)).toMatchObject({ status: "running" });
  });

  it("backup - goes to the requested storage, else the host's configured one", async () => {
    const requested = await backUp(h, app, { storage: "backup", compression: "gzip", mode: "suspend" });
    expect(requested.volid).toMatch(/^backup:backup\/vzdump-lxc-\d+-.*\.tar\.gz$/);
    const host = h.peers.hosts.get(HOST_ID)!;
    await h.changeHost(HOST_ID, { ...host, host: { ...host.host!, backupStorage: "backup" } });
    try {
      const configured = await backUp(h, app);
      expect(configured.storage).toBe("backup");
      expect(await archivesOfBackup(h, "backup", configured.request.backupId)).toHaveLength(1);
    } finally {
      await h.changeHost(HOST_ID, host);
    }
  });

  it("backup - a stop-mode backup reports the container running again, as vzdump leaves it", async () => {
    const backup = await backUp(h, app, { mode: "stop" });
    const outcome = await h.outcome(backup.request.operationId);
    expect(outcome.payload.containerStatus).toBe("running");
  });

  it("backup - an archive already made for the backup id (vzdump ended, the attempt did not) is used, not made again", async () => {
    const request = backupRequest(app);
    // What an earlier attempt left: its vzdump ran to the end, nothing was journaled.
    await h.pve.waitForTask(
      await h.pve.vzdump(NODE, {
        vmid: app.vmid,
        storage: "local",
        compress: "zstd",
        notesTemplate: `Proximity backup ${request.backupId}`,
      }),
    );
    const [before] = await archivesOfBackup(h, "local", request.backupId);
    const dumps = (await tasksOf(h, NODE, "vzdump", app.vmid)).length;
    await h.publishEvent(Events.BackupRequested, request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect((outcome.payload.archive as { volid: string }).volid).toBe(before!.volid);
    expect(await archivesOfBackup(h, "local", request.backupId)).toHaveLength(1);
    expect(await tasksOf(h, NODE, "vzdump", app.vmid)).toHaveLength(dumps);
  });

  it("backup - an attempt that stopped while the vzdump ran resumes polling its journaled task: one task, one archive", async () => {
    const request = backupRequest(app);
    const dumps = (await tasksOf(h, NODE, "vzdump", app.vmid)).length;
    const fault = h.sim.addFault({
      match: { method: "GET", path: ":vzdump:.*/status$" },
      effect: { kind: "http-error", status: 500, message: "status unavailable" },
      times: 1,
    });
    try {
      await h.publishEvent(Events.BackupRequested, request);
      const outcome = await h.outcome(request.operationId, 30_000);
      expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    } finally {
      h.sim.removeFault(fault);
    }
    expect((await operationRow(request.operationId)).attempts).toBe(2);
    expect(await tasksOf(h, NODE, "vzdump", app.vmid)).toHaveLength(dumps + 1);
    expect(await archivesOfBackup(h, "local", request.backupId)).toHaveLength(1);
  });

  it("backup - a full storage fails at once with a safe reason and leaves no archive", async () => {
    const request = backupRequest(app);
    const fault = h.sim.addFault({
      match: { storage: "local", vmid: app.vmid },
      effect: { kind: "storage-full" },
    });
    try {
      await h.publishEvent(Events.BackupRequested, request);
      const outcome = await h.outcome(request.operationId, 30_000);
      expect(outcome.type).toBe("failed");
      expect(outcome.payload).toMatchObject({
        kind: K.OPERATION_KIND_BACKUP,
        backupId: request.backupId,
        reason: "The backup storage is full",
        attempts: 1,
        containerStatus: "running",
      });
      expect(String(outcome.payload.reason)).not.toMatch(/vzdump|exit code|zstd/);
    } finally {
      h.sim.removeFault(fault);
    }
    expect(await archivesOfBackup(h, "local", request.backupId)).toEqual([]);
  });

  it("backup - a storage that cannot hold backups, bad settings and a foreign container fail for good", async () => {
    const cases: [Partial<backupsEventsV1.BackupRequested>, string][] = [
      [{ storage: "local-lvm" }, "The storage local-lvm cannot hold backups on this node"],
      [{ mode: "hot" }, "The backup request is invalid: the mode must be snapshot, suspend or stop"],
      [{ storage: "Bad Storage" }, "The backup request is invalid: the storage is not a Proxmox storage id"],
    ];
    for (const [overrides, reason] of cases) {
      const request = backupRequest(app, overrides);
      await h.publishEvent(Events.BackupRequested, request);
      const outcome = await h.outcome(request.operationId, 30_000);
      expect(outcome.payload).toMatchObject({ reason, attempts: 1, backupId: request.backupId });
    }
    const other = backupRequest(app, { appId: `other-${randomUUID().slice(0, 8)}` });
    await h.publishEvent(Events.BackupRequested, other);
    const outcome = await h.outcome(other.operationId, 30_000);
    expect(outcome.payload.reason).toBe(`Container ${app.vmid} is not this app's; it was left untouched`);
  });
});

describe("delete backup", () => {
  it("delete-backup - removes the archive from its storage", async () => {
    const backup = await backUp(h, app);
    const request = deleteRequest(backup);
    const removals = (await imgdelTasks()).length;
    await h.publishEvent(Events.BackupDeleteRequested, request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_DELETE_BACKUP,
      backupId: backup.request.backupId,
      containerStatus: "",
      vmid: 0,
    });
    expect((await archivesOn(h, "local")).map((a) => a.volid)).not.toContain(backup.volid);
    // Through Proxmox's own removal task (journaled like every task).
    expect(await imgdelTasks()).toHaveLength(removals + 1);
    const step = await h.db
      .selectFrom("operation_steps")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .where("name", "=", "delete-archive")
      .executeTakeFirstOrThrow();
    expect(step).toMatchObject({ status: "done", upid: expect.stringMatching(/:imgdel:/) });
  });

  it("delete-backup - an archive already gone is success", async () => {
    const backup = await backUp(h, app);
    expect(h.sim.removeVolume(backup.volid, NODE)).toBe(true);
    const request = deleteRequest(backup);
    await h.publishEvent(Events.BackupDeleteRequested, request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload.message).toBe(`archive ${backup.volid} was already gone`);
  });

  it("delete-backup - a protected archive fails for good and stays", async () => {
    const backup = await backUp(h, app);
    await h.pve.updateStorageContent(NODE, backup.storage, backup.volid, { protected: true });
    const request = deleteRequest(backup);
    await h.publishEvent(Events.BackupDeleteRequested, request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_DELETE_BACKUP,
      backupId: backup.request.backupId,
      reason: "The archive is protected on the storage",
      attempts: 1,
    });
    expect((await archivesOn(h, "local")).map((a) => a.volid)).toContain(backup.volid);
  });

  it("delete-backup - a volume id outside its storage is refused before any call", async () => {
    const backup = await backUp(h, app);
    const request = { ...deleteRequest(backup), storage: "backup" };
    await h.publishEvent(Events.BackupDeleteRequested, request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.payload.reason).toBe(
      "The delete request is invalid: the archive is not a backup volume of its storage",
    );
    expect((await archivesOn(h, "local")).map((a) => a.volid)).toContain(backup.volid);
  });
});
