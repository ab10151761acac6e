/**
 * DELETE and ADOPT on the simulator: a delete destroys the container and forgets the app
 * (containers row, secrets, lease); a detached delete leaves the container; an adopt records a
 * container without modifying it and refuses one another app owns.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { type applicationsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { type DeployedApp, deployApp } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "2" });
});

afterAll(async () => {
  await h?.close();
});

function deleteRequest(
  app: { appId: string; vmid: number },
  overrides: Partial<applicationsEventsV1.AppDeleteRequested> = {},
): applicationsEventsV1.AppDeleteRequested {
  return {
    operationId: randomUUID(),
    appId: app.appId,
    hostId: HOST_ID,
    node: NODE,
    vmid: app.vmid,
    destroyContainer: true,
    secretEnvironment: ["API_KEY"],
    ...overrides,
  };
}

function adoptRequest(
  vmid: number,
  appId = `adopted-${randomUUID().slice(0, 8)}`,
): applicationsEventsV1.AppAdoptRequested {
  return { operationId: randomUUID(), appId, hostId: HOST_ID, node: NODE, vmid };
}

async function send<T extends { operationId: string }>(
  event: Parameters<Harness["publishEvent"]>[0],
  payload: T,
) {
  await h.publishEvent(event as never, payload as never);
  return h.outcome(payload.operationId, 30_000);
}

async function handMadeContainer(description = "made by hand"): Promise<number> {
  const vmid = (await h.pve.nextId())!;
  await h.pve.waitForTask(
    await h.pve.createContainer(NODE, {
      vmid,
      ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
      hostname: "legacy-wiki",
      cores: 2,
      memory: 1024,
      rootfs: "local-lvm:8",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
      description,
      password: "root-password-of-a-legacy-box",
    }),
  );
  await h.pve.waitForTask(await h.pve.startContainer(NODE, vmid));
  return vmid;
}

const rowsAt = (vmid: number) =>
  h.db.selectFrom("containers").selectAll().where("host_id", "=", HOST_ID).where("vmid", "=", vmid).execute();

describe("delete", () => {
  it("delete - destroys the container and forgets the app: row, secrets and lease gone", async () => {
    const appId = `app-${randomUUID().slice(0, 8)}`;
    h.peers.secrets.set(`apps/${appId}/env/API_KEY`, Buffer.from("k-123456"));
    const app: DeployedApp = await deployApp(h, { appId, hostname: appId, secretEnvironment: ["API_KEY"] });
    expect(h.peers.secrets.has(`apps/${appId}/root-password`)).toBe(true);
    // A lease some operation of this app still holds on the VMID (a crashed worker's).
    const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
    await kv.put(`${HOST_ID}.${app.vmid}`, new TextEncoder().encode(app.request.operationId));

    const outcome = await send(Events.AppDeleteRequested, deleteRequest({ appId, vmid: app.vmid }));
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({ kind: K.OPERATION_KIND_DELETE, containerStatus: "" });
    expect(h.sim.containers().find((c) => c.vmid === app.vmid)).toBeUndefined();
    expect(await rowsAt(app.vmid)).toEqual([]);
    expect(h.peers.secrets.has(`apps/${appId}/root-password`)).toBe(false);
    expect(h.peers.secrets.has(`apps/${appId}/env/API_KEY`)).toBe(false);
    const entry = await kv.get(`${HOST_ID}.${app.vmid}`);
    expect(entry === null || entry.operation !== "PUT").toBe(true);
  });

  it("delete - with no VMID recorded finds the container by the app's mark", async () => {
    const app = await deployApp(h);
    await h.db.deleteFrom("containers").where("vmid", "=", app.vmid).where("host_id", "=", HOST_ID).execute();
    const outcome = await send(
      Events.AppDeleteRequested,
      deleteRequest({ appId: app.request.appId, vmid: 0 }),
    );
    expect(outcome.type).toBe("succeeded");
    expect(h.sim.containers().find((c) => c.vmid === app.vmid)).toBeUndefined();
  });

  it("delete - searching by mark, a configuration that fails to load is read again, never taken for another app's", async () => {
    const app = await deployApp(h);
    await h.db.deleteFrom("containers").where("vmid", "=", app.vmid).where("host_id", "=", HOST_ID).execute();
    // The app's own configuration answers 500 twice (a blip): skipping it would leave the container.
    const fault = h.sim.addFault({
      match: { method: "GET", path: `^/nodes/[^/]+/lxc/${app.vmid}/config$` },
      effect: { kind: "http-error", status: 500, message: "blip" },
      times: 2,
    });
    try {
      const outcome = await send(
        Events.AppDeleteRequested,
        deleteRequest({ appId: app.request.appId, vmid: 0 }),
      );
      expect(outcome.type).toBe("succeeded");
      expect(h.sim.containers().find((c) => c.vmid === app.vmid)).toBeUndefined();
    } finally {
      h.sim.removeFault(fault);
    }
  });

  it("delete - a container already gone counts as deleted", async () => {
    const outcome = await send(Events.AppDeleteRequested, deleteRequest({ appId: "gone-app", vmid: 99_998 }));
    expect(outcome.type).toBe("succeeded");
  });

  it("delete - also destroys another container recorded for the app (a late result), if it carries the app's mark", async () => {
    const app = await deployApp(h);
    const appId = app.request.appId;
    // A second container made for the same app (its deploy finished after the app had moved on).
    const stray = await handMadeContainer(`proximity app=${appId} operation=late-op`);
    const stranger = await handMadeContainer("not ours");
    for (const vmid of [stray, stranger]) {
      await h.db
        .insertInto("containers")
        .values({ host_id: HOST_ID, vmid, node: NODE, app_id: appId, operation_id: `late-${vmid}` })
        .execute();
    }
    const outcome = await send(Events.AppDeleteRequested, deleteRequest({ appId, vmid: app.vmid }));
    expect(outcome.type).toBe("succeeded");
    const vmids = h.sim.containers().map((c) => c.vmid);
    expect(vmids).not.toContain(app.vmid);
    expect(vmids).not.toContain(stray);
    expect(vmids).toContain(stranger);
  });

  it("delete - refuses to destroy a container marked for another app", async () => {
    const app = await deployApp(h);
    const outcome = await send(
      Events.AppDeleteRequested,
      deleteRequest({ appId: "someone-else", vmid: app.vmid }),
    );
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      `Container ${app.vmid} carries another app's mark; it was not destroyed`,
    );
    expect(h.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("running");
  });
});

describe("adopt", () => {
  it("adopt - records the container without modifying it and reports what it found", async () => {
    const vmid = await handMadeContainer();
    const before = { ...(await h.pve.containerConfig(NODE, vmid)) };
    const request = adoptRequest(vmid);
    const outcome = await send(Events.AppAdoptRequested, request);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_ADOPT,
      vmid,
      containerStatus: "running",
      adopted: { hostname: "legacy-wiki", cores: 2, memoryMb: 1024, diskGb: 8 },
    });
    expect(outcome.payload.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const reported = (outcome.payload.adopted as { config: Record<string, string> }).config;
    expect(reported.hostname).toBe("legacy-wiki");
    expect(Object.keys(reported).some((k) => /pass|digest/.test(k))).toBe(false);
    expect(await h.pve.containerConfig(NODE, vmid)).toEqual(before);
    expect(await rowsAt(vmid)).toMatchObject([{ app_id: request.appId, operation_id: request.operationId }]);
  });

  it("adopt - a container another app holds is refused; a second adopt of the same container too", async () => {
    const vmid = await handMadeContainer();
    const first = await send(Events.AppAdoptRequested, adoptRequest(vmid));
    expect(first.type).toBe("succeeded");
    const second = await send(Events.AppAdoptRequested, adoptRequest(vmid));
    expect(second.type).toBe("failed");
    expect(second.payload).toMatchObject({
      attempts: 1,
      reason: `Container ${vmid} is already managed by another app`,
    });
    const app = await deployApp(h);
    const marked = await send(Events.AppAdoptRequested, adoptRequest(app.vmid));
    expect(marked.payload.reason).toBe(`Container ${app.vmid} carries the mark of another Proximity app`);
  });

  it("delete - of an adopted container with destroy_container=false leaves it on the host", async () => {
    const vmid = await handMadeContainer();
    const adopt = adoptRequest(vmid);
    expect((await send(Events.AppAdoptRequested, adopt)).type).toBe("succeeded");
    const outcome = await send(
      Events.AppDeleteRequested,
      deleteRequest({ appId: adopt.appId, vmid }, { destroyContainer: false }),
    );
    expect(outcome.type).toBe("succeeded");
    expect(h.sim.containers().find((c) => c.vmid === vmid)).toMatchObject({
      status: "running",
      description: "made by hand",
    });
    expect(await rowsAt(vmid)).toEqual([]);
  });

  it("delete - an adopted container is destroyed when asked; an unmarked container the app never adopted is not", async () => {
    const adoptedVmid = await handMadeContainer();
    const adopt = adoptRequest(adoptedVmid);
    expect((await send(Events.AppAdoptRequested, adopt)).type).toBe("succeeded");
    const destroyed = await send(
      Events.AppDeleteRequested,
      deleteRequest({ appId: adopt.appId, vmid: adoptedVmid }),
    );
    expect(destroyed.type).toBe("succeeded");
    expect(h.sim.containers().find((c) => c.vmid === adoptedVmid)).toBeUndefined();

    // The app's own container was removed behind Proximity's back and its VMID reused by a stranger.
    const strangerVmid = await handMadeContainer("someone else's database");
    const outcome = await send(
      Events.AppDeleteRequested,
      deleteRequest({ appId: `app-${randomUUID().slice(0, 8)}`, vmid: strangerVmid }),
    );
    expect(outcome.type).toBe("succeeded");
    expect(h.sim.containers().find((c) => c.vmid === strangerVmid)).toMatchObject({
      status: "running",
      description: "someone else's database",
    });
  });
});
