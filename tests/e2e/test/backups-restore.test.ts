/**
 * Restores, end to end on the simulator: data written before a backup is there after restoring it,
 * data written after it is gone; the app runs again when it was running and stays stopped when it
 * was stopped; a restore that fails leaves the app in a clear state (error, with the reason in its
 * log) from which another restore brings it back; a restore into a new app gives a new container
 * (VMID, hostname, port) with the backup's data and leaves the source untouched.
 */
import { testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES, gone, settled } from "./support/apps.js";
import {
  appLogText,
  archivesOnNode,
  backupCompleted,
  eventsOfType,
  restoreSettled,
} from "./support/backups.js";
import { writeGuestFile } from "./support/guest-shell.js";

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let aliceId: string;
let bob: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: { ...FAST_RETRIES },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice, id: aliceId } = await createUser(platform, admin, "alice"));
  ({ client: bob } = await createUser(platform, admin, "bob"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

/** Where the tests keep an app's own data inside its container. */
const dataFile = (appId: string, name: string) => `/opt/proximity/${appId}/data/${name}`;

/** Content of a file in the container (trimmed: echo ends lines), undefined when absent. */
function fileIn(vmid: number, path: string): string | undefined {
  return platform.sim.guestFile(vmid, path)?.content.trim();
}

function container(vmid: number) {
  return platform.sim.containers().find((c) => c.vmid === vmid);
}

async function act(client: GatewayClient, appId: string, action: string, expected: string) {
  const res = await client.post(`/api/apps/${appId}/action`, { action });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const app = await settled(client, appId);
  expect(app.status, app.status_message).toBe(expected);
  return app;
}

describe("backups: restore, end to end", () => {
  it("round trip on a running app: the backup's data back, later changes gone, running again", async () => {
    const app = await deployRunning(alice, "rs-running");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "notes.txt"), "written before the backup");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "kept.txt"), "never changed");
    const backup = await backupCompleted(alice, app.id);

    await writeGuestFile(platform, app.vmid, dataFile(app.id, "notes.txt"), "changed after the backup");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "later.txt"), "written after the backup");
    expect(fileIn(app.vmid, dataFile(app.id, "notes.txt"))).toBe("changed after the backup");

    // The restore call is slow to answer, so the operation can be seen in flight.
    const slow = platform.sim.addFault({
      match: { method: "POST", path: "^/nodes/pve1/lxc$" },
      effect: { kind: "latency", delayMs: 1_500 },
      times: 1,
    });
    try {
      const res = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.new_app).toBe(false);
      expect(res.body.backup).toMatchObject({ id: backup.id, restoring: true, restorable: false });
      expect(res.body.app).toMatchObject({ id: app.id, status: "restoring", current_operation: "restore" });
      // One operation at a time: no second restore, no backup, no delete of the archive, no action.
      const again = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
      expect(again.status, JSON.stringify(again.body)).toBe(409);
      expect((await alice.post(`/api/apps/${app.id}/backups`, {})).status).toBe(409);
      const del = await alice.delete(`/api/apps/${app.id}/backups/${backup.id}`);
      expect(del.status, JSON.stringify(del.body)).toBe(409);
      expect(del.body.detail).toMatch(/restore from this backup is running/i);
      expect((await alice.post(`/api/apps/${app.id}/action`, { action: "stop" })).status).toBe(409);
    } finally {
      platform.sim.removeFault(slow);
    }

    const after = await restoreSettled(alice, app.id, backup.id, app.id);
    expect(after.status, after.status_message).toBe("running");
    expect(after).toMatchObject({ id: app.id, vmid: app.vmid, port: app.port, hostname: app.hostname });
    expect(after.current_operation).toBeNull();
    expect(container(app.vmid)).toMatchObject({ status: "running", hostname: app.hostname });
    expect(container(app.vmid)?.lock).toBeUndefined();
    expect(fileIn(app.vmid, dataFile(app.id, "notes.txt"))).toBe("written before the backup");
    expect(fileIn(app.vmid, dataFile(app.id, "kept.txt"))).toBe("never changed");
    expect(fileIn(app.vmid, dataFile(app.id, "later.txt"))).toBeUndefined();
    // The app's own files came back with it (the compose project runs again).
    expect(platform.sim.guestFile(app.vmid, `/opt/proximity/${app.id}/.env`)?.content).toContain(
      `PROXIMITY_PORT="${app.port}"`,
    );

    // The backup is restorable again and still on its storage; the restore is logged and published.
    const b = (await alice.get(`/api/apps/${app.id}/backups/${backup.id}`)).body;
    expect(b).toMatchObject({ status: "completed", restoring: false, restorable: true });
    expect((await archivesOnNode(platform, app.vmid)).map((a) => a.volid)).toEqual([backup.volid]);
    expect(await appLogText(alice, app.id)).toMatch(/restor/i);
    const started = await eventsOfType(
      platform,
      "RestoreStarted",
      (e) => e.data.backup?.backupId === backup.id,
    );
    expect(started[0]!.data).toMatchObject({ targetAppId: app.id });
    expect(started[0]!.data.newApp ?? false).toBe(false);
    await eventsOfType(platform, "RestoreCompleted", (e) => e.data.backup?.backupId === backup.id);
  });

  it("round trip on a stopped app: the backup's data back, and the app stays stopped", async () => {
    const app = await deployRunning(alice, "rs-stopped");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "notes.txt"), "version one");
    await act(alice, app.id, "stop", "stopped");
    const backup = await backupCompleted(alice, app.id);
    expect(container(app.vmid)?.status).toBe("stopped");

    await act(alice, app.id, "start", "running");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "notes.txt"), "version two");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "later.txt"), "later");
    await act(alice, app.id, "stop", "stopped");

    const res = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const after = await restoreSettled(alice, app.id, backup.id, app.id);
    expect(after.status, after.status_message).toBe("stopped");
    expect(container(app.vmid)?.status).toBe("stopped");
    expect(fileIn(app.vmid, dataFile(app.id, "notes.txt"))).toBe("version one");
    expect(fileIn(app.vmid, dataFile(app.id, "later.txt"))).toBeUndefined();
    // It starts normally afterwards.
    await act(alice, app.id, "start", "running");
  });

  it("a restore that fails leaves the app in error with the reason logged; another restore brings it back", async () => {
    const app = await deployRunning(alice, "rs-fail");
    await writeGuestFile(platform, app.vmid, dataFile(app.id, "notes.txt"), "the good data");
    const backup = await backupCompleted(alice, app.id);

    // The restore task fails after the old disks are gone (as on a real node: the CT is gone).
    const fault = platform.sim.addFault({
      match: { taskType: "vzrestore" },
      // Extracting onto the container's root disk runs out of space (the backup storage is fine).
      effect: {
        kind: "task-failure",
        message: "unable to restore CT - write error: No space left on device",
      },
    });
    let failed: { status: string; status_message: string | null };
    try {
      const res = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      failed = await restoreSettled(alice, app.id, backup.id, app.id, 90_000);
    } finally {
      platform.sim.removeFault(fault);
    }
    expect(failed.status).toBe("error");
    // The reason says why, and blames the right storage: not the backup storage, which only read.
    expect(failed.status_message).toMatch(/space|full/i);
    expect(failed.status_message).not.toMatch(/backup storage/i);
    const log = await appLogText(alice, app.id);
    expect(log).toMatch(/restore failed/i);
    expect(log).not.toMatch(/backup storage is full/i);
    const events = await eventsOfType(
      platform,
      "RestoreFailed",
      (e) => e.data.backup?.backupId === backup.id,
    );
    expect(events[0]!.data.reason).toMatch(/space|full/i);
    expect(events[0]!.data.reason).not.toMatch(/backup storage/i);
    // The archive is untouched and restorable again.
    const b = (await alice.get(`/api/apps/${app.id}/backups/${backup.id}`)).body;
    expect(b).toMatchObject({ status: "completed", restoring: false, restorable: true });

    // From error, a restore brings the app back with the backup's data.
    const retry = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const back = await restoreSettled(alice, app.id, backup.id, app.id);
    expect(back.status, back.status_message).toBe("running");
    expect(container(app.vmid)?.status).toBe("running");
    expect(fileIn(app.vmid, dataFile(app.id, "notes.txt"))).toBe("the good data");
  });

  it("restore into a new app: new VMID, hostname and port, the backup's data; the source untouched", async () => {
    const source = await deployRunning(alice, "rs-source");
    await writeGuestFile(platform, source.vmid, dataFile(source.id, "notes.txt"), "at backup time");
    const backup = await backupCompleted(alice, source.id);
    await writeGuestFile(platform, source.vmid, dataFile(source.id, "notes.txt"), "the source moved on");
    const containersBefore = platform.sim.containers().length;

    // Another user cannot, and the hostname rules are those of a deploy.
    expect(
      (await bob.post(`/api/apps/${source.id}/backups/${backup.id}/restore`, { new_hostname: "bob-copy" }))
        .status,
    ).toBe(404);
    const bad = await alice.post(`/api/apps/${source.id}/backups/${backup.id}/restore`, {
      new_hostname: "Not A Hostname",
    });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "new_hostname" })]),
    );
    const taken = await alice.post(`/api/apps/${source.id}/backups/${backup.id}/restore`, {
      new_hostname: source.hostname,
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(409);

    const res = await alice.post(`/api/apps/${source.id}/backups/${backup.id}/restore`, {
      new_hostname: "rs-restored",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.new_app).toBe(true);
    expect(res.body.app).toMatchObject({ hostname: "rs-restored", owner_id: aliceId, status: "restoring" });
    expect(res.body.app.id).not.toBe(source.id);
    const newId: string = res.body.app.id;

    const copy = await restoreSettled(alice, source.id, backup.id, newId);
    expect(copy.status, copy.status_message).toBe("running");
    expect(copy.catalog_id).toBe(source.catalog_id);
    expect(copy.vmid).not.toBe(source.vmid);
    expect(copy.port).not.toBe(source.port);
    expect(copy.access_url).toBe(`http://${copy.ip_address}:${copy.port}`);
    expect(platform.sim.containers()).toHaveLength(containersBefore + 1);
    expect(container(copy.vmid)).toMatchObject({ hostname: "rs-restored", status: "running" });
    // The backup's data, where the new app's later operations look for it, with its own port.
    expect(fileIn(copy.vmid, dataFile(newId, "notes.txt"))).toBe("at backup time");
    expect(platform.sim.guestFile(copy.vmid, `/opt/proximity/${newId}/.env`)?.content).toContain(
      `PROXIMITY_PORT="${copy.port}"`,
    );
    // Alice sees both apps; the new one is hers alone.
    expect((await bob.get(`/api/apps/${newId}`)).status).toBe(404);
    const list = (await alice.get("/api/apps")).body.items.map((a: { id: string }) => a.id);
    expect(list).toEqual(expect.arrayContaining([source.id, newId]));

    // The source is untouched: same container, still running, its later data still there.
    const src = (await alice.get(`/api/apps/${source.id}`)).body;
    expect(src).toMatchObject({
      status: "running",
      vmid: source.vmid,
      port: source.port,
      current_operation: null,
    });
    expect(container(source.vmid)).toMatchObject({ hostname: source.hostname, status: "running" });
    expect(fileIn(source.vmid, dataFile(source.id, "notes.txt"))).toBe("the source moved on");
    expect(await archivesOnNode(platform, copy.vmid)).toEqual([]);
    expect((await archivesOnNode(platform, source.vmid)).map((a) => a.volid)).toEqual([backup.volid]);
    const done = await eventsOfType(
      platform,
      "RestoreCompleted",
      (e) => e.data.backup?.backupId === backup.id,
    );
    expect(done[0]!.data).toMatchObject({ targetAppId: newId, newApp: true });

    // The new app lives its own life: it stops and is deleted without touching the source.
    await act(alice, newId, "stop", "stopped");
    expect((await alice.delete(`/api/apps/${newId}`)).status).toBe(202);
    await gone(alice, newId);
    expect(container(copy.vmid)).toBeUndefined();
    expect(container(source.vmid)?.status).toBe("running");
  });
});
