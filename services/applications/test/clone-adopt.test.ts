import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "@proximity/errors";
import { applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { lifeCycle } from "./support/life-cycle.js";
import { outboxEvents } from "./support/outbox.js";

const { OperationKind: Kind } = provisionerEventsV1;

describe("clone, adopt, discovery, logs", () => {
  let t: Harness;
  let lc: ReturnType<typeof lifeCycle>;
  const alice = newUser();
  const bob = newUser();
  const admin = newUser(true);

  beforeAll(async () => {
    t = await startHarness();
    lc = lifeCycle(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it("CloneApp - the source keeps running but is locked; the clone is the caller's, with its own port", async () => {
    const source = await lc.running(alice, "clone-src");
    const { app: clone } = await t.gateway.cloneApp(
      { appId: source.id, newHostname: "clone-dst" },
      as(admin),
    );
    expect(clone).toMatchObject({
      ownerId: admin.id,
      hostname: "clone-dst",
      catalogId: source.catalog_id,
      hostId: source.host_id,
      node: source.node,
      status: applicationsV1.AppStatus.APP_STATUS_CLONING,
      currentOperation: "clone",
    });
    expect(clone?.port).not.toBe(source.public_port);
    const locked = await lc.row(source.id);
    expect(locked).toMatchObject({ status: "running", current_operation: "clone" });
    const err = await t.gateway
      .requestAppAction({ appId: source.id, action: "stop" }, as(alice))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe("Another operation is running: clone");
    await expect(
      t.gateway.deleteApp({ appId: source.id, destroyContainer: false, deleteBackups: false }, as(alice)),
    ).rejects.toBeInstanceOf(ConflictError);
    // Both logs say so: the clone's first line and the source's.
    const requested = "Clone of clone-src into clone-dst requested";
    const lines = await t.db
      .selectFrom("deployment_logs")
      .select(["app_id", "step", "message"])
      .where("app_id", "in", [clone!.id, source.id])
      .where("message", "=", requested)
      .orderBy("id")
      .execute();
    expect(lines).toEqual([
      { app_id: clone!.id, step: "requested", message: requested },
      { app_id: source.id, step: "clone-requested", message: requested },
    ]);
    const request = (await outboxEvents(t.db, clone!.id)).find((e) => e.name === "AppCloneRequested");
    expect(request?.payload).toMatchObject({
      sourceAppId: source.id,
      sourceVmid: source.vmid,
      publicPort: clone?.port,
      ownerId: admin.id,
    });

    await lc.succeed(clone!.id, {
      kind: Kind.OPERATION_KIND_CLONE,
      vmid: 777,
      ipAddress: "10.9.0.7",
      containerStatus: "running",
    });
    const done = await lc.waitFor(clone!.id, "running");
    expect(done.vmid).toBe(777);
    expect(await lc.row(source.id)).toMatchObject({ status: "running", current_operation_id: null });
    const cloned = (await outboxEvents(t.db, clone!.id)).find((e) => e.name === "AppCloned");
    expect(cloned?.payload.sourceAppId).toBe(source.id);
    const { app } = await t.gateway.getApp({ id: clone!.id }, as(admin));
    expect(app?.accessUrl).toBe(`http://10.9.0.7:${clone?.port}`);
    // Now the source is free again.
    await t.gateway.requestAppAction({ appId: source.id, action: "stop" }, as(alice));
  });

  it("CloneApp - racing a stop on the source: the database lets exactly one of them through", async () => {
    for (let round = 0; round < 3; round++) {
      const source = await lc.running(alice, `clone-race-${round}`);
      const results = await Promise.allSettled([
        t.gateway.cloneApp({ appId: source.id, newHostname: `clone-race-copy-${round}` }, as(alice)),
        t.gateway.requestAppAction({ appId: source.id, action: "stop" }, as(alice)),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(lost?.reason).toBeInstanceOf(ConflictError);
      const running = await t.db
        .selectFrom("app_operations")
        .select("kind")
        .where((eb) => eb.or([eb("app_id", "=", source.id), eb("source_app_id", "=", source.id)]))
        .where("status", "=", "running")
        .execute();
      expect(running).toHaveLength(1);
    }
  });

  it("CloneApp - a failed clone leaves the source unlocked and the clone in error without its port", async () => {
    const source = await lc.running(alice, "clone-src-2");
    const { app: clone } = await t.gateway.cloneApp(
      { appId: source.id, newHostname: "clone-bad" },
      as(alice),
    );
    await lc.fail(clone!.id, { kind: Kind.OPERATION_KIND_CLONE, reason: "storage full" });
    expect(await lc.waitFor(clone!.id, "error")).toMatchObject({
      public_port: null,
      status_message: "storage full",
    });
    expect(await lc.row(source.id)).toMatchObject({ status: "running", current_operation_id: null });
    expect(
      await t.db.selectFrom("port_allocations").select("port").where("app_id", "=", clone!.id).execute(),
    ).toEqual([]);
    // A retry would redeploy a blank app under the clone's name: refused, and nothing changes.
    await expect(
      t.gateway.requestAppAction({ appId: clone!.id, action: "retry" }, as(alice)),
    ).rejects.toThrow("Cannot retry a failed clone: delete it and clone the source app again");
    expect(await lc.row(clone!.id)).toMatchObject({ status: "error", current_operation_id: null });
    await t.gateway.deleteApp({ appId: clone!.id, destroyContainer: false, deleteBackups: false }, as(alice));
    expect((await lc.row(clone!.id)).status).toBe("removing");
  });

  it("CloneApp - another user's app is NotFound; a taken hostname is AlreadyExists and locks nothing", async () => {
    const source = await lc.running(alice, "clone-src-3");
    await expect(
      t.gateway.cloneApp({ appId: source.id, newHostname: "nope" }, as(bob)),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      t.gateway.cloneApp({ appId: source.id, newHostname: "clone-src" }, as(alice)),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(
      t.gateway.cloneApp({ appId: source.id, newHostname: "Bad_Name" }, as(alice)),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await lc.row(source.id)).current_operation_id).toBeNull();
  });

  it("DiscoverContainers - admins see the host's containers that are neither apps nor marked", async () => {
    const app = await lc.running(alice, "discover-app");
    t.provisioner.containers.set("host-a", [
      provisionerV1Container({ vmid: app.vmid!, name: "discover-app" }),
      provisionerV1Container({
        vmid: 901,
        name: "marked",
        proximityAppId: "00000000-0000-4000-8000-000000000001",
      }),
      provisionerV1Container({ vmid: 902, name: "Legacy-DB", status: "stopped" }),
    ]);
    const { items } = await t.gateway.discoverContainers({ hostId: "host-a" }, as(admin));
    expect(items.map((c) => [c.vmid, c.name, c.status])).toEqual([[902, "Legacy-DB", "stopped"]]);
    await expect(t.gateway.discoverContainers({ hostId: "host-a" }, as(alice))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("AdoptApp - two concurrent adoptions of one container: one wins, one 409; success records the config", async () => {
    t.provisioner.containers.set("host-b", [
      provisionerV1Container({ node: "pve1", vmid: 950, name: "wiki" }),
    ]);
    const adopt = () =>
      t.gateway.adoptApp(
        {
          hostId: "host-b",
          node: "pve1",
          vmid: 950,
          catalogId: "",
          hostname: "",
          ownerId: alice.id,
          port: 8080,
        },
        as(admin),
      );
    const results = await Promise.allSettled([adopt(), adopt()]);
    const won = results
      .filter((r) => r.status === "fulfilled")
      .map((r) => (r as PromiseFulfilledResult<{ app?: applicationsV1.App }>).value.app!);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(AlreadyExistsError);
    const app = won[0]!;
    // The container's discovered name, the owner given, no pool port: its own port is used.
    expect(app).toMatchObject({ hostname: "wiki", ownerId: alice.id, adopted: true, vmid: 950, port: 8080 });
    expect(
      await t.db.selectFrom("port_allocations").select("port").where("app_id", "=", app.id).execute(),
    ).toEqual([]);
    expect((await outboxEvents(t.db, app.id)).map((e) => e.name)).toEqual(["AppAdoptRequested"]);

    await lc.succeed(app.id, {
      kind: Kind.OPERATION_KIND_ADOPT,
      vmid: 950,
      ipAddress: "10.2.0.50",
      containerStatus: "stopped",
      adopted: {
        hostname: "wiki",
        cores: 2,
        memoryMb: 512,
        diskGb: 8,
        ostype: "debian",
        config: { cores: "2", hostname: "wiki" },
      },
    });
    const adopted = await lc.waitFor(app.id, "stopped");
    expect(adopted.adopted_config).toEqual({ cores: "2", hostname: "wiki" });
    expect((await outboxEvents(t.db, app.id)).map((e) => e.name)).toContain("AppAdopted");
    // A stopped app has no URL to give; its own port is used once it runs.
    const { app: shown } = await t.gateway.getApp({ id: app.id }, as(alice));
    expect(shown?.accessUrl).toBe("");
    await t.db.updateTable("apps").set({ status: "running" }).where("id", "=", app.id).execute();
    const { app: running } = await t.gateway.getApp({ id: app.id }, as(alice));
    expect(running?.accessUrl).toBe("http://10.2.0.50:8080");
  });

  it("AdoptApp - a refused adoption forgets the container: no power action can reach it", async () => {
    t.provisioner.containers.set("host-d", [
      provisionerV1Container({ node: "pve1", vmid: 960, name: "taken" }),
    ]);
    const { app } = await t.gateway.adoptApp(
      { hostId: "host-d", node: "pve1", vmid: 960, catalogId: "", hostname: "", ownerId: alice.id, port: 0 },
      as(admin),
    );
    await lc.fail(app!.id, {
      kind: Kind.OPERATION_KIND_ADOPT,
      reason: "Container 960 carries the mark of another Proximity app",
    });
    expect(await lc.waitFor(app!.id, "error")).toMatchObject({ vmid: null });
    // Its AppOperationFailed names no container either.
    const failed = (await outboxEvents(t.db, app!.id)).filter((e) => e.name === "AppOperationFailed");
    expect(failed.map((e) => e.payload.app)).toEqual([expect.objectContaining({ appId: app!.id, vmid: 0 })]);
    await expect(t.gateway.requestAppAction({ appId: app!.id, action: "stop" }, as(alice))).rejects.toThrow(
      "Cannot stop the app: it is in error; delete the app",
    );
  });

  it("AdoptApp - admins only; defaults to ct-<vmid> and the caller; validates its input", async () => {
    const base = {
      hostId: "host-c",
      node: "pve1",
      vmid: 960,
      catalogId: "",
      hostname: "",
      ownerId: "",
      port: 0,
    };
    await expect(t.gateway.adoptApp(base, as(alice))).rejects.toBeInstanceOf(PermissionDeniedError);
    const { app } = await t.gateway.adoptApp(base, as(admin));
    expect(app).toMatchObject({
      hostname: "ct-960",
      ownerId: admin.id,
      status: applicationsV1.AppStatus.APP_STATUS_ADOPTING,
    });
    const err = await t.gateway
      .adoptApp({ ...base, vmid: 5, catalogId: "no-such", node: "" }, as(admin))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.map((f) => f.field).sort()).toEqual([
      "catalog_id",
      "node",
      "vmid",
    ]);
  });

  it("ListAppLogs - pages forward with after_id and back with before_id, and reports the app's status", async () => {
    const app = await lc.deploy(alice, "log-pages");
    await t.db
      .insertInto("deployment_logs")
      .values(
        Array.from({ length: 6 }, (_, i) => ({
          app_id: app.id,
          level: "info" as const,
          step: "s",
          message: `line ${i}`,
        })),
      )
      .execute();
    const read = (page: Partial<applicationsV1.ListAppLogsRequest>) =>
      t.gateway.listAppLogs({ appId: app.id, limit: 0, afterId: 0, beforeId: 0, ...page }, as(alice));
    const all = await read({});
    expect(all.status).toBe(applicationsV1.AppStatus.APP_STATUS_DEPLOYING);
    const ids = all.items.map((l) => Number(l.id));
    expect(all.items.map((l) => l.message).slice(1)).toEqual([
      "line 0",
      "line 1",
      "line 2",
      "line 3",
      "line 4",
      "line 5",
    ]);
    const forward = await read({ afterId: ids[2], limit: 2 });
    expect(forward.items.map((l) => l.message)).toEqual(["line 2", "line 3"]);
    const back = await read({ beforeId: ids[5], limit: 2 });
    expect(back.items.map((l) => l.message)).toEqual(["line 2", "line 3"]);
    const between = await read({ afterId: ids[1], beforeId: ids[4] });
    expect(between.items.map((l) => l.message)).toEqual(["line 1", "line 2"]);
    await lc.fail(app.id, { kind: Kind.OPERATION_KIND_DEPLOY, reason: "no network" });
    await lc.waitFor(app.id, "error");
    expect(await read({ afterId: ids.at(-1) })).toMatchObject({
      status: applicationsV1.AppStatus.APP_STATUS_ERROR,
      statusMessage: "no network",
    });
    await expect(read({ limit: 1001 })).rejects.toBeInstanceOf(ValidationError);
    await expect(read({ afterId: -3 })).rejects.toBeInstanceOf(ValidationError);
  });
});

function provisionerV1Container(fields: {
  node?: string;
  vmid: number;
  name: string;
  status?: string;
  proximityAppId?: string;
}) {
  return {
    node: fields.node ?? "pve1",
    vmid: fields.vmid,
    name: fields.name,
    status: fields.status ?? "running",
    cores: 1,
    maxMemBytes: 512 * 1024 ** 2,
    maxDiskBytes: 8 * 1024 ** 3,
    tags: "",
    proximityAppId: fields.proximityAppId ?? "",
  };
}
