/**
 * Deleting backups and what happens to them when their app is deleted, end to end on the simulator:
 * a deleted backup's archive is gone from the storage; an archive that cannot be removed leaves the
 * backup completed with the reason; an archive removed outside Proximity is reconciled to `missing`
 * (never restorable); an app deleted with `backups=keep` leaves its backups to admins only, still
 * named after the app (host name and catalog item), who can restore them into a new app; with `backups=delete` the archives go with the app.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES, gone, pveApi, settled } from "./support/apps.js";
import {
  ARCHIVE_NAME_RESOLUTION_MS,
  archivesBecome,
  archivesOnNode,
  backupCompleted,
  backupSettled,
  eventsOfType,
  listBackups,
  restoreSettled,
  sleep,
} from "./support/backups.js";
import { writeGuestFile } from "./support/guest-shell.js";

/** The provisioner looks at the hosts (and their backup storages) this often. */
const OBSERVE_INTERVAL_MS = 500;

let platform: Platform;
let admin: GatewayClient;
let adminId: string;
let alice: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: {
      ...FAST_RETRIES,
      OBSERVE_INTERVAL_MS: String(OBSERVE_INTERVAL_MS),
      OBSERVE_BACKUPS_EVERY_ROUNDS: "1",
    },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  adminId = (await admin.login(platform.adminUsername, platform.adminPassword)).id;
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice } = await createUser(platform, admin, "alice"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

/** The storage part of a volid (`local:backup/…` → `local`). */
const storageOf = (volid: string) => volid.slice(0, volid.indexOf(":"));

const contentPath = (volid: string) =>
  `/nodes/pve1/storage/${storageOf(volid)}/content/${encodeURIComponent(volid)}`;

describe("backups: delete and reconcile, end to end", () => {
  it("delete: the archive goes from the storage, then the record; the app is not involved", async () => {
    const app = await deployRunning(alice, "del-one");
    const first = await backupCompleted(alice, app.id);
    await sleep(ARCHIVE_NAME_RESOLUTION_MS);
    const second = await backupCompleted(alice, app.id);

    const res = await alice.delete(`/api/apps/${app.id}/backups/${first.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(["deleting", "deleted"]).toContain(res.body.status);
    expect(res.body.id).toBe(first.id);
    await archivesBecome(platform, app.vmid, [second.volid], "the deleted archive gone, the other kept");
    await eventually(
      async () => (await alice.get(`/api/apps/${app.id}/backups/${first.id}`)).status === 404 || undefined,
      { timeoutMs: 30_000, what: "the deleted backup's record gone" },
    );
    expect((await listBackups(alice, app.id)).map((b) => b.id)).toEqual([second.id]);
    await eventsOfType(platform, "BackupDeleted", (e) => e.data.backup?.backupId === first.id);
    expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
      status: "running",
      current_operation: null,
    });
    // Deleting it again: it does not exist any more.
    expect((await alice.delete(`/api/apps/${app.id}/backups/${first.id}`)).status).toBe(404);
  });

  it("a running backup cannot be deleted; a failed one is removed at once", async () => {
    const app = await deployRunning(alice, "del-states");
    const slow = platform.sim.addFault({
      match: { method: "POST", path: "^/nodes/pve1/vzdump$" },
      effect: { kind: "latency", delayMs: 1_500 },
      times: 1,
    });
    try {
      const res = await alice.post(`/api/apps/${app.id}/backups`, {});
      expect(res.status).toBe(202);
      const del = await alice.delete(`/api/apps/${app.id}/backups/${res.body.id}`);
      expect(del.status, JSON.stringify(del.body)).toBe(409);
      expect(del.body.detail).toMatch(/still running/i);
      expect((await backupSettled(alice, app.id, res.body.id)).status).toBe("completed");
    } finally {
      platform.sim.removeFault(slow);
    }

    const full = platform.sim.addFault({ match: { vmid: app.vmid }, effect: { kind: "storage-full" } });
    let failedId: string;
    try {
      const res = await alice.post(`/api/apps/${app.id}/backups`, {});
      expect(res.status).toBe(202);
      failedId = res.body.id;
      expect((await backupSettled(alice, app.id, failedId)).status).toBe("failed");
    } finally {
      platform.sim.removeFault(full);
    }
    const del = await alice.delete(`/api/apps/${app.id}/backups/${failedId}`);
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    expect(del.body.status).toBe("deleted");
    expect((await alice.get(`/api/apps/${app.id}/backups/${failedId}`)).status).toBe(404);
  });

  it("an archive protected on the storage: the delete fails, the backup stays completed and restorable", async () => {
    const app = await deployRunning(alice, "del-protected");
    const backup = await backupCompleted(alice, app.id);
    const protect = await pveApi(platform, "PUT", contentPath(backup.volid), { protected: 1 });
    expect(protect.status, JSON.stringify(protect.data)).toBe(200);

    const res = await alice.delete(`/api/apps/${app.id}/backups/${backup.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const after = await backupSettled(alice, app.id, backup.id);
    expect(after.status).toBe("completed");
    expect(after.error).toMatch(/protected/i);
    expect(after.restorable).toBe(true);
    expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid)).toEqual([backup.volid]);

    // Unprotected, the delete goes through.
    const unprotect = await pveApi(platform, "PUT", contentPath(backup.volid), { protected: 0 });
    expect(unprotect.status).toBe(200);
    expect((await alice.delete(`/api/apps/${app.id}/backups/${backup.id}`)).status).toBe(202);
    await archivesBecome(platform, app.vmid, [], "the unprotected archive deleted");
  });

  it("an archive removed outside Proximity: `missing`, not restorable (409), and can be cleared", async () => {
    const app = await deployRunning(alice, "del-missing");
    const backup = await backupCompleted(alice, app.id);
    expect(platform.sim.removeVolume(backup.volid)).toBe(true);

    const missing = await eventually(
      async () => {
        const b = (await alice.get(`/api/apps/${app.id}/backups/${backup.id}`)).body;
        return b.status === "missing" ? b : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the backup reconciled to missing" },
    );
    expect(missing.restorable).toBe(false);
    expect(missing.error).toMatch(/no longer on its storage/i);
    await eventsOfType(platform, "BackupMissing", (e) => e.data.backup?.backupId === backup.id);
    const restore = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
    expect(restore.status, JSON.stringify(restore.body)).toBe(409);
    expect(restore.body.detail).toMatch(/no longer on its storage/i);
    const intoNew = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {
      new_hostname: "del-missing-copy",
    });
    expect(intoNew.status, JSON.stringify(intoNew.body)).toBe(409);
    // Nothing happened to the app.
    expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
      status: "running",
      current_operation: null,
    });
    expect((await alice.get("/api/apps?search=del-missing-copy")).body.total).toBe(0);
    // It stays listed as missing (never silently dropped) until its owner deletes the record.
    await sleep(3 * OBSERVE_INTERVAL_MS);
    expect((await listBackups(alice, app.id)).map((b) => [b.id, b.status])).toEqual([[backup.id, "missing"]]);
    const del = await alice.delete(`/api/apps/${app.id}/backups/${backup.id}`);
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    expect(del.body.status).toBe("deleted");
    expect(await listBackups(alice, app.id)).toEqual([]);
  });

  it("app deleted with backups=keep: the owner no longer reaches them, an admin lists and restores them", async () => {
    // A secret setting: deleting the app deletes its secrets, the backup's .env still holds it.
    const token = 'kept "token" $HOME \\ end';
    const app = await deployRunning(alice, "del-keep", "vaultwarden", {
      environment: { ADMIN_TOKEN: token },
    });
    await writeGuestFile(platform, app.vmid, `/opt/proximity/${app.id}/data/notes.txt`, "kept in the backup");
    const backup = await backupCompleted(alice, app.id);
    // The backup names its app: its host name and catalog item.
    expect((await alice.get(`/api/apps/${app.id}/backups/${backup.id}`)).body).toMatchObject({
      app_hostname: "del-keep",
      app_catalog_id: "vaultwarden",
    });

    const res = await alice.delete(`/api/apps/${app.id}?backups=keep`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.backups).toBe("kept");
    await gone(alice, app.id);
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)).toBeUndefined();
    // The archive stays on the storage.
    await sleep(3 * OBSERVE_INTERVAL_MS);
    expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid)).toEqual([backup.volid]);

    // The owner: 404 on the app's backup routes, nothing in the list.
    expect((await alice.get(`/api/apps/${app.id}/backups`)).status).toBe(404);
    expect((await alice.get(`/api/apps/${app.id}/backups/${backup.id}`)).status).toBe(404);
    expect(
      (await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, { new_hostname: "x-copy" }))
        .status,
    ).toBe(404);
    expect((await alice.delete(`/api/apps/${app.id}/backups/${backup.id}`)).status).toBe(404);
    const aliceList = await alice.get(`/api/backups?app_id=${app.id}`);
    if (aliceList.status === 200) expect(aliceList.body).toMatchObject({ items: [], total: 0 });
    else expect(aliceList.status).toBe(404);
    expect((await alice.get("/api/backups")).body.items.map((b: { id: string }) => b.id)).not.toContain(
      backup.id,
    );

    // An admin lists it, marked as a deleted app's, still restorable.
    const adminList = await admin.get(`/api/backups?app_id=${app.id}`);
    expect(adminList.status, JSON.stringify(adminList.body)).toBe(200);
    expect(adminList.body.items).toHaveLength(1);
    expect(adminList.body.items[0]).toMatchObject({
      id: backup.id,
      app_id: app.id,
      status: "completed",
      app_deleted: true,
      restorable: true,
      volid: backup.volid,
    });
    // Still named after its app, which no one can read any more (GET /api/apps/{id} is 404).
    expect((await admin.get(`/api/apps/${app.id}`)).status).toBe(404);
    expect((await admin.get(`/api/apps/${app.id}/backups/${backup.id}`)).body).toMatchObject({
      id: backup.id,
      app_deleted: true,
      app_hostname: "del-keep",
      app_catalog_id: "vaultwarden",
    });
    const deletedAppsBackups = await admin.get("/api/backups?app_deleted=true&per_page=100");
    expect(deletedAppsBackups.body.items.find((b: { id: string }) => b.id === backup.id)).toMatchObject({
      app_hostname: "del-keep",
      app_catalog_id: "vaultwarden",
    });
    // Not onto the deleted app: there is no app to restore onto.
    const onto = await admin.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
    expect([404, 409], JSON.stringify(onto.body)).toContain(onto.status);

    // Into a new app: the admin's, running, with the backup's data.
    const revive = await admin.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {
      new_hostname: "del-keep-revived",
    });
    expect(revive.status, JSON.stringify(revive.body)).toBe(202);
    expect(revive.body.new_app).toBe(true);
    const newId: string = revive.body.app.id;
    const revived = await restoreSettled(admin, app.id, backup.id, newId);
    expect(revived.status, revived.status_message).toBe("running");
    expect(revived).toMatchObject({ hostname: "del-keep-revived", owner_id: adminId });
    expect(revived.vmid).not.toBeNull();
    expect(
      platform.sim.guestFile(revived.vmid, `/opt/proximity/${newId}/data/notes.txt`)?.content.trim(),
    ).toBe("kept in the backup");
    expect((await alice.get(`/api/apps/${newId}`)).status).toBe(404);
    // The admin's list of deleted apps' backups has it; the list of live apps' has it not.
    const ids = async (query: string) =>
      (await admin.get(`/api/backups?${query}&per_page=100`)).body.items.map((b: { id: string }) => b.id);
    expect(await ids("app_deleted=true")).toContain(backup.id);
    expect(await ids("app_deleted=false")).not.toContain(backup.id);

    // The revived app's secret setting is the backup's (stored again, not lost with the source's
    // secrets), so an update renders it back into the .env.
    expect(revived.secrets).toEqual({ ADMIN_TOKEN: "set" });
    const update = await admin.post(`/api/apps/${newId}/action`, { action: "update" });
    expect(update.status, JSON.stringify(update.body)).toBe(202);
    const updated = await settled(admin, newId);
    expect(updated.status, updated.status_message).toBe("running");
    expect(updated.status_message ?? "").not.toMatch(/failed/i);
    const env = platform.sim.guestFile(revived.vmid, `/opt/proximity/${newId}/.env`)?.content ?? "";
    expect(env).toContain(`ADMIN_TOKEN="kept \\"token\\" \\$HOME \\\\ end"`);
  });

  it("app deleted with backups=delete: its archives are removed from the storage", async () => {
    const app = await deployRunning(alice, "del-all");
    const first = await backupCompleted(alice, app.id);
    await sleep(ARCHIVE_NAME_RESOLUTION_MS);
    const second = await backupCompleted(alice, app.id);
    expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid).sort()).toEqual(
      [first.volid, second.volid].sort(),
    );

    const res = await alice.delete(`/api/apps/${app.id}?backups=delete`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.backups).toBe("deleted");
    await gone(alice, app.id);
    await archivesBecome(platform, app.vmid, [], "the deleted app's archives removed");
    await eventually(
      async () => (await admin.get(`/api/backups?app_id=${app.id}`)).body?.total === 0 || undefined,
      { timeoutMs: 30_000, what: "the deleted app's backup records gone" },
    );
  });
});
