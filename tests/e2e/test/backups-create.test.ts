/**
 * Taking backups, end to end on the simulator: two concurrent requests give one backup and one 409
 * (exactly one archive on the storage), a backup is `completed` only with the archive its record
 * names really on the storage with its size, a failed vzdump ends `failed` with the reason and
 * leaves the app as it was, and bad parameters are refused at the field.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES, settled } from "./support/apps.js";
import {
  ARCHIVE_NAME_RESOLUTION_MS,
  appLogText,
  archivesOnNode,
  backupCompleted,
  backupSettled,
  eventsOfType,
  policyBody,
  sleep,
} from "./support/backups.js";

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let aliceId: string;
let hostId: string;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: { ...FAST_RETRIES },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  hostId = host.body.id;
  ({ client: alice, id: aliceId } = await createUser(platform, admin, "alice"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe("backups: create, end to end", () => {
  it("two concurrent requests: one 202, one 409; one archive on the storage, recorded as it is there", async () => {
    const app = await deployRunning(alice, "bk-race");
    expect(await archivesOnNode(platform, app.vmid)).toEqual([]);

    const results: HttpResult[] = await Promise.all([
      alice.post(`/api/apps/${app.id}/backups`, {}),
      alice.post(`/api/apps/${app.id}/backups`, {}),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([202, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body.detail).toMatch(/another operation is running/i);
    const accepted = results.find((r) => r.status === 202)!.body;
    expect(accepted).toMatchObject({
      app_id: app.id,
      owner_id: aliceId,
      status: "running",
      trigger: "manual",
      mode: "snapshot",
      compression: "zstd",
      vmid: app.vmid,
      node: "pve1",
      restoring: false,
      restorable: false,
      app_deleted: false,
    });
    expect(accepted.id).toMatch(UUID);

    const backup = await backupSettled(alice, app.id, accepted.id);
    expect(backup.status, backup.error).toBe("completed");
    expect(backup).toMatchObject({ restorable: true, restoring: false, app_deleted: false });
    expect(backup.error || "").toBe("");
    expect(backup.size_bytes).toBeGreaterThan(0);
    expect(backup.completed_at).toEqual(expect.any(String));
    expect(Date.parse(backup.completed_at)).toBeGreaterThanOrEqual(Date.parse(backup.created_at));
    expect(backup.volid).toMatch(
      new RegExp(`^${backup.storage}:backup/vzdump-lxc-${app.vmid}-.+\\.tar\\.zst$`),
    );

    // Exactly one archive, and it is the one the record names, with the recorded size.
    const archives = await archivesOnNode(platform, app.vmid);
    expect(archives.map((a) => a.volid)).toEqual([backup.volid]);
    expect(archives[0]!.size).toBe(backup.size_bytes);
    expect(archives[0]!.notes ?? "").toContain(backup.id);
    // Exactly one record too.
    const list = await alice.get(`/api/apps/${app.id}/backups`);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual([backup.id]);
    // The backup kept the app running and let go of it.
    const after = await alice.get(`/api/apps/${app.id}`);
    expect(after.body).toMatchObject({ status: "running", current_operation: null });
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)).toMatchObject({ status: "running" });
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)?.lock).toBeUndefined();
    const completed = await eventsOfType(
      platform,
      "BackupCompleted",
      (e) => e.data.backup?.backupId === backup.id,
    );
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data.backup).toMatchObject({ appId: app.id, volid: backup.volid });

    // Nothing was left blocking: the next backup runs (its own archive, a second later).
    await sleep(ARCHIVE_NAME_RESOLUTION_MS);
    const second = await backupCompleted(alice, app.id, { mode: "stop", compression: "gzip" });
    expect(second).toMatchObject({ mode: "stop", compression: "gzip" });
    expect(second.volid).toMatch(/\.tar\.gz$/);
    expect(second.volid).not.toBe(backup.volid);
    const both = (await archivesOnNode(platform, app.vmid)).map((a) => a.volid).sort();
    expect(both).toEqual([backup.volid, second.volid].sort());
    // Stop mode restarts the container as vzdump does: the app runs again.
    expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
      status: "running",
      current_operation: null,
    });
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("running");
  });

  it("while a backup runs the app keeps its status, shows the operation, and refuses other actions", async () => {
    const app = await deployRunning(alice, "bk-busy");
    // The vzdump call is slow to answer: the operation stays in flight for a while.
    const slow = platform.sim.addFault({
      match: { method: "POST", path: "^/nodes/pve1/vzdump$" },
      effect: { kind: "latency", delayMs: 2_000 },
      times: 1,
    });
    try {
      const res = await alice.post(`/api/apps/${app.id}/backups`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const during = await alice.get(`/api/apps/${app.id}`);
      expect(during.body).toMatchObject({ status: "running", current_operation: "backup" });
      const stop = await alice.post(`/api/apps/${app.id}/action`, { action: "stop" });
      expect(stop.status, JSON.stringify(stop.body)).toBe(409);
      expect((await alice.post(`/api/apps/${app.id}/clone`, { new_hostname: "bk-busy-copy" })).status).toBe(
        409,
      );
      const backup = await backupSettled(alice, app.id, res.body.id);
      expect(backup.status, backup.error).toBe("completed");
    } finally {
      platform.sim.removeFault(slow);
    }
    // The other way round: while a life-cycle action runs, a backup is refused.
    const slowRestart = platform.sim.addFault({
      match: { path: `^/nodes/pve1/lxc/${app.vmid}/status/` },
      effect: { kind: "latency", delayMs: 1_500 },
      times: 1,
    });
    try {
      expect((await alice.post(`/api/apps/${app.id}/action`, { action: "restart" })).status).toBe(202);
      const refused = await alice.post(`/api/apps/${app.id}/backups`, {});
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      // Refused for the app's in-flight state or its running operation: either reason says why.
      expect(refused.body.detail).toMatch(/restarting|another operation is running/i);
      expect((await settled(alice, app.id)).status).toBe("running");
    } finally {
      platform.sim.removeFault(slowRestart);
    }
    // Only the one backup exists: the refused request left no record.
    expect((await alice.get(`/api/apps/${app.id}/backups`)).body.total).toBe(1);
  });

  it("a vzdump that fails (storage full): `failed` with the reason, no archive, the app as it was, logged", async () => {
    const app = await deployRunning(alice, "bk-full");
    const fault = platform.sim.addFault({ match: { vmid: app.vmid }, effect: { kind: "storage-full" } });
    let failed: Record<string, unknown> & { id: string; error: string };
    try {
      const res = await alice.post(`/api/apps/${app.id}/backups`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      failed = await backupSettled(alice, app.id, res.body.id);
      // In stop mode too: the container, stopped for the dump, runs again after the failure.
      const stopMode = await alice.post(`/api/apps/${app.id}/backups`, { mode: "stop" });
      expect(stopMode.status, JSON.stringify(stopMode.body)).toBe(202);
      const stopFailed = await backupSettled(alice, app.id, stopMode.body.id);
      expect(stopFailed.status).toBe("failed");
      expect(stopFailed.error).toMatch(/full|no space/i);
      expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
        status: "running",
        current_operation: null,
      });
      expect(platform.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("running");
    } finally {
      platform.sim.removeFault(fault);
    }
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/full|no space/i);
    expect(failed.restorable).toBe(false);
    expect(failed.size_bytes || 0).toBe(0);
    expect(failed.volid || "").toBe("");
    expect(await archivesOnNode(platform, app.vmid)).toEqual([]);
    // The app is where it was, free for the next operation.
    expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
      status: "running",
      current_operation: null,
    });
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)).toMatchObject({ status: "running" });
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)?.lock).toBeUndefined();
    // The owner can read why in the app's log, and the failure was published.
    const log = await appLogText(alice, app.id);
    expect(log).toMatch(/backup/i);
    expect(log).toMatch(/full|no space/i);
    const events = await eventsOfType(platform, "BackupFailed", (e) => e.data.backup?.backupId === failed.id);
    expect(events[0]!.data.reason).toMatch(/full|no space/i);
    // A failed vzdump never shows as completed and cannot be restored.
    const restore = await alice.post(`/api/apps/${app.id}/backups/${failed.id}/restore`, {});
    expect(restore.status, JSON.stringify(restore.body)).toBe(409);
    expect(restore.body.detail).toMatch(/only a completed backup/i);
    // With room on the storage again, the next backup works.
    const ok = await backupCompleted(alice, app.id);
    expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid)).toEqual([ok.volid]);
  });

  it("a stopped app is backed up and stays stopped", async () => {
    const app = await deployRunning(alice, "bk-stopped");
    expect((await alice.post(`/api/apps/${app.id}/action`, { action: "stop" })).status).toBe(202);
    expect((await settled(alice, app.id)).status).toBe("stopped");
    const backup = await backupCompleted(alice, app.id, { mode: "snapshot" });
    expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid)).toEqual([backup.volid]);
    expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
      status: "stopped",
      current_operation: null,
    });
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("stopped");
  });

  it("bad parameters: 400 naming the field, nothing started", async () => {
    const app = await deployRunning(alice, "bk-invalid");
    const cases: [Record<string, unknown>, string][] = [
      [{ mode: "hot" }, "mode"],
      [{ compression: "bzip2" }, "compression"],
      [{ storage: "Bad Storage!" }, "storage"],
      [{ storage: "x".repeat(65) }, "storage"],
    ];
    for (const [body, field] of cases) {
      const res = await alice.post(`/api/apps/${app.id}/backups`, body);
      expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.errors, JSON.stringify(res.body)).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
    }
    const policyCases: [Record<string, unknown>, string][] = [
      [{ schedule: "every night" }, "schedule"],
      [{ schedule: "* * * * *" }, "schedule"], // every minute: closer than 15 minutes
      [{ time_zone: "Mars/Olympus_Mons" }, "time_zone"],
      [{ mode: "hot" }, "mode"],
      [{ compression: "bzip2" }, "compression"],
      [{ keep_last: -1 }, "keep_last"],
      [{ keep_daily: 10_001 }, "keep_daily"],
      [{ keep_weekly: 1.5 }, "keep_weekly"],
    ];
    for (const [override, field] of policyCases) {
      const res = await alice.request("PUT", `/api/apps/${app.id}/backup-policy`, policyBody(override));
      expect(res.status, `${JSON.stringify(override)} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.errors, JSON.stringify(res.body)).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
    }
    await sleep(500);
    expect((await alice.get(`/api/apps/${app.id}/backups`)).body.total).toBe(0);
    expect(await archivesOnNode(platform, app.vmid)).toEqual([]);
    // The same requests with good values are accepted (the refusals were about the values).
    const good = await alice.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ schedule: "30 2 * * 1", time_zone: "Europe/Paris", keep_last: 3, keep_daily: 7 }),
    );
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body).toMatchObject({
      app_id: app.id,
      enabled: true,
      schedule: "30 2 * * 1",
      time_zone: "Europe/Paris",
      keep_last: 3,
      keep_daily: 7,
    });
    expect(Date.parse(good.body.next_run_at)).toBeGreaterThan(Date.now());
    const read = await alice.get(`/api/apps/${app.id}/backup-policy`);
    expect(read.body).toMatchObject({
      schedule: "30 2 * * 1",
      keep_last: 3,
      next_run_at: good.body.next_run_at,
    });
    const disabled = await alice.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ enabled: false }),
    );
    expect(disabled.status).toBe(200);
    expect(disabled.body.next_run_at).toBeNull();
    expect((await backupCompleted(alice, app.id, { mode: "suspend", compression: "lzo" })).volid).toMatch(
      /\.tar\.lzo$/,
    );
  });
  it("backup storage: the host's (default local, configurable), or an admin's request's; one that cannot hold backups fails with why", async () => {
    const app = await deployRunning(alice, "bk-storage");
    const onDefault = await backupCompleted(alice, app.id);
    expect(onDefault.storage).toBe("local");
    expect(onDefault.volid).toMatch(/^local:backup\//);

    // An admin points the host's backups at another storage.
    const bad = await admin.request("PUT", `/api/proxmox/hosts/${hostId}`, {
      backup_storage: "Not A Storage",
    });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "backup_storage" })]),
    );
    const set = await admin.request("PUT", `/api/proxmox/hosts/${hostId}`, { backup_storage: "backup" });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.backup_storage).toBe("backup");
    expect((await admin.get(`/api/proxmox/hosts/${hostId}`)).body.backup_storage).toBe("backup");
    try {
      await sleep(ARCHIVE_NAME_RESOLUTION_MS);
      const onHost = await backupCompleted(alice, app.id);
      expect(onHost.storage).toBe("backup");
      expect(onHost.volid).toMatch(/^backup:backup\/vzdump-lxc-/);
      // An admin's request may name the storage itself; a user's may not (the storage is the admins' choice).
      const refused = await alice.post(`/api/apps/${app.id}/backups`, { storage: "local" });
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      await sleep(ARCHIVE_NAME_RESOLUTION_MS);
      const onRequest = await backupCompleted(admin, app.id, { storage: "local" });
      expect(onRequest.storage).toBe("local");
      const volids = (await archivesOnNode(platform, app.vmid)).map((a) => a.volid).sort();
      expect(volids).toEqual([onDefault.volid, onHost.volid, onRequest.volid].sort());

      // Storages that cannot hold backups: the backup fails and says why; nothing is left behind.
      for (const storage of ["local-lvm", "no-such-storage"]) {
        const res = await admin.post(`/api/apps/${app.id}/backups`, { storage });
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        const failed = await backupSettled(alice, app.id, res.body.id);
        expect(failed.status, `${storage}: ${JSON.stringify(failed)}`).toBe("failed");
        expect(failed.error, storage).toMatch(/storage/i);
        expect(failed.restorable).toBe(false);
      }
      expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid).sort()).toEqual(volids);
      // The backup record fails first; the app's operation is released by the failure event after it.
      const released = await eventually(
        async () => {
          const body = (await alice.get(`/api/apps/${app.id}`)).body;
          return body.current_operation === null ? body : undefined;
        },
        { timeoutMs: 15_000, what: "app released by the failed backup" },
      );
      expect(released).toMatchObject({ status: "running", current_operation: null });
    } finally {
      await admin.request("PUT", `/api/proxmox/hosts/${hostId}`, { backup_storage: "local" });
    }
  });
});
