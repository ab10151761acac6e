/**
 * CLONE on the simulator: a running source is copied from a snapshot to a new VMID chosen by the
 * deploy's placement; the snapshot is always removed; a failed clone leaves nothing behind.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { type applicationsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { type DeployedApp, deployApp } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
const SECRET = `clone-secret-${randomUUID()}`;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "2" });
});

afterAll(async () => {
  await h?.close();
});

async function deployWithSecret(): Promise<DeployedApp> {
  const appId = `app-${randomUUID().slice(0, 8)}`;
  h.peers.secrets.set(`apps/${appId}/env/DB_PASSWORD`, Buffer.from(SECRET));
  return deployApp(h, { appId, hostname: appId, secretEnvironment: ["DB_PASSWORD"], publicPort: 30001 });
}

function cloneRequest(source: DeployedApp): applicationsEventsV1.AppCloneRequested {
  const appId = `clone-${randomUUID().slice(0, 8)}`;
  return {
    operationId: randomUUID(),
    sourceAppId: source.request.appId,
    appId,
    ownerId: "user-2",
    hostId: HOST_ID,
    node: NODE,
    sourceVmid: source.vmid,
    hostname: appId,
    publicPort: 30002,
    secretEnvironment: ["DB_PASSWORD"],
    adopted: false,
  };
}

const snapshotsOf = async (vmid: number) =>
  (await h.pve.listSnapshots(NODE, vmid)).map((s) => s.name).filter((n) => n !== "current");

describe("clone", () => {
  it("clone - copies a running app to a new VMID with its own port and secrets; the source is unchanged", {
    timeout: 60_000,
  }, async () => {
    const source = await deployWithSecret();
    const before = h.sim.containers().find((c) => c.vmid === source.vmid);
    const request = cloneRequest(source);
    const eventId = await h.publishEvent(Events.AppCloneRequested, request);
    await h.publishEvent(Events.AppCloneRequested, request, eventId);
    const outcome = await h.outcome(request.operationId, 45_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    const vmid = outcome.payload.vmid as number;
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_CLONE,
      appId: request.appId,
      containerStatus: "running",
    });
    expect(vmid).not.toBe(source.vmid);
    const clone = h.sim.containers().find((c) => c.vmid === vmid);
    expect(clone).toMatchObject({ hostname: request.hostname, status: "running", tags: "proximity" });
    expect(clone?.description).toBe(`proximity app=${request.appId} operation=${request.operationId}`);
    // One clone, despite the duplicate delivery.
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toHaveLength(1);
    // The clone's files live under its own app id, with its own port and the source's secret.
    const env = h.sim.guestFile(vmid, `/opt/proximity/${request.appId}/.env`)?.content ?? "";
    expect(env).toMatch(/^PROXIMITY_PORT="30002"$/m);
    expect(env).toContain(SECRET);
    expect(h.peers.secrets.get(`apps/${request.appId}/env/DB_PASSWORD`)?.toString()).toBe(SECRET);
    // The source: untouched, still running, no snapshot left.
    expect(h.sim.containers().find((c) => c.vmid === source.vmid)).toEqual(before);
    expect(h.sim.guestFile(source.vmid, `/opt/proximity/${source.request.appId}/.env`)?.content).toMatch(
      /^PROXIMITY_PORT="30001"$/m,
    );
    expect(await snapshotsOf(source.vmid)).toEqual([]);
    const steps = await h.db
      .selectFrom("operation_steps")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .execute();
    expect(steps.find((s) => s.name === "clone-container")?.upid).toMatch(/:vzclone:/);
    const row = await h.db
      .selectFrom("containers")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .executeTakeFirst();
    expect(row).toMatchObject({ app_id: request.appId, vmid });
  });

  for (const fault of [
    {
      what: "the clone task fails",
      spec: { match: { taskType: "vzclone" }, effect: { kind: "task-failure", message: "clone broke" } },
    },
    {
      what: "the clone cannot be started",
      spec: {
        match: { method: "POST", path: "/status/start$" },
        effect: { kind: "http-error", status: 500, message: "start broke" },
      },
    },
  ] as const) {
    it(`clone - when ${fault.what}, nothing is left: no new container, no snapshot, no lease, no copied secret`, {
      timeout: 60_000,
    }, async () => {
      const source = await deployWithSecret();
      const request = cloneRequest(source);
      const id = h.sim.addFault(fault.spec);
      let outcome: Awaited<ReturnType<Harness["outcome"]>>;
      try {
        await h.publishEvent(Events.AppCloneRequested, request);
        outcome = await h.outcome(request.operationId, 45_000);
      } finally {
        h.sim.removeFault(id);
      }
      expect(outcome.type).toBe("failed");
      expect(outcome.payload).toMatchObject({ kind: K.OPERATION_KIND_CLONE, containerStatus: "" });
      expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toEqual([]);
      expect(await snapshotsOf(source.vmid)).toEqual([]);
      expect(h.sim.containers().find((c) => c.vmid === source.vmid)?.status).toBe("running");
      expect(h.peers.secrets.has(`apps/${request.appId}/env/DB_PASSWORD`)).toBe(false);
      expect(h.peers.secrets.has(`apps/${request.appId}/root-password`)).toBe(false);
      const op = await h.db
        .selectFrom("operations")
        .selectAll()
        .where("id", "=", request.operationId)
        .executeTakeFirstOrThrow();
      const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
      if (op.vmid !== null) {
        const entry = await kv.get(`${HOST_ID}.${op.vmid}`);
        expect(entry === null || entry.operation !== "PUT").toBe(true);
      }
      const rows = await h.db
        .selectFrom("containers")
        .selectAll()
        .where("operation_id", "=", request.operationId)
        .execute();
      expect(rows).toEqual([]);
    });
  }
});
