import { randomUUID } from "node:crypto";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { Events } from "@proximity/bus";
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  ValidationError,
} from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNKNOWN_HOST_ID } from "./support/fake-hosts.js";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { lifeCycle } from "./support/life-cycle.js";
import { outboxEvents } from "./support/outbox.js";

const { OperationKind: Kind } = provisionerEventsV1;
const { AppStatus: Status } = applicationsV1;
const SIX_HOURS_MS = 6 * 3_600_000;

describe("archive operations (backups and restores)", () => {
  let t: Harness;
  let lc: ReturnType<typeof lifeCycle>;

  beforeAll(async () => {
    t = await startHarness();
    lc = lifeCycle(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  const begin = (
    appId: string,
    kind: string,
    user: EndUser,
    ids: { operationId?: string; backupId?: string } = {},
  ) =>
    t.backups.beginArchiveOperation(
      { appId, kind, operationId: ids.operationId ?? randomUUID(), backupId: ids.backupId ?? randomUUID() },
      as(user),
    );

  const restoreNew = (
    user: EndUser,
    request: Partial<applicationsV1.RestoreIntoNewAppRequest> & { sourceAppId: string },
  ) =>
    t.backups.restoreIntoNewApp(
      {
        newHostname: unique("restored"),
        operationId: randomUUID(),
        backupId: randomUUID(),
        hostId: "host-a",
        node: "pve1",
        ...request,
      },
      as(user),
    );

  /** A running app of `owner` (deployed, reported running), optionally stopped since. */
  const appOf = async (owner: EndUser, status: "running" | "stopped" = "running") => {
    const app = await lc.running(owner, unique("app"));
    if (status === "stopped") {
      await t.db.updateTable("apps").set({ status: "stopped" }).where("id", "=", app.id).execute();
    }
    return lc.row(app.id);
  };

  const operation = (id: string) =>
    t.db.selectFrom("app_operations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  const runningOperations = (appId: string) =>
    t.db
      .selectFrom("app_operations")
      .select("kind")
      .where((eb) => eb.or([eb("app_id", "=", appId), eb("source_app_id", "=", appId)]))
      .where("status", "=", "running")
      .execute();

  const logLines = async (appId: string) =>
    (
      await t.db
        .selectFrom("deployment_logs")
        .select(["level", "step", "message"])
        .where("app_id", "=", appId)
        .orderBy("id")
        .execute()
    ).map((l) => l.message);

  const liveApps = async (userId: string) =>
    (
      await t.db
        .selectFrom("user_quotas")
        .select("live_apps")
        .where("user_id", "=", userId)
        .executeTakeFirst()
    )?.live_apps ?? 0;

  const portOf = async (appId: string) =>
    (await t.db.selectFrom("port_allocations").select("port").where("app_id", "=", appId).executeTakeFirst())
      ?.port;

  /** Waits until the app's operation `operationId` was settled (the app no longer holds it). */
  const settled = (appId: string, operationId: string) =>
    eventually(
      async () => {
        const row = await lc.row(appId);
        return row.current_operation_id !== operationId && row;
      },
      { what: `operation ${operationId} settled` },
    );

  const grpcCode = (err: unknown) => ((err as Error).cause as { code?: number } | undefined)?.code;

  describe("BeginArchiveOperation", () => {
    it("callers - only the backups service, with an end user, whose ownership is honoured", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const request = { appId: app.id, kind: "backup", operationId: randomUUID(), backupId: randomUUID() };
      await expect(t.gateway.beginArchiveOperation(request, as(alice))).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      await expect(t.clientAs("hosts").beginArchiveOperation(request, as(alice))).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      await expect(t.backups.beginArchiveOperation(request)).rejects.toBeInstanceOf(UnauthenticatedError);
      // Another user's app does not exist for them, whoever passes the call on.
      await expect(t.backups.beginArchiveOperation(request, as(newUser()))).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await lc.row(app.id)).toMatchObject({ status: "running", current_operation_id: null });
      // An admin reaches every app.
      const { app: claimed } = await t.backups.beginArchiveOperation(request, as(newUser(true)));
      expect(claimed?.currentOperation).toBe("backup");
    });

    it("backup - the app keeps its status and is held; the operation keeps the backup id; nothing is published", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const outboxBefore = await lc.count("outbox");
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      const answer = await begin(app.id, "backup", alice, ids);
      expect(answer.statusBefore).toBe(Status.APP_STATUS_RUNNING);
      expect(answer.app).toMatchObject({
        id: app.id,
        status: Status.APP_STATUS_RUNNING,
        currentOperation: "backup",
        vmid: app.vmid,
        hostId: app.host_id,
        node: app.node,
      });
      expect(await lc.row(app.id)).toMatchObject({
        status: "running",
        current_operation_id: ids.operationId,
        current_operation: "backup",
      });
      const op = await operation(ids.operationId);
      expect(op).toMatchObject({
        app_id: app.id,
        kind: "backup",
        status: "running",
        requested_by: alice.id,
        options: { backupId: ids.backupId, statusBefore: "running" },
      });
      const deadlineMs = op.deadline_at.getTime() - op.created_at.getTime();
      expect(Math.abs(deadlineMs - SIX_HOURS_MS)).toBeLessThan(60_000);
      // The answer carries that deadline, for the provisioner's request (work delivered later must not start).
      expect(answer.deadline).toEqual(op.deadline_at);
      expect(await logLines(app.id)).toContain("Backup requested");
      expect(await lc.count("outbox")).toBe(outboxBefore);
    });

    it("restore - the app shows restoring and the status before comes back (here stopped)", async () => {
      const alice = newUser();
      const app = await appOf(alice, "stopped");
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      const answer = await begin(app.id, "restore", alice, ids);
      expect(answer.statusBefore).toBe(Status.APP_STATUS_STOPPED);
      expect(answer.app).toMatchObject({ status: Status.APP_STATUS_RESTORING, currentOperation: "restore" });
      expect((await operation(ids.operationId)).options).toEqual({
        backupId: ids.backupId,
        statusBefore: "stopped",
      });
      expect(await logLines(app.id)).toContain("Restore from backup requested");
      const { app: seen } = await t.gateway.getApp({ id: app.id }, as(alice));
      expect(seen?.status).toBe(Status.APP_STATUS_RESTORING);
    });

    it("validation - a bad kind or id is a 400 naming the field; a state that forbids it says why", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const err = await t.backups
        .beginArchiveOperation(
          { appId: app.id, kind: "snapshot", operationId: "op-1", backupId: "" },
          as(alice),
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.map((f) => f.field).sort()).toEqual([
        "backup_id",
        "kind",
        "operation_id",
      ]);

      const fresh = await lc.deploy(alice, unique("deploying"));
      const refused = await begin(fresh.id, "backup", alice).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as Error).message).toBe("Cannot back up the app while it is deploying");
      await t.db
        .updateTable("apps")
        .set({ status: "error", current_operation_id: null, current_operation: null })
        .where("id", "=", fresh.id)
        .execute();
      await t.db
        .updateTable("app_operations")
        .set({ status: "failed" })
        .where("app_id", "=", fresh.id)
        .execute();
      await expect(begin(fresh.id, "restore", alice)).rejects.toThrow(
        "Cannot restore a backup onto the app: it has no container; restore the backup into a new app instead",
      );
      expect((await lc.row(fresh.id)).status).toBe("error");
    });

    it("busy - a second claim is ABORTED naming what runs; a refused transition names the state", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      await begin(app.id, "backup", alice);
      for (const second of [
        () => begin(app.id, "backup", alice),
        () => begin(app.id, "restore", alice),
        () => t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(alice)),
        () =>
          t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(alice)),
      ]) {
        const err = await second().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConflictError);
        expect((err as Error).message).toBe("Another operation is running: backup");
        expect(grpcCode(err)).toBe(GrpcStatus.ABORTED);
      }
      expect(await runningOperations(app.id)).toEqual([{ kind: "backup" }]);

      const stopping = await appOf(alice);
      await t.gateway.requestAppAction({ appId: stopping.id, action: "stop" }, as(alice));
      await expect(begin(stopping.id, "backup", alice)).rejects.toThrow(
        "Cannot back up the app while it is stopping",
      );
    });

    it.each(["stop", "restart", "update", "delete", "clone", "backup", "restore"] as const)(
      "race - a backup and a %s on one app: exactly one runs, the other is a 409",
      async (competitor) => {
        const alice = newUser();
        for (let round = 0; round < 3; round++) {
          const app = await appOf(alice);
          const other = () => {
            if (competitor === "backup" || competitor === "restore") return begin(app.id, competitor, alice);
            if (competitor === "delete") {
              return t.gateway.deleteApp(
                { appId: app.id, destroyContainer: false, deleteBackups: false },
                as(alice),
              );
            }
            if (competitor === "clone") {
              return t.gateway.cloneApp({ appId: app.id, newHostname: unique("copy") }, as(alice));
            }
            return t.gateway.requestAppAction({ appId: app.id, action: competitor }, as(alice));
          };
          const results = await Promise.allSettled([begin(app.id, "backup", alice), other()]);
          expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
          const lost = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
          expect(lost?.reason).toBeInstanceOf(ConflictError);
          expect(await runningOperations(app.id)).toHaveLength(1);
        }
      },
    );

    it("idempotency - the same operation id again answers the first claim; reused elsewhere it is refused", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      const first = await begin(app.id, "restore", alice, ids);
      const again = await begin(app.id, "restore", alice, ids);
      expect(again.app?.id).toBe(first.app?.id);
      expect(again.statusBefore).toBe(Status.APP_STATUS_RUNNING);
      expect(await runningOperations(app.id)).toEqual([{ kind: "restore" }]);
      // The same id for another backup, or another app: refused, nothing claimed.
      await expect(begin(app.id, "restore", alice, { ...ids, backupId: randomUUID() })).rejects.toThrow(
        "This operation id was already used for another operation",
      );
      const other = await appOf(alice);
      await expect(begin(other.id, "backup", alice, ids)).rejects.toBeInstanceOf(ConflictError);
      expect(await lc.row(other.id)).toMatchObject({ status: "running", current_operation_id: null });
    });

    it("unfinished delete - no restore onto an app whose deletion timed out (it may still be deleted)", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(alice));
      const deleteOp = await lc.operationOf(app.id);
      await t.db
        .updateTable("app_operations")
        .set({ status: "timed_out" })
        .where("id", "=", deleteOp)
        .execute();
      await t.db
        .updateTable("apps")
        .set({ status: "error", current_operation_id: null, current_operation: null })
        .where("id", "=", app.id)
        .execute();
      await expect(begin(app.id, "restore", alice)).rejects.toThrow(
        "Cannot act on the app: its deletion did not finish in time; delete it again",
      );
      expect(await lc.row(app.id)).toMatchObject({ status: "error", current_operation_id: null });
      expect(await runningOperations(app.id)).toEqual([]);
    });
  });

  describe("results of backups and restores onto the app", () => {
    it("backup succeeded - AppBackedUp with the backup id, the archive size in the log, the app where its container is", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "backup", alice, ids);
      const volid = `local:backup/vzdump-lxc-${app.vmid}-2024_05_01-03_00_00.tar.zst`;
      await lc.succeed(app.id, {
        kind: Kind.OPERATION_KIND_BACKUP,
        backupId: ids.backupId,
        containerStatus: "running",
        archive: {
          storage: "local",
          volid,
          sizeBytes: 3 * 1024 ** 3 + 512 * 1024 ** 2,
          createdAt: new Date(),
        },
      });
      const row = await settled(app.id, ids.operationId);
      expect(row).toMatchObject({ status: "running", current_operation: null });
      expect((await operation(ids.operationId)).status).toBe("succeeded");
      expect(await logLines(app.id)).toContain(`Backup succeeded: 3.5 GiB archive ${volid}`);
      const events = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppBackedUp");
      expect(events.map((e) => e.payload)).toEqual([
        expect.objectContaining({
          operationId: ids.operationId,
          backupId: ids.backupId,
          app: expect.objectContaining({ appId: app.id, ownerId: alice.id, vmid: app.vmid }),
        }),
      ]);

      // A stopped app whose result does not say stays stopped; one the result reports running is running.
      const stopped = await appOf(alice, "stopped");
      const quiet = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(stopped.id, "backup", alice, quiet);
      await lc.succeed(stopped.id, { kind: Kind.OPERATION_KIND_BACKUP });
      expect((await settled(stopped.id, quiet.operationId)).status).toBe("stopped");
      const started = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(stopped.id, "backup", alice, started);
      await lc.succeed(stopped.id, { kind: Kind.OPERATION_KIND_BACKUP, containerStatus: "running" });
      expect((await settled(stopped.id, started.operationId)).status).toBe("running");
    });

    it("backup failed - the app stays as it was with the reason; AppOperationFailed(backup)", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "backup", alice, ids);
      await lc.fail(app.id, {
        kind: Kind.OPERATION_KIND_BACKUP,
        backupId: ids.backupId,
        reason: "the backup storage is full",
        containerStatus: "",
      });
      const row = await settled(app.id, ids.operationId);
      expect(row).toMatchObject({ status: "running", status_message: "the backup storage is full" });
      expect(await operation(ids.operationId)).toMatchObject({
        status: "failed",
        reason: "the backup storage is full",
      });
      expect(await logLines(app.id)).toContain("Backup failed after 1 attempt: the backup storage is full");
      const failed = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppOperationFailed");
      expect(failed.map((e) => e.payload)).toEqual([
        expect.objectContaining({ operation: "backup", status: "running", operationId: ids.operationId }),
      ]);
      // The app is free again.
      await t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(alice));
    });

    it("restore onto the app - AppRestored on success; a failure settles where the container was left, else error", async () => {
      const alice = newUser();
      const app = await appOf(alice, "stopped");
      const ok = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "restore", alice, ok);
      await lc.succeed(app.id, {
        kind: Kind.OPERATION_KIND_RESTORE,
        backupId: ok.backupId,
        containerStatus: "running",
      });
      expect(await settled(app.id, ok.operationId)).toMatchObject({ status: "running", status_message: "" });
      const restored = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppRestored");
      expect(restored.map((e) => e.payload)).toEqual([
        expect.objectContaining({
          operationId: ok.operationId,
          backupId: ok.backupId,
          newApp: false,
          sourceAppId: app.id,
        }),
      ]);

      const lost = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "restore", alice, lost);
      await lc.fail(app.id, { kind: Kind.OPERATION_KIND_RESTORE, reason: "the archive is corrupt" });
      expect(await settled(app.id, lost.operationId)).toMatchObject({
        status: "error",
        status_message: expect.stringMatching(
          /^the archive is corrupt\. The container may be incomplete or gone: restore this or another backup/,
        ),
        vmid: app.vmid,
      });
      // From error, another restore is how the app is brought back; this one left the container stopped.
      const again = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "restore", alice, again);
      await lc.fail(app.id, {
        kind: Kind.OPERATION_KIND_RESTORE,
        reason: "the services did not come up",
        containerStatus: "stopped",
      });
      expect(await settled(app.id, again.operationId)).toMatchObject({ status: "stopped" });
      const failures = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppOperationFailed");
      expect(failures.map((e) => [e.payload.operation, e.payload.status])).toEqual([
        ["restore", "error"],
        ["restore", "stopped"],
      ]);
    });

    it("skipped - an archive deletion's results touch no app; a result naming another kind is not applied", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "backup", alice, ids);
      const deletion = {
        operationId: ids.operationId,
        appId: app.id,
        kind: Kind.OPERATION_KIND_DELETE_BACKUP,
      };
      const quietIds = [randomUUID(), randomUUID(), randomUUID()];
      await t.publish(
        Events.OperationProgressed,
        provisionerEventsV1.OperationProgressed.fromPartial({
          ...deletion,
          step: "imgdel",
          message: "deleting",
        }),
        quietIds[0],
      );
      await t.publish(
        Events.OperationSucceeded,
        provisionerEventsV1.OperationSucceeded.fromPartial({ ...deletion, backupId: ids.backupId }),
        quietIds[1],
      );
      await t.publish(
        Events.OperationFailed,
        provisionerEventsV1.OperationFailed.fromPartial({ ...deletion, reason: "protected" }),
        quietIds[2],
      );
      const wrongKind = randomUUID();
      await t.publish(
        Events.OperationSucceeded,
        provisionerEventsV1.OperationSucceeded.fromPartial({
          operationId: ids.operationId,
          appId: app.id,
          kind: Kind.OPERATION_KIND_RESTORE,
          containerStatus: "stopped",
        }),
        wrongKind,
      );
      // A later result on the same consumer: once it is applied, the ones before were handled.
      const marker = await appOf(alice);
      const markerIds = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(marker.id, "backup", alice, markerIds);
      await lc.succeed(marker.id, { kind: Kind.OPERATION_KIND_BACKUP, containerStatus: "running" });
      await settled(marker.id, markerIds.operationId);

      expect(await lc.row(app.id)).toMatchObject({
        status: "running",
        current_operation_id: ids.operationId,
        status_message: "",
      });
      expect((await operation(ids.operationId)).status).toBe("running");
      expect((await logLines(app.id)).at(-1)).toBe("Backup requested");
      const inbox = await t.db
        .selectFrom("inbox")
        .select("event_id")
        .where("event_id", "in", [...quietIds, wrongKind])
        .execute();
      expect(inbox.map((r) => r.event_id)).toEqual([wrongKind]);
    });
  });

  describe("RestoreIntoNewApp", () => {
    it("new app - the caller's, restoring, with the source's settings, its own port and quota slot, where the archive is", async () => {
      const alice = newUser();
      const source = await appOf(alice);
      await t.db
        .updateTable("apps")
        .set({
          environment: JSON.stringify({ GREETING: "hello" }),
          secret_env: JSON.stringify({ API_KEY: true, OPTIONAL_TOKEN: false }),
        })
        .where("id", "=", source.id)
        .execute();
      const quotaBefore = await liveApps(alice.id);
      const outboxBefore = await lc.count("outbox");
      const request = {
        sourceAppId: source.id,
        newHostname: unique("from-backup"),
        operationId: randomUUID(),
        backupId: randomUUID(),
        hostId: "host-b",
        node: "pve2",
      };
      await expect(t.gateway.restoreIntoNewApp(request, as(alice))).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      const { app, deadline } = await t.backups.restoreIntoNewApp(request, as(alice));
      expect(deadline).toEqual((await operation(request.operationId)).deadline_at);
      expect(app).toMatchObject({
        ownerId: alice.id,
        hostname: request.newHostname,
        catalogId: source.catalog_id,
        status: Status.APP_STATUS_RESTORING,
        currentOperation: "restore",
        hostId: "host-b",
        node: "pve2",
        vmid: 0,
        environment: { GREETING: "hello" },
        secrets: { API_KEY: true, OPTIONAL_TOKEN: false },
        adopted: false,
      });
      expect(app?.port).toBeGreaterThan(0);
      expect(await portOf(app!.id)).toBe(app?.port);
      expect(await liveApps(alice.id)).toBe(quotaBefore + 1);
      expect(await operation(request.operationId)).toMatchObject({
        app_id: app?.id,
        source_app_id: null,
        kind: "restore",
        status: "running",
        requested_by: alice.id,
        options: { backupId: request.backupId, newApp: true, sourceAppId: source.id },
      });
      expect(await logLines(app!.id)).toEqual([
        `Restore of a backup of ${source.hostname} into ${request.newHostname} requested`,
      ]);
      expect(await lc.count("outbox")).toBe(outboxBefore);
      // The source is not touched (not even locked): the archive is read, not the container.
      expect(await lc.row(source.id)).toMatchObject({ status: "running", current_operation_id: null });
      // Asking again with the same operation id answers the same app.
      const { app: again } = await t.backups.restoreIntoNewApp(request, as(alice));
      expect(again?.id).toBe(app?.id);
      expect(await liveApps(alice.id)).toBe(quotaBefore + 1);
    });

    it("refusals - taken hostname 409, quota 403, retired host 409, unknown host and bad input 400; nothing left behind", async () => {
      const alice = newUser();
      const source = await appOf(alice);
      const appsBefore = await t.db
        .selectFrom("apps")
        .select("id")
        .where("owner_id", "=", alice.id)
        .execute();
      const taken = await restoreNew(alice, { sourceAppId: source.id, newHostname: source.hostname }).catch(
        (e: unknown) => e,
      );
      expect(taken).toBeInstanceOf(AlreadyExistsError);
      expect((taken as Error).message).toBe(`Hostname ${source.hostname} is already in use`);

      const invalid = await t.backups
        .restoreIntoNewApp(
          {
            sourceAppId: source.id,
            newHostname: "Bad_Name",
            operationId: "1",
            backupId: "2",
            hostId: "",
            node: "",
          },
          as(alice),
        )
        .catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(ValidationError);
      expect((invalid as ValidationError).fieldErrors.map((f) => f.field).sort()).toEqual([
        "backup_id",
        "host_id",
        "new_hostname",
        "node",
        "operation_id",
      ]);

      await expect(
        restoreNew(alice, { sourceAppId: source.id, hostId: UNKNOWN_HOST_ID }),
      ).rejects.toBeInstanceOf(ValidationError);

      await t.clientAs("hosts").retireHost({ hostId: "retired-archive-host" });
      await expect(
        restoreNew(alice, { sourceAppId: source.id, hostId: "retired-archive-host" }),
      ).rejects.toThrow("The host is being removed; choose another host");

      await t.gateway.setUserQuota(
        { userId: alice.id, maxApps: await liveApps(alice.id) },
        as(newUser(true)),
      );
      const over = await restoreNew(alice, { sourceAppId: source.id }).catch((e: unknown) => e);
      expect(over).toBeInstanceOf(PermissionDeniedError);
      expect((over as Error).message).toMatch(/^App quota reached/);

      const appsAfter = await t.db.selectFrom("apps").select("id").where("owner_id", "=", alice.id).execute();
      expect(appsAfter).toEqual(appsBefore);
      expect(await runningOperations(source.id)).toEqual([]);
    });

    it("source - another user's app is NotFound; a deleted one only admins reach; an adopted one is refused", async () => {
      const alice = newUser();
      const admin = newUser(true);
      const source = await appOf(alice);
      await expect(restoreNew(newUser(), { sourceAppId: source.id })).rejects.toBeInstanceOf(NotFoundError);
      await expect(restoreNew(alice, { sourceAppId: "not-a-uuid" })).rejects.toBeInstanceOf(NotFoundError);

      await t.gateway.deleteApp(
        { appId: source.id, destroyContainer: false, deleteBackups: false },
        as(alice),
      );
      await lc.succeed(source.id, { kind: Kind.OPERATION_KIND_DELETE });
      await lc.waitFor(source.id, "gone");
      await expect(restoreNew(alice, { sourceAppId: source.id })).rejects.toBeInstanceOf(NotFoundError);
      // The deleted app's hostname is free: an admin restores its backup under it.
      const { app } = await restoreNew(admin, { sourceAppId: source.id, newHostname: source.hostname });
      expect(app).toMatchObject({
        ownerId: admin.id,
        hostname: source.hostname,
        catalogId: source.catalog_id,
      });

      const adopted = await appOf(alice);
      await t.db.updateTable("apps").set({ adopted: true }).where("id", "=", adopted.id).execute();
      const refused = await restoreNew(alice, { sourceAppId: adopted.id }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as Error).message).toMatch(/^Cannot restore a backup of an adopted app into a new app/);
    });

    it("results - success: running with its container, AppRestored(new_app); failure: error, port back, no retry", async () => {
      const alice = newUser();
      const source = await appOf(alice);
      const { app: good } = await restoreNew(alice, { sourceAppId: source.id });
      const goodOp = await lc.operationOf(good!.id);
      await lc.succeed(good!.id, {
        kind: Kind.OPERATION_KIND_RESTORE,
        hostId: "host-a",
        node: "pve1",
        vmid: 4321,
        ipAddress: "10.4.3.21",
        containerStatus: "running",
      });
      expect(await lc.waitFor(good!.id, "running")).toMatchObject({ vmid: 4321, ip_address: "10.4.3.21" });
      const restored = (await outboxEvents(t.db, good!.id)).filter((e) => e.name === "AppRestored");
      expect(restored.map((e) => e.payload)).toEqual([
        expect.objectContaining({ operationId: goodOp, newApp: true, sourceAppId: source.id }),
      ]);

      const quota = await liveApps(alice.id);
      const { app: bad } = await restoreNew(alice, { sourceAppId: source.id });
      expect(await liveApps(alice.id)).toBe(quota + 1);
      await lc.fail(bad!.id, { kind: Kind.OPERATION_KIND_RESTORE, reason: "no VMID could be leased" });
      expect(await lc.waitFor(bad!.id, "error")).toMatchObject({
        public_port: null,
        vmid: null,
        status_message: "no VMID could be leased",
      });
      expect(await portOf(bad!.id)).toBeUndefined();
      // Like a failed clone, it still counts until its owner deletes it.
      expect(await liveApps(alice.id)).toBe(quota + 1);
      await expect(
        t.gateway.requestAppAction({ appId: bad!.id, action: "retry" }, as(alice)),
      ).rejects.toThrow("Cannot retry a failed restore: delete it and restore the backup again");
      expect(await lc.row(bad!.id)).toMatchObject({ status: "error", current_operation_id: null });
    });
  });

  describe("AbandonArchiveOperation", () => {
    const abandon = (operationId: string, reason = "the backup record could not be written") =>
      t.backups.abandonArchiveOperation({ operationId, reason });

    it("backup - the app as it was, the operation failed with the reason, in the log; twice is once", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      const ids = { operationId: randomUUID(), backupId: randomUUID() };
      await begin(app.id, "backup", alice, ids);
      await abandon(ids.operationId);
      expect(await lc.row(app.id)).toMatchObject({
        status: "running",
        current_operation_id: null,
        current_operation: null,
      });
      expect(await operation(ids.operationId)).toMatchObject({
        status: "failed",
        reason: "Backup did not start: the backup record could not be written",
      });
      expect(await logLines(app.id)).toContain(
        "Backup did not start: the backup record could not be written",
      );
      await abandon(ids.operationId);
      const failed = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppOperationFailed");
      expect(failed.map((e) => [e.payload.operation, e.payload.status])).toEqual([["backup", "running"]]);
      // The app is free for the next operation.
      await begin(app.id, "backup", alice);
    });

    it("restore onto the app - back to the status before (stopped, or error with the reason)", async () => {
      const alice = newUser();
      const stopped = await appOf(alice, "stopped");
      const first = await begin(stopped.id, "restore", alice);
      await abandon(await lc.operationOf(first.app!.id));
      expect(await lc.row(stopped.id)).toMatchObject({ status: "stopped", current_operation_id: null });

      const broken = await appOf(alice);
      await t.db
        .updateTable("apps")
        .set({ status: "error", status_message: "restart failed" })
        .where("id", "=", broken.id)
        .execute();
      await begin(broken.id, "restore", alice);
      await abandon(await lc.operationOf(broken.id), "");
      expect(await lc.row(broken.id)).toMatchObject({
        status: "error",
        status_message: "Restore did not start: the backups service could not record it",
        current_operation_id: null,
      });
    });

    it("new app - gone, its port, quota slot and hostname free again, nothing published", async () => {
      const alice = newUser();
      const source = await appOf(alice);
      const quota = await liveApps(alice.id);
      const hostname = unique("abandoned");
      const { app } = await restoreNew(alice, { sourceAppId: source.id, newHostname: hostname });
      expect(await liveApps(alice.id)).toBe(quota + 1);
      await abandon(await lc.operationOf(app!.id));
      expect(await lc.row(app!.id)).toMatchObject({
        status: "gone",
        public_port: null,
        current_operation_id: null,
      });
      expect(await portOf(app!.id)).toBeUndefined();
      expect(await liveApps(alice.id)).toBe(quota);
      expect(await outboxEvents(t.db, app!.id)).toEqual([]);
      await expect(t.gateway.getApp({ id: app!.id }, as(alice))).rejects.toBeInstanceOf(NotFoundError);
      expect((await restoreNew(alice, { sourceAppId: source.id, newHostname: hostname })).app?.hostname).toBe(
        hostname,
      );
    });

    it("scope - other operations, finished ones and unknown ids are left alone; backups only; a bad id is 400", async () => {
      const alice = newUser();
      const app = await appOf(alice);
      await t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(alice));
      const stopOp = await lc.operationOf(app.id);
      await abandon(stopOp);
      await abandon(randomUUID());
      expect(await lc.row(app.id)).toMatchObject({ status: "stopping", current_operation_id: stopOp });
      expect((await operation(stopOp)).status).toBe("running");
      await expect(
        t.gateway.abandonArchiveOperation({ operationId: stopOp, reason: "" }, as(alice)),
      ).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(abandon("nope")).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
