import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import { applicationsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_STATUSES, type AppStatus } from "../src/domain/app-status.js";
import {
  type AppAction,
  IN_FLIGHT_STATUS,
  type OperationKind,
  planAction,
} from "../src/domain/operations.js";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { lifeCycle } from "./support/life-cycle.js";
import { outboxEvents } from "./support/outbox.js";

const { OperationKind: Kind } = provisionerEventsV1;
const { AppAction: ProtoAction } = applicationsEventsV1;

const ACTIONS: readonly AppAction[] = [
  "start",
  "stop",
  "restart",
  "update",
  "retry",
  "delete",
  "clone",
  "backup",
  "restore",
];
const KIND_OF_IN_FLIGHT = Object.fromEntries(
  Object.entries(IN_FLIGHT_STATUS)
    .filter(([, status]) => status !== null)
    .map(([kind, status]) => [status, kind as OperationKind]),
) as Partial<Record<AppStatus, OperationKind>>;

/**
 * The events each accepted action puts in the outbox: none for a backup or a restore (the backups
 * service publishes the provisioner's request once it recorded its side).
 */
const REQUEST_EVENTS: Readonly<Record<AppAction, readonly string[]>> = {
  start: ["AppActionRequested"],
  stop: ["AppActionRequested"],
  restart: ["AppActionRequested"],
  update: ["AppActionRequested"],
  retry: ["AppDeployRequested"],
  delete: ["AppDeleteRequested"],
  clone: ["AppCloneRequested"],
  backup: [],
  restore: [],
};

describe("life-cycle actions", () => {
  let t: Harness;
  let lc: ReturnType<typeof lifeCycle>;

  beforeAll(async () => {
    t = await startHarness();
    lc = lifeCycle(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  /**
   * An app of `owner` put in `status` directly (test setup): settled statuses have no operation
   * (error: no container either, so a retry is possible); in-flight ones hold an operation of their kind.
   */
  const appIn = async (owner: ReturnType<typeof newUser>, status: AppStatus) => {
    const app = await lc.deploy(owner, `s-${randomUUID().slice(0, 8)}`);
    const op = await lc.operationOf(app.id);
    const kind = KIND_OF_IN_FLIGHT[status];
    await t.db.updateTable("app_operations").set({ status: "succeeded" }).where("id", "=", op).execute();
    await t.db
      .updateTable("apps")
      .set({
        status,
        vmid: status === "error" ? null : lc.nextVmid(),
        current_operation_id: kind ? randomUUID() : null,
        current_operation: kind ?? null,
      })
      .where("id", "=", app.id)
      .execute();
    return lc.row(app.id);
  };

  const run = (action: AppAction, appId: string, user: ReturnType<typeof newUser>) => {
    if (action === "delete") {
      return t.gateway.deleteApp({ appId, destroyContainer: false, deleteBackups: false }, as(user));
    }
    if (action === "clone") {
      return t.gateway.cloneApp({ appId, newHostname: `c-${randomUUID().slice(0, 8)}` }, as(user));
    }
    if (action === "backup" || action === "restore") {
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      return t.backups.beginArchiveOperation({ appId, kind: action, ...ids }, as(user));
    }
    return t.gateway.requestAppAction({ appId, action }, as(user));
  };

  const cases = APP_STATUSES.filter((s) => s !== "gone").flatMap((status) =>
    ACTIONS.map((action) => [status, action] as const),
  );

  it.each(cases)("every action from every status - %s + %s", async (status, action) => {
    const owner = newUser();
    const before = await appIn(owner, status);
    const outboxBefore = await outboxEvents(t.db);
    const operationsBefore = await lc.count("app_operations");
    const plan = planAction(before, action);
    const result = await run(action, before.id, owner).catch((e: unknown) => e);
    if (!plan.ok) {
      expect(result).toBeInstanceOf(ConflictError);
      expect((result as Error).message).toBe(plan.reason);
      expect(await lc.row(before.id)).toEqual(before);
      expect(await outboxEvents(t.db)).toHaveLength(outboxBefore.length);
      expect(await lc.count("app_operations")).toBe(operationsBefore);
      return;
    }
    expect(result).not.toBeInstanceOf(Error);
    const after = await lc.row(before.id);
    expect(after.status).toBe(plan.to);
    expect(after.current_operation).toBe(plan.kind);
    const operation = await t.db
      .selectFrom("app_operations")
      .selectAll()
      .where("id", "=", after.current_operation_id!)
      .executeTakeFirstOrThrow();
    expect(operation).toMatchObject({ kind: plan.kind, status: "running", requested_by: owner.id });
    expect(operation.deadline_at.getTime()).toBeGreaterThan(Date.now());
    const added = (await outboxEvents(t.db)).slice(outboxBefore.length);
    expect(added.map((e) => e.name)).toEqual(REQUEST_EVENTS[action]);
    for (const event of added) expect(event.payload.operationId).toBe(after.current_operation_id);
  });

  it("RequestAppAction - an unknown action is a validation error; another user's app is NotFound", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "act-validate");
    await expect(
      t.gateway.requestAppAction({ appId: app.id, action: "explode" }, as(owner)),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(newUser())),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await lc.row(app.id)).status).toBe("running");
  });

  it("RequestAppAction - of two concurrent actions on one app one wins, the other is a 409 that names it", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "act-race");
    const results = await Promise.allSettled([
      t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(owner)),
      t.gateway.requestAppAction({ appId: app.id, action: "restart" }, as(owner)),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
    expect(lost[0]?.reason.message).toMatch(
      /^(Another operation is running: (stop|restart)|Cannot (stop|restart) the app while it is (stopping|restarting))$/,
    );
    const operations = await t.db
      .selectFrom("app_operations")
      .select("kind")
      .where("app_id", "=", app.id)
      .where("status", "=", "running")
      .execute();
    expect(operations).toHaveLength(1);
    const requests = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppActionRequested");
    expect(requests).toHaveLength(1);
  });

  it("AppActionRequested - carries the container and, for update, the catalog's compose and the app's settings", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "act-update");
    await t.gateway.requestAppAction({ appId: app.id, action: "update" }, as(owner));
    const request = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppActionRequested");
    expect(request?.payload).toMatchObject({
      appId: app.id,
      action: ProtoAction.APP_ACTION_UPDATE,
      hostId: "host-a",
      node: "pve1",
      vmid: app.vmid,
      adopted: false,
      publicPort: app.public_port,
    });
    expect(request?.payload.compose).toContain("whoami");
  });

  it("results - start, stop and restart settle the app, finish the operation and publish the fact", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "act-cycle");
    const step = async (action: string, kind: number, settled: AppStatus, event: string) => {
      await t.gateway.requestAppAction({ appId: app.id, action }, as(owner));
      const op = await lc.operationOf(app.id);
      await lc.succeed(app.id, {
        kind,
        containerStatus: settled === "stopped" ? "stopped" : "running",
        message: `${action} done`,
      });
      const row = await lc.waitFor(app.id, settled);
      expect(row).toMatchObject({ current_operation_id: null, current_operation: null });
      const operation = await t.db
        .selectFrom("app_operations")
        .selectAll()
        .where("id", "=", op)
        .executeTakeFirstOrThrow();
      expect(operation.status).toBe("succeeded");
      expect(operation.finished_at).toBeInstanceOf(Date);
      const published = (await outboxEvents(t.db, app.id)).filter((e) => e.name === event);
      expect(published.map((e) => e.payload.operationId)).toEqual([op]);
      expect(published[0]?.payload.app).toMatchObject({ appId: app.id, ownerId: owner.id, vmid: app.vmid });
    };
    await step("stop", Kind.OPERATION_KIND_STOP, "stopped", "AppStopped");
    await step("start", Kind.OPERATION_KIND_START, "running", "AppStarted");
    await step("restart", Kind.OPERATION_KIND_RESTART, "running", "AppRestarted");
    const { items } = await t.gateway.listAppLogs(
      { appId: app.id, limit: 0, afterId: 0, beforeId: 0 },
      as(owner),
    );
    expect(items.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        "Stop requested",
        "stop done",
        "Start requested",
        "start done",
        "restart done",
      ]),
    );
  });

  it("results - a failure settles where the container was left, else in error, and says why", async () => {
    const owner = newUser();
    const rolledBack = await lc.running(owner, "fail-update");
    await t.gateway.requestAppAction({ appId: rolledBack.id, action: "update" }, as(owner));
    await lc.fail(rolledBack.id, {
      kind: Kind.OPERATION_KIND_UPDATE,
      reason: "health check failed; rolled back",
      containerStatus: "running",
    });
    expect(await lc.waitFor(rolledBack.id, "running")).toMatchObject({
      status_message: "health check failed; rolled back",
      current_operation_id: null,
    });
    const failed = (await outboxEvents(t.db, rolledBack.id)).find((e) => e.name === "AppOperationFailed");
    expect(failed?.payload).toMatchObject({
      operation: "update",
      status: "running",
      reason: "health check failed; rolled back",
    });

    const stuck = await lc.running(owner, "fail-restart");
    await t.gateway.requestAppAction({ appId: stuck.id, action: "restart" }, as(owner));
    await lc.fail(stuck.id, { kind: Kind.OPERATION_KIND_RESTART, reason: "node did not answer" });
    expect((await lc.waitFor(stuck.id, "error")).status_message).toBe("node did not answer");
  });

  it("results - a late result of an operation that is no longer current is ignored", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "late");
    await t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(owner));
    const stopOp = await lc.operationOf(app.id);
    await lc.succeed(app.id, { kind: Kind.OPERATION_KIND_STOP, containerStatus: "stopped" });
    await lc.waitFor(app.id, "stopped");
    await t.gateway.requestAppAction({ appId: app.id, action: "start" }, as(owner));
    // The stop's result again (a provisioner retry): the start in flight must not be settled by it.
    await t.publish(
      Events.OperationFailed,
      provisionerEventsV1.OperationFailed.fromPartial({ operationId: stopOp, appId: app.id, reason: "late" }),
    );
    await lc.succeed(app.id, { kind: Kind.OPERATION_KIND_START, containerStatus: "running" });
    expect((await lc.waitFor(app.id, "running")).status_message).toBe("");
    const failures = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppOperationFailed");
    expect(failures).toEqual([]);
  });

  it("DeleteApp - removing → gone frees the hostname, the port and the quota slot; AppDeleted says what went", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "to-delete");
    const port = app.public_port;
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: true }, as(owner));
    const request = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppDeleteRequested");
    expect(request?.payload).toMatchObject({ vmid: app.vmid, destroyContainer: true, hostId: "host-a" });
    expect(
      (
        await t.db
          .selectFrom("user_quotas")
          .select("live_apps")
          .where("user_id", "=", owner.id)
          .executeTakeFirstOrThrow()
      ).live_apps,
    ).toBe(1);
    await lc.succeed(app.id, { kind: Kind.OPERATION_KIND_DELETE });
    await lc.waitFor(app.id, "gone");
    expect(
      await t.db
        .selectFrom("port_allocations")
        .selectAll()
        .where("port", "=", port!)
        .where("host_id", "=", "host-a")
        .execute(),
    ).toEqual([]);
    expect(
      (
        await t.db
          .selectFrom("user_quotas")
          .select("live_apps")
          .where("user_id", "=", owner.id)
          .executeTakeFirstOrThrow()
      ).live_apps,
    ).toBe(0);
    const deleted = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppDeleted");
    expect(deleted?.payload).toMatchObject({ containerDestroyed: true, deleteBackups: true });
    await expect(t.gateway.getApp({ id: app.id }, as(owner))).rejects.toBeInstanceOf(NotFoundError);
    // The hostname is free again.
    expect((await lc.deploy(owner, "to-delete")).hostname).toBe("to-delete");
  });

  it("retry - a failed deploy gives its port back; the retry takes a new one under a new operation", async () => {
    const owner = newUser();
    const app = await lc.deploy(owner, "retry-me");
    const first = await lc.operationOf(app.id);
    await lc.fail(app.id, { kind: Kind.OPERATION_KIND_DEPLOY, reason: "storage full" });
    expect(await lc.waitFor(app.id, "error")).toMatchObject({
      public_port: null,
      status_message: "storage full",
    });
    expect(
      await t.db.selectFrom("port_allocations").selectAll().where("app_id", "=", app.id).execute(),
    ).toEqual([]);
    const { app: retried } = await t.gateway.requestAppAction({ appId: app.id, action: "retry" }, as(owner));
    expect(retried?.port).toBeGreaterThan(0);
    const requests = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppDeployRequested");
    expect(requests).toHaveLength(2);
    expect(requests[1]?.payload.operationId).not.toBe(first);
    expect(requests[1]?.payload.publicPort).toBe(retried?.port);
  });

  it("adopted apps - cannot be updated (409 with why); only admins destroy their container", async () => {
    const owner = newUser();
    const app = await lc.running(owner, "adopted-rules");
    await t.db.updateTable("apps").set({ adopted: true }).where("id", "=", app.id).execute();
    const err = await t.gateway
      .requestAppAction({ appId: app.id, action: "update" }, as(owner))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe(
      "Cannot update an adopted app: Proximity did not deploy what runs in its container",
    );
    await expect(
      t.gateway.deleteApp({ appId: app.id, destroyContainer: true, deleteBackups: false }, as(owner)),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await lc.row(app.id)).status).toBe("running");
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(owner));
    const request = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppDeleteRequested");
    expect(request?.payload.destroyContainer).toBe(false);
  });
});
