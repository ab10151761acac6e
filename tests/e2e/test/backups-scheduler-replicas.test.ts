/**
 * The backup scheduler with two replicas of the backups service on one database and bus, end to
 * end: every due slot of every app runs exactly once — one record, one vzdump, one archive — never
 * twice and never as a "skipped" duplicate. Both replicas tick every 50 ms, so they contend for
 * every due policy and pending backup.
 *
 * Time: a slot is made due by moving next_run_at into the past in the backups service's table (see
 * backups-retention.test.ts); the API computes it from the clock only.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES } from "./support/apps.js";
import {
  ARCHIVE_NAME_RESOLUTION_MS,
  archivesOnNode,
  backupSettled,
  listBackups,
  makePolicyDue,
  policyBody,
  sleep,
  vzdumpTasks,
} from "./support/backups.js";

const APPS = 3;
const ROUNDS = 3;

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: { ...FAST_RETRIES, PROVISIONER_CONCURRENCY: "8" },
    backupsEnv: { BACKUP_SCHEDULER_INTERVAL_MS: "50" },
    backupsReplicas: 2,
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

describe("backups: two scheduler replicas, end to end", () => {
  it(`${APPS} apps due together, ${ROUNDS} rounds: one backup per app and slot`, async () => {
    const apps = await Promise.all(
      Array.from({ length: APPS }, (_, i) => deployRunning(alice, `sched-${i}`)),
    );
    for (const app of apps) {
      const put = await alice.request(
        "PUT",
        `/api/apps/${app.id}/backup-policy`,
        policyBody({ keep_last: 0 }),
      );
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }

    for (let round = 1; round <= ROUNDS; round++) {
      await sleep(ARCHIVE_NAME_RESOLUTION_MS); // a distinct archive name per dump
      const dueAt = new Date(Date.now() - (ROUNDS + 1 - round) * 60_000);
      // The same slot for every app, made due at once (one statement per app, back to back).
      await Promise.all(apps.map((app) => makePolicyDue(platform, app.id, dueAt)));

      for (const app of apps) {
        const scheduled = await eventually(
          async () => {
            const items = (await listBackups(alice, app.id)).filter((b) => b.trigger === "scheduled");
            return items.length >= round ? items : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 100, what: `round ${round} backup of ${app.hostname}` },
        );
        for (const b of scheduled) {
          const done = await backupSettled(alice, app.id, b.id);
          expect(done.status, `${app.hostname}: ${done.error}`).toBe("completed");
        }
      }
      // Let both schedulers tick many more times over the (now past) slot.
      await sleep(1_000);

      for (const app of apps) {
        const records = await listBackups(alice, app.id);
        expect(records, `${app.hostname} after round ${round}`).toHaveLength(round);
        for (const r of records) expect(r).toMatchObject({ trigger: "scheduled", status: "completed" });
        expect(await vzdumpTasks(platform, app.vmid), `vzdump runs of ${app.hostname}`).toBe(round);
        const archives = await archivesOnNode(platform, app.vmid);
        expect(archives.map((a) => a.volid).sort()).toEqual(records.map((r) => r.volid).sort());
        const policy = (await alice.get(`/api/apps/${app.id}/backup-policy`)).body;
        expect(Date.parse(policy.next_run_at)).toBeGreaterThan(Date.now());
      }
    }
  });
});
