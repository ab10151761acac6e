/**
 * Scheduled backups and retention, end to end on the simulator: each due slot of an app's policy
 * runs one backup, and after each scheduled backup the archives beyond the policy's keep-last are
 * removed from the storage (BackupsPruned), exactly those and never a manual backup.
 *
 * Time: schedules are at least 15 minutes apart and next_run_at is computed from the clock, so a
 * slot is made due by moving next_run_at into the past in the backups service's table (the
 * scheduler treats it as a slot missed while it was down); the scheduler runs every 100 ms here.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES, settled } from "./support/apps.js";
import {
  ARCHIVE_NAME_RESOLUTION_MS,
  archivesBecome,
  archivesOnNode,
  backupCompleted,
  eventsOfType,
  listBackups,
  makePolicyDue,
  nextScheduledBackup,
  policyBody,
  sleep,
} from "./support/backups.js";

const KEEP_LAST = 2;
const SLOTS = 4;

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: { ...FAST_RETRIES },
    backupsEnv: { BACKUP_SCHEDULER_INTERVAL_MS: "100" },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice } = await createUser(platform, admin, "alice"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe("backups: schedule and retention, end to end", () => {
  it(`keep_last ${KEEP_LAST}: each due slot runs once; older scheduled archives are pruned, manual ones kept`, async () => {
    const app = await deployRunning(alice, "ret-app");
    const put = await alice.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ schedule: "0 3 * * *", keep_last: KEEP_LAST }),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ enabled: true, keep_last: KEEP_LAST, last_run_at: null });
    const firstNextRun = Date.parse(put.body.next_run_at);
    expect(firstNextRun).toBeGreaterThan(Date.now());
    // Nothing runs before a slot is due.
    await sleep(500);
    expect(await listBackups(alice, app.id)).toEqual([]);

    // A manual backup, older than every scheduled one: retention never touches it.
    const manual = await backupCompleted(alice, app.id);

    const scheduled: { id: string; volid: string }[] = [];
    const known = new Set<string>([manual.id]);
    for (let slot = 1; slot <= SLOTS; slot++) {
      await sleep(ARCHIVE_NAME_RESOLUTION_MS); // a distinct archive name per dump
      const dueAt = new Date(Date.now() - (SLOTS + 1 - slot) * 60_000);
      await makePolicyDue(platform, app.id, dueAt);
      const backup = await nextScheduledBackup(alice, app.id, known);
      expect(backup.status, backup.error).toBe("completed");
      expect(backup).toMatchObject({ trigger: "scheduled", mode: "snapshot", compression: "zstd" });
      known.add(backup.id);
      scheduled.push({ id: backup.id, volid: backup.volid });

      // The slot is done: the next run is a future slot again, the last run recorded.
      const policy = (await alice.get(`/api/apps/${app.id}/backup-policy`)).body;
      expect(Date.parse(policy.next_run_at)).toBeGreaterThan(Date.now());
      expect(policy.last_run_at).not.toBeNull();

      // Exactly what the policy keeps is on the storage: the manual one and the newest KEEP_LAST.
      const kept = scheduled.slice(-KEEP_LAST);
      await archivesBecome(
        platform,
        app.vmid,
        [manual.volid, ...kept.map((b) => b.volid)],
        `archives after slot ${slot}`,
      );
      // The records follow once the provisioner's delete results reach the backups service.
      const expected = [manual.id, ...kept.map((b) => b.id)].sort();
      const records = await eventually(
        async () => {
          const listed = await listBackups(alice, app.id);
          return JSON.stringify(listed.map((b) => b.id).sort()) === JSON.stringify(expected)
            ? listed
            : undefined;
        },
        { what: `records after slot ${slot}` },
      );
      for (const r of records) expect(r.status).toBe("completed");
    }

    // One backup per slot: nothing ran twice, nothing ran late.
    await sleep(1_000);
    expect((await listBackups(alice, app.id)).filter((b) => b.trigger === "scheduled")).toHaveLength(
      KEEP_LAST,
    );
    const pruned = scheduled.slice(0, SLOTS - KEEP_LAST).map((b) => b.id);
    for (const id of pruned) expect((await alice.get(`/api/apps/${app.id}/backups/${id}`)).status).toBe(404);

    // The pruning was published, naming exactly the pruned backups of this app.
    const events = await eventsOfType(
      platform,
      "BackupsPruned",
      (e) => e.data.appId === app.id,
      "BackupsPruned of the app",
    );
    const prunedIds = events.flatMap((e) =>
      (e.data.backups ?? []).map((b: { backupId: string }) => b.backupId),
    );
    expect(prunedIds.sort()).toEqual([...pruned].sort());
  });

  it("a disabled policy has no next run and runs nothing; enabling it again schedules a future slot", async () => {
    const app = await deployRunning(alice, "ret-off");
    const put = await alice.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ enabled: true, keep_last: 1 }),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await makePolicyDue(platform, app.id, new Date(Date.now() - 60_000));
    const backup = await nextScheduledBackup(alice, app.id, new Set());
    expect(backup.status, backup.error).toBe("completed");
    // Disabled: no next run, and nothing more happens.
    const off = await alice.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ enabled: false }),
    );
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.next_run_at).toBeNull();
    await sleep(1_500);
    expect(await listBackups(alice, app.id)).toHaveLength(1);
    // Enabled again: the next run is a future slot, not the missed ones.
    const on = await alice.request("PUT", `/api/apps/${app.id}/backup-policy`, policyBody({ enabled: true }));
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(Date.parse(on.body.next_run_at)).toBeGreaterThan(Date.now());
    await sleep(1_000);
    expect(await listBackups(alice, app.id)).toHaveLength(1);
  });
  it("a due slot while the app is busy: the scheduled backup is recorded `failed` as skipped (never silent)", async () => {
    const app = await deployRunning(alice, "ret-busy");
    const put = await alice.request("PUT", `/api/apps/${app.id}/backup-policy`, policyBody({ keep_last: 3 }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // A restart that takes a while holds the app when the slot comes.
    const slow = platform.sim.addFault({
      match: { path: `^/nodes/pve1/lxc/${app.vmid}/status/` },
      effect: { kind: "latency", delayMs: 3_000 },
      times: 1,
    });
    let skipped: { id: string; status: string; error: string | null };
    try {
      expect((await alice.post(`/api/apps/${app.id}/action`, { action: "restart" })).status).toBe(202);
      await makePolicyDue(platform, app.id, new Date(Date.now() - 60_000));
      skipped = await nextScheduledBackup(alice, app.id, new Set());
    } finally {
      platform.sim.removeFault(slow);
    }
    expect(skipped.status).toBe("failed");
    expect(skipped.error).toMatch(/skipped/i);
    expect(skipped.error).toMatch(/another operation|restarting/i);
    const failed = await eventsOfType(
      platform,
      "BackupFailed",
      (e) => e.data.backup?.backupId === skipped.id,
    );
    expect(failed[0]!.data.reason).toMatch(/skipped/i);
    expect(await archivesOnNode(platform, app.vmid)).toEqual([]);
    // The app was not disturbed, and the next slot runs normally.
    expect((await settled(alice, app.id)).status).toBe("running");
    await makePolicyDue(platform, app.id, new Date(Date.now() - 30_000));
    const next = await nextScheduledBackup(alice, app.id, new Set([skipped.id]));
    expect(next.status, next.error).toBe("completed");
  });
});
