/**
 * Deadlines of backups and restores (`not_after`) on the simulator: a request delivered after its
 * deadline fails for good without a vzdump, a stop or a restore, and the container is untouched; one
 * before it works as usual; a task an earlier attempt started before the deadline is still followed
 * to its end (a vzdump's archive is reported, a restore task polled); a new-app restore refused after an earlier attempt leased a VMID gives the lease back.
 * Retries wait about 3 s here (PROVISIONER_BACKOFF_*), so a redelivery can land past a deadline set
 * 1.5 s ahead.
 */
import { Events } from "@proximity/bus";
import { type backupsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import type { FaultMatch } from "@proximity/proxmox-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archivesOfBackup, backUp, backupRequest, restoreRequest } from "./support/archives.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { type DeployedApp, deployApp, tasksOf } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
const BACKUP_TOO_LATE = "The backup was not started before its deadline; nothing was changed";
const RESTORE_TOO_LATE = "The restore was not started before its deadline; nothing was changed";
/** Ahead of now by less than the first retry delay (3 s ± 20 %), more than a first attempt takes. */
const SOON_MS = 1_500;
let h: Harness;
let app: DeployedApp;

beforeAll(async () => {
  h = await startHarness({
    PROVISIONER_MAX_DELIVER: "3",
    PROVISIONER_BACKOFF_BASE_MS: "3000",
    PROVISIONER_BACKOFF_MAX_MS: "3000",
  });
  app = await deployApp(h);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const past = () => new Date(Date.now() - 60_000);
const future = () => new Date(Date.now() + 60 * 60_000);
const container = (vmid: number) => h.sim.containers().find((c) => c.vmid === vmid);

/** Runs `work` while Proxmox answers the first call matching `match` with a 500 (`message`). */
async function failingOnce<T>(match: FaultMatch, message: string, work: () => Promise<T>): Promise<T> {
  const fault = h.sim.addFault({ match, effect: { kind: "http-error", status: 500, message }, times: 1 });
  try {
    return await work();
  } finally {
    h.sim.removeFault(fault);
  }
}

async function backupOutcome(request: backupsEventsV1.BackupRequested) {
  await h.publishEvent(Events.BackupRequested, request);
  return h.outcome(request.operationId, 30_000);
}

async function restoreOutcome(request: backupsEventsV1.RestoreRequested) {
  await h.publishEvent(Events.RestoreRequested, request);
  return h.outcome(request.operationId, 45_000);
}

async function operationRow(operationId: string) {
  return h.db.selectFrom("operations").selectAll().where("id", "=", operationId).executeTakeFirstOrThrow();
}

describe("backup deadline", () => {
  it("deadline - a backup delivered after its deadline fails for good: no vzdump, no archive, container untouched", async () => {
    const request = backupRequest(app, { notAfter: past() });
    const dumps = (await tasksOf(h, NODE, "vzdump", app.vmid)).length;
    const before = container(app.vmid);
    const outcome = await backupOutcome(request);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_BACKUP,
      backupId: request.backupId,
      reason: BACKUP_TOO_LATE,
      attempts: 1,
      containerStatus: "running",
    });
    expect(await tasksOf(h, NODE, "vzdump", app.vmid)).toHaveLength(dumps);
    expect(await archivesOfBackup(h, "local", request.backupId)).toEqual([]);
    expect(container(app.vmid)).toEqual(before);
    // Refused before the step began: no progress claims a backup started.
    const steps = (await h.progressLines(request.operationId)).filter(
      (line) => line.step === "backup-container",
    );
    expect(steps).toEqual([]);
  });

  it("deadline - a backup before its deadline is made as usual", async () => {
    const request = backupRequest(app, { notAfter: future() });
    const outcome = await backupOutcome(request);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(await archivesOfBackup(h, "local", request.backupId)).toHaveLength(1);
  });

  it("deadline - a vzdump an earlier attempt started before the deadline is followed to its end after it: one task, one archive", {
    timeout: 30_000,
  }, async () => {
    const request = backupRequest(app, { notAfter: new Date(Date.now() + SOON_MS) });
    const dumps = (await tasksOf(h, NODE, "vzdump", app.vmid)).length;
    const outcome = await failingOnce(
      { method: "GET", path: ":vzdump:.*/status$" },
      "status unavailable",
      () => backupOutcome(request),
    );
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect((await operationRow(request.operationId)).attempts).toBe(2);
    expect(Date.now()).toBeGreaterThan(request.notAfter!.getTime());
    expect(await tasksOf(h, NODE, "vzdump", app.vmid)).toHaveLength(dumps + 1);
    expect(await archivesOfBackup(h, "local", request.backupId)).toHaveLength(1);
  });
});

describe("restore deadline", () => {
  it("deadline - a restore onto the app delivered after its deadline fails for good: no stop, no restore, container untouched", {
    timeout: 60_000,
  }, async () => {
    const backup = await backUp(h, app);
    const before = container(app.vmid);
    const request = restoreRequest(app, backup, { notAfter: past() });
    const outcome = await restoreOutcome(request);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_RESTORE,
      backupId: backup.request.backupId,
      reason: RESTORE_TOO_LATE,
      attempts: 1,
      containerStatus: "running",
    });
    expect(await tasksOf(h, NODE, "vzstop", app.vmid)).toEqual([]);
    expect(await tasksOf(h, NODE, "vzshutdown", app.vmid)).toEqual([]);
    expect(await tasksOf(h, NODE, "vzrestore", app.vmid)).toEqual([]);
    expect(container(app.vmid)).toEqual(before);
  });

  it("deadline - a restore onto the app before its deadline works", { timeout: 60_000 }, async () => {
    const backup = await backUp(h, app);
    const restores = (await tasksOf(h, NODE, "vzrestore", app.vmid)).length;
    const outcome = await restoreOutcome(restoreRequest(app, backup, { notAfter: future() }));
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({ containerStatus: "running", vmid: app.vmid });
    expect(await tasksOf(h, NODE, "vzrestore", app.vmid)).toHaveLength(restores + 1);
  });

  it("deadline - a restore task an earlier attempt started before the deadline is polled to its end after it", {
    timeout: 60_000,
  }, async () => {
    const other = await deployApp(h);
    const backup = await backUp(h, other);
    const request = restoreRequest(other, backup, { notAfter: new Date(Date.now() + SOON_MS) });
    const outcome = await failingOnce(
      { method: "GET", path: ":vzrestore:.*/status$" },
      "status unavailable",
      () => restoreOutcome(request),
    );
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({ containerStatus: "running", vmid: other.vmid });
    expect((await operationRow(request.operationId)).attempts).toBe(2);
    expect(Date.now()).toBeGreaterThan(request.notAfter!.getTime());
    expect(await tasksOf(h, NODE, "vzrestore", other.vmid)).toHaveLength(1);
  });

  it("deadline - a restore whose earlier attempt stopped the container is not begun after the deadline and says so", {
    timeout: 60_000,
  }, async () => {
    const other = await deployApp(h);
    const backup = await backUp(h, other);
    const request = restoreRequest(other, backup, { notAfter: new Date(Date.now() + SOON_MS) });
    // The restore call fails once: the first attempt has stopped the container by then.
    const outcome = await failingOnce(
      { method: "POST", path: `/nodes/${NODE}/lxc$` },
      "restore call broke",
      () => restoreOutcome(request),
    );
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      reason:
        "The restore was not finished before its deadline and is not retried; the container was left as an earlier attempt left it",
      attempts: 2,
      containerStatus: "stopped",
    });
    expect(await tasksOf(h, NODE, "vzstop", other.vmid)).toHaveLength(1);
    expect(await tasksOf(h, NODE, "vzrestore", other.vmid)).toEqual([]);
  });

  it("deadline - a new-app restore refused after the deadline releases the VMID its earlier attempt leased", {
    timeout: 60_000,
  }, async () => {
    const backup = await backUp(h, app);
    const appId = `restored-${backup.request.backupId.slice(0, 8)}`;
    const request = restoreRequest(app, backup, {
      appId,
      vmid: 0,
      newApp: true,
      hostname: appId,
      publicPort: 30003,
      notAfter: new Date(Date.now() + SOON_MS),
    });
    const outcome = await failingOnce(
      { method: "POST", path: `/nodes/${NODE}/lxc$` },
      "restore call broke",
      () => restoreOutcome(request),
    );
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_RESTORE,
      reason: RESTORE_TOO_LATE,
      attempts: 2,
      containerStatus: "",
    });
    // The first attempt did lease a VMID and reserve it; the cleanup gave both back.
    const op = await operationRow(request.operationId);
    expect(op.vmid).not.toBeNull();
    const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
    const entry = await kv.get(`${HOST_ID}.${op.vmid}`);
    expect(entry === null || entry.operation !== "PUT").toBe(true);
    const rows = await h.db
      .selectFrom("containers")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .execute();
    expect(rows).toEqual([]);
    expect(await tasksOf(h, NODE, "vzrestore", op.vmid!)).toEqual([]);
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toEqual([]);
  });

  it("deadline - a request without a deadline (an older producer) has none", {
    timeout: 60_000,
  }, async () => {
    const backup = await backUp(h, app);
    expect(backup.request.notAfter).toBeUndefined();
    const outcome = await restoreOutcome(restoreRequest(app, backup));
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
  });
});
