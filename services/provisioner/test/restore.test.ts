/**
 * RESTORE on the simulator: onto the app's own container (data written before the backup is back,
 * data written after it is gone; started again when it ran before), and into a new app (new VMID,
 * hostname, mark, port and secrets of its own; the source untouched; everything undone on failure).
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { type backupsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backUp, restoreRequest, writeInGuest } from "./support/archives.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, type DeployedApp, deployApp, tasksOf } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
const SECRET = `restore-secret-${randomUUID()}`;
const COMPOSE = `services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "\${PROXIMITY_PORT:-8080}:80"\n`;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "2" }, { captureLogs: true });
});

afterAll(async () => {
  await h?.close();
});

async function deployWithSecret(): Promise<DeployedApp> {
  const appId = `app-${randomUUID().slice(0, 8)}`;
  h.peers.secrets.set(`apps/${appId}/env/DB_PASSWORD`, Buffer.from(SECRET));
  return deployApp(h, {
    appId,
    hostname: appId,
    compose: COMPOSE,
    secretEnvironment: ["DB_PASSWORD"],
    publicPort: 30001,
  });
}

function newAppRequest(
  source: DeployedApp,
  backup: Parameters<typeof restoreRequest>[1],
): backupsEventsV1.RestoreRequested {
  const appId = `restored-${randomUUID().slice(0, 8)}`;
  return restoreRequest(source, backup, {
    appId,
    vmid: 0,
    newApp: true,
    hostname: appId,
    publicPort: 30002,
    secretEnvironment: ["DB_PASSWORD"],
  });
}

async function restore(request: backupsEventsV1.RestoreRequested) {
  await h.publishEvent(Events.RestoreRequested, request);
  return h.outcome(request.operationId, 45_000);
}

const fileIn = (vmid: number, path: string) => h.sim.guestFile(vmid, path)?.content;

describe("restore onto the app", () => {
  it("restore - data written before the backup is back, data written after it is gone; the app runs again", {
    timeout: 60_000,
  }, async () => {
    const app = await deployApp(h, { compose: COMPOSE });
    const dir = `/opt/proximity/${app.request.appId}/data`;
    await writeInGuest(h, app.vmid, `${dir}/kept.txt`, "before-backup");
    const backup = await backUp(h, app);
    await writeInGuest(h, app.vmid, `${dir}/kept.txt`, "after-backup");
    await writeInGuest(h, app.vmid, `${dir}/later.txt`, "after-backup");
    const request = restoreRequest(app, backup);
    const eventId = await h.publishEvent(Events.RestoreRequested, request);
    await h.publishEvent(Events.RestoreRequested, request, eventId);
    const outcome = await h.outcome(request.operationId, 45_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_RESTORE,
      appId: app.request.appId,
      backupId: backup.request.backupId,
      vmid: app.vmid,
      containerStatus: "running",
      ipAddress: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
    });
    expect(fileIn(app.vmid, `${dir}/kept.txt`)?.trim()).toBe("before-backup");
    expect(fileIn(app.vmid, `${dir}/later.txt`)).toBeUndefined();
    const ct = h.sim.containers().find((c) => c.vmid === app.vmid);
    expect(ct).toMatchObject({ status: "running", hostname: app.request.hostname, tags: "proximity" });
    expect(ct?.description).toContain(`app=${app.request.appId}`);
    // The root disk stayed on its storage (a restore defaults to `local`, which cannot snapshot).
    expect(String((await h.pve.containerConfig(NODE, app.vmid)).rootfs)).toMatch(/^local-lvm:/);
    // One restore task despite the duplicate delivery; its UPID was journaled.
    expect(await tasksOf(h, NODE, "vzrestore", app.vmid)).toHaveLength(1);
    const ps = await h.runInGuest(
      app.vmid,
      `docker compose -f /opt/proximity/${app.request.appId}/docker-compose.yml ps --format json`,
    );
    expect(ps.stdout).toContain('"State":"running"');
  });

  it("restore - an attempt that stopped while the restore ran resumes polling its journaled task", {
    timeout: 60_000,
  }, async () => {
    const app = await deployApp(h, { compose: COMPOSE });
    const backup = await backUp(h, app);
    const fault = h.sim.addFault({
      match: { method: "GET", path: ":vzrestore:.*/status$" },
      effect: { kind: "http-error", status: 500, message: "status unavailable" },
      times: 1,
    });
    let outcome: Awaited<ReturnType<typeof restore>>;
    const request = restoreRequest(app, backup);
    try {
      outcome = await restore(request);
    } finally {
      h.sim.removeFault(fault);
    }
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect(op.attempts).toBe(2);
    expect(await tasksOf(h, NODE, "vzrestore", app.vmid)).toHaveLength(1);
  });

  it("restore - a stopped app is restored and stays stopped", { timeout: 60_000 }, async () => {
    const app = await deployApp(h, { compose: COMPOSE });
    const backup = await backUp(h, app);
    expect((await act(h, actionRequest(app, Action.APP_ACTION_STOP))).type).toBe("succeeded");
    const outcome = await restore(restoreRequest(app, backup, { startAfter: false }));
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({ containerStatus: "stopped", ipAddress: "" });
    expect(h.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("stopped");
  });

  it("restore - an archive that is gone fails for good before the app is touched", {
    timeout: 60_000,
  }, async () => {
    const app = await deployApp(h, { compose: COMPOSE });
    const backup = await backUp(h, app);
    h.sim.removeVolume(backup.volid, NODE);
    const outcome = await restore(restoreRequest(app, backup));
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_RESTORE,
      backupId: backup.request.backupId,
      reason: "The archive is no longer on its storage",
      attempts: 1,
      containerStatus: "running",
    });
    expect(await tasksOf(h, NODE, "vzstop", app.vmid)).toEqual([]);
  });

  it("restore - a restore task that fails after the old disk was destroyed reports no container", {
    timeout: 60_000,
  }, async () => {
    const app = await deployApp(h, { compose: COMPOSE });
    const backup = await backUp(h, app);
    const fault = h.sim.addFault({
      match: { taskType: "vzrestore" },
      effect: { kind: "task-failure", message: "restore broke" },
    });
    let outcome: Awaited<ReturnType<typeof restore>>;
    try {
      outcome = await restore(restoreRequest(app, backup));
    } finally {
      h.sim.removeFault(fault);
    }
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      reason: "Proxmox reported an error while restoring the archive (2 attempts)",
      containerStatus: "",
      backupId: backup.request.backupId,
    });
    expect(String(outcome.payload.reason)).not.toContain("restore broke");
  });

  it("restore - a container that is not the app's is refused and left untouched", {
    timeout: 60_000,
  }, async () => {
    const app = await deployApp(h, { compose: COMPOSE });
    const backup = await backUp(h, app);
    const other = await deployApp(h, { compose: COMPOSE });
    const outcome = await restore(restoreRequest(app, backup, { vmid: other.vmid }));
    expect(outcome.payload).toMatchObject({
      reason: `Container ${other.vmid} is not this app's; it was left untouched`,
      attempts: 1,
      containerStatus: "running",
    });
    expect(await tasksOf(h, NODE, "vzrestore", other.vmid)).toEqual([]);
  });
});

describe("restore into a new app", () => {
  it("restore - a new app gets its own VMID, hostname, mark, secrets and port; the source is untouched", {
    timeout: 60_000,
  }, async () => {
    const source = await deployWithSecret();
    const data = `/opt/proximity/${source.request.appId}/data/kept.txt`;
    await writeInGuest(h, source.vmid, data, "from-the-source");
    const backup = await backUp(h, source);
    const before = h.sim.containers().find((c) => c.vmid === source.vmid);
    const request = newAppRequest(source, backup);
    const outcome = await restore(request);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_RESTORE,
      appId: request.appId,
      backupId: backup.request.backupId,
      containerStatus: "running",
    });
    const vmid = outcome.payload.vmid as number;
    expect(vmid).not.toBe(source.vmid);
    const ct = h.sim.containers().find((c) => c.vmid === vmid);
    expect(ct).toMatchObject({ hostname: request.hostname, status: "running", tags: "proximity" });
    expect(ct?.description).toBe(`proximity app=${request.appId} operation=${request.operationId}`);
    // The restored data and .env live under the new app's id, with its own port and the secret.
    const dir = `/opt/proximity/${request.appId}`;
    expect(fileIn(vmid, `${dir}/data/kept.txt`)?.trim()).toBe("from-the-source");
    const env = fileIn(vmid, `${dir}/.env`) ?? "";
    expect(env).toMatch(/^PROXIMITY_PORT="30002"$/m);
    expect(env).toContain(SECRET);
    expect(h.sim.guestFile(vmid, `${dir}/.env`)?.mode).toBe(0o600);
    expect(h.peers.secrets.get(`apps/${request.appId}/env/DB_PASSWORD`)?.toString()).toBe(SECRET);
    expect(h.peers.secrets.get(`apps/${request.appId}/root-password`)).toEqual(
      h.peers.secrets.get(`apps/${source.request.appId}/root-password`),
    );
    // No secret value on any command line the node saw, nor in any log line or event.
    expect(JSON.stringify(h.sim.commandLog())).not.toContain(SECRET);
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join("")).not.toContain(SECRET);
    expect(JSON.stringify(await h.events())).not.toContain(SECRET);
    const row = await h.db
      .selectFrom("containers")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .executeTakeFirst();
    expect(row).toMatchObject({ app_id: request.appId, vmid });
    expect(h.sim.containers().find((c) => c.vmid === source.vmid)).toEqual(before);
    expect(fileIn(source.vmid, `/opt/proximity/${source.request.appId}/.env`)).toMatch(
      /^PROXIMITY_PORT="30001"$/m,
    );
  });

  it("restore - a failed restore into a new app leaves nothing: no container, no lease, no copied secret", {
    timeout: 60_000,
  }, async () => {
    const source = await deployWithSecret();
    const backup = await backUp(h, source);
    const request = newAppRequest(source, backup);
    const fault = h.sim.addFault({
      match: { method: "POST", path: "/status/start$" },
      effect: { kind: "http-error", status: 500, message: "start broke" },
    });
    let outcome: Awaited<ReturnType<typeof restore>>;
    try {
      outcome = await restore(request);
    } finally {
      h.sim.removeFault(fault);
    }
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_RESTORE,
      backupId: backup.request.backupId,
      containerStatus: "",
    });
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toEqual([]);
    expect(h.peers.secrets.has(`apps/${request.appId}/env/DB_PASSWORD`)).toBe(false);
    expect(h.peers.secrets.has(`apps/${request.appId}/root-password`)).toBe(false);
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
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
    expect(h.sim.containers().find((c) => c.vmid === source.vmid)?.status).toBe("running");
  });
});
