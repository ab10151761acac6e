import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { lifeCycle } from "./support/life-cycle.js";
import { outboxEvents } from "./support/outbox.js";

const { OperationKind: Kind } = provisionerEventsV1;

describe("operation deadlines", () => {
  let t: Harness;
  let lc: ReturnType<typeof lifeCycle>;
  const owner = newUser();

  beforeAll(async () => {
    // Two replicas, each with its reaper running every 100 ms.
    t = await startHarness({ OPERATION_REAPER_INTERVAL_MS: "100" });
    await t.startReplica();
    lc = lifeCycle(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const expire = (operationIds: string[]) =>
    t.db
      .updateTable("app_operations")
      .set({ deadline_at: sql<Date>`now() - interval '1 second'` })
      .where("id", "in", operationIds)
      .execute();

  it("reaper - with two replicas reaping, each expired operation is failed exactly once, with why and attention", async () => {
    const apps = await Promise.all(Array.from({ length: 6 }, (_, i) => lc.running(owner, `slow-${i}`)));
    for (const app of apps) await t.gateway.requestAppAction({ appId: app.id, action: "restart" }, as(owner));
    const operations = await Promise.all(apps.map((a) => lc.operationOf(a.id)));
    const untouched = await lc.running(owner, "on-time");
    await t.gateway.requestAppAction({ appId: untouched.id, action: "stop" }, as(owner));
    await expire(operations);

    for (const app of apps) {
      const row = await lc.waitFor(app.id, "error");
      expect(row.status_message).toMatch(/^Restart did not finish within 10 minutes and was marked failed/);
      expect(row.current_operation_id).toBeNull();
      expect(row.attention).toBe(row.status_message);
      expect(row.attention_kind).toBe("operation_timed_out");
    }
    // Give both reapers a few more passes: nothing is failed twice.
    await new Promise((r) => setTimeout(r, 500));
    const events = await outboxEvents(t.db);
    for (const [i, app] of apps.entries()) {
      const mine = events.filter((e) => e.subject === app.id);
      expect(mine.filter((e) => e.name === "AppOperationFailed").map((e) => e.payload.operationId)).toEqual([
        operations[i],
      ]);
      expect(mine.filter((e) => e.name === "AppNeedsAttention")).toHaveLength(1);
      const failedLines = await t.db
        .selectFrom("deployment_logs")
        .select("id")
        .where("app_id", "=", app.id)
        .where("step", "=", "failed")
        .execute();
      expect(failedLines).toHaveLength(1);
    }
    const statuses = await t.db
      .selectFrom("app_operations")
      .select("status")
      .where("id", "in", operations)
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(operations.map(() => "timed_out"));
    // An operation within its deadline is left alone.
    expect((await lc.row(untouched.id)).status).toBe("stopping");
  });

  it("reaper - an operation whose settlement fails is left for the next pass; the others are failed meanwhile", async () => {
    const [stuck, other] = await Promise.all([lc.running(owner, "poisoned"), lc.running(owner, "healthy")]);
    for (const app of [stuck!, other!])
      await t.gateway.requestAppAction({ appId: app.id, action: "restart" }, as(owner));
    const [stuckOp, otherOp] = await Promise.all([lc.operationOf(stuck!.id), lc.operationOf(other!.id)]);
    // The database refuses to settle one of the two apps, as any failure of its settlement would.
    await sql`create sequence refused_settlements`.execute(t.db);
    await sql`create function refuse_settlement() returns trigger language plpgsql as $$
      begin
        if new.id = ${sql.lit(stuck!.id)}::uuid and new.status = 'error' then
          perform nextval('refused_settlements');
          raise exception 'settlement refused by the test';
        end if;
        return new;
      end $$`.execute(t.db);
    await sql`create trigger refuse_settlement before update on apps
      for each row execute function refuse_settlement()`.execute(t.db);
    try {
      // The refused one is the older (claimed first every pass): a pass must go on past it.
      await t.db
        .updateTable("app_operations")
        .set({
          deadline_at: sql<Date>`now() - case when id = ${stuckOp}::uuid then interval '2 seconds' else interval '1 second' end`,
        })
        .where("id", "in", [stuckOp!, otherOp!])
        .execute();
      expect((await lc.waitFor(other!.id, "error")).attention_kind).toBe("operation_timed_out");
      // Several passes of both reapers later, the refused one is still running, untouched.
      await new Promise((r) => setTimeout(r, 500));
      expect((await lc.row(stuck!.id)).status).toBe("restarting");
      const op = await t.db
        .selectFrom("app_operations")
        .select("status")
        .where("id", "=", stuckOp)
        .executeTakeFirstOrThrow();
      expect(op.status).toBe("running");
      // Its deadline was moved on (behind what fell due meanwhile), not left the oldest.
      const { rows: moved } = await sql<{
        later: boolean;
      }>`select deadline_at > now() - interval '1 second' as later
        from app_operations where id = ${stuckOp}::uuid`.execute(t.db);
      expect(moved[0]?.later).toBe(true);
      // Tried once a pass at most (2 reapers, 100 ms), not again and again within a pass.
      const { rows } = await sql<{ n: string }>`select last_value as n from refused_settlements`.execute(
        t.db,
      );
      expect(Number(rows[0]!.n)).toBeLessThan(40);
    } finally {
      await sql`drop trigger refuse_settlement on apps`.execute(t.db);
      await sql`drop function refuse_settlement()`.execute(t.db);
      await sql`drop sequence refused_settlements`.execute(t.db);
    }
    // Once its settlement can succeed, the next pass fails it, once.
    expect((await lc.waitFor(stuck!.id, "error")).attention_kind).toBe("operation_timed_out");
    const failed = (await outboxEvents(t.db)).filter(
      (e) => e.subject === stuck!.id && e.name === "AppOperationFailed",
    );
    expect(failed.map((e) => e.payload.operationId)).toEqual([stuckOp]);
  });

  it("reaper - a result arriving after the timeout is ignored; the app stays in error until the owner acts", async () => {
    const app = await lc.running(owner, "late-result");
    await t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(owner));
    const op = await lc.operationOf(app.id);
    await expire([op]);
    await lc.waitFor(app.id, "error");
    const eventId = randomUUID();
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        operationId: op,
        appId: app.id,
        kind: Kind.OPERATION_KIND_STOP,
      }),
      eventId,
    );
    // Handled (its inbox row is written in the handler's transaction) and ignored.
    await eventually(() =>
      t.db.selectFrom("inbox").select("event_id").where("event_id", "=", eventId).executeTakeFirst(),
    );
    expect((await lc.row(app.id)).status).toBe("error");
    // From error the owner can delete it.
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(owner));
    expect((await lc.row(app.id)).status).toBe("removing");
  });

  it("reaper - a timed-out deploy gives its port back", async () => {
    const app = await lc.deploy(owner, "slow-deploy");
    await expire([await lc.operationOf(app.id)]);
    const row = await lc.waitFor(app.id, "error");
    expect(row.public_port).toBeNull();
    await eventually(
      async () =>
        (await t.db.selectFrom("port_allocations").select("port").where("app_id", "=", app.id).execute())
          .length === 0,
    );
  });

  it("reaper - a deploy that succeeds after its timeout gets its container recorded: retry refused, delete destroys it", async () => {
    const app = await lc.deploy(owner, "late-deploy");
    const op = await lc.operationOf(app.id);
    await expire([op]);
    await lc.waitFor(app.id, "error");
    const eventId = randomUUID();
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        operationId: op,
        appId: app.id,
        kind: Kind.OPERATION_KIND_DEPLOY,
        vmid: 4242,
        ipAddress: "10.0.0.42",
        containerStatus: "running",
      }),
      eventId,
    );
    await eventually(() =>
      t.db.selectFrom("inbox").select("event_id").where("event_id", "=", eventId).executeTakeFirst(),
    );
    const row = await lc.row(app.id);
    expect(row).toMatchObject({ status: "error", vmid: 4242, ip_address: "10.0.0.42" });
    // The container exists: a retry would make a second one.
    await expect(t.gateway.requestAppAction({ appId: app.id, action: "retry" }, as(owner))).rejects.toThrow(
      /container/i,
    );
    const deleted = await t.gateway.deleteApp(
      { appId: app.id, destroyContainer: false, deleteBackups: false },
      as(owner),
    );
    expect(deleted.app?.vmid).toBe(4242);
  });

  it("reaper - a late result naming a container another app holds, or another app, records nothing and is handled once", async () => {
    const holder = await lc.running(owner, "holds-4343");
    await t.db.updateTable("apps").set({ vmid: 4343 }).where("id", "=", holder.id).execute();
    const app = await lc.deploy(owner, "late-clash");
    const op = await lc.operationOf(app.id);
    await expire([op]);
    await lc.waitFor(app.id, "error");
    const late = (appId: string, vmid: number) =>
      provisionerEventsV1.OperationSucceeded.fromPartial({
        operationId: op,
        appId,
        kind: Kind.OPERATION_KIND_DEPLOY,
        vmid,
        containerStatus: "running",
      });
    const clash = randomUUID();
    const misrouted = randomUUID();
    await t.publish(Events.OperationSucceeded, late(app.id, 4343), clash);
    await t.publish(Events.OperationSucceeded, late(holder.id, 4444), misrouted);
    // Both handled (inbox rows committed): the first would have aborted its transaction on the
    // unique index and been redelivered until dead-lettered.
    for (const eventId of [clash, misrouted]) {
      await eventually(() =>
        t.db.selectFrom("inbox").select("event_id").where("event_id", "=", eventId).executeTakeFirst(),
      );
    }
    expect((await lc.row(app.id)).vmid).toBeNull();
    expect((await lc.row(holder.id)).vmid).toBe(4343);
  });

  it("reaper - after a delete that timed out, power actions are refused (the delete may still run); deleting again is offered", async () => {
    const app = await lc.running(owner, "slow-delete");
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(owner));
    await expire([await lc.operationOf(app.id)]);
    await lc.waitFor(app.id, "error");
    for (const action of ["start", "stop", "restart"]) {
      await expect(t.gateway.requestAppAction({ appId: app.id, action }, as(owner))).rejects.toThrow(
        "Cannot act on the app: its deletion did not finish in time; delete it again",
      );
    }
    expect(await lc.row(app.id)).toMatchObject({ status: "error", current_operation_id: null });
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(owner));
    expect((await lc.row(app.id)).status).toBe("removing");
  });

  it("reaper - the timed-out attention clears when a later operation succeeds", async () => {
    const app = await lc.running(owner, "recovers");
    await t.gateway.requestAppAction({ appId: app.id, action: "restart" }, as(owner));
    await expire([await lc.operationOf(app.id)]);
    expect((await lc.waitFor(app.id, "error")).attention_kind).toBe("operation_timed_out");
    // The owner deletes it (from error); the delete succeeds: the attention is gone with it.
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(owner));
    const op = await lc.operationOf(app.id);
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        operationId: op,
        appId: app.id,
        kind: Kind.OPERATION_KIND_DELETE,
      }),
      randomUUID(),
    );
    const gone = await lc.waitFor(app.id, "gone");
    expect(gone.attention).toBe("");
    expect(gone.attention_kind).toBeNull();
  });

  it("reaper - a timed-out backup leaves the app as it was, with why and attention; the app is free again", async () => {
    const app = await lc.running(owner, "slow-backup");
    const operationId = randomUUID();
    await t.backups.beginArchiveOperation(
      { appId: app.id, kind: "backup", operationId, backupId: randomUUID() },
      as(owner),
    );
    await expire([operationId]);
    const row = await eventually(async () => {
      const r = await lc.row(app.id);
      return r.current_operation_id === null && r;
    });
    expect(row).toMatchObject({ status: "running", attention_kind: "operation_timed_out" });
    // The configured default deadline (6 h) is the one the message gives.
    expect(row.status_message).toBe(
      "Backup did not finish within 360 minutes and was marked failed; check the container on the host before backing it up again",
    );
    const failed = (await outboxEvents(t.db, app.id)).filter((e) => e.name === "AppOperationFailed");
    expect(failed.map((e) => [e.payload.operation, e.payload.status])).toEqual([["backup", "running"]]);
    await t.gateway.requestAppAction({ appId: app.id, action: "stop" }, as(owner));
  });

  it("reaper - a timed-out restore into a new app is error without its port; a late success records its container", async () => {
    const source = await lc.running(owner, "restore-source");
    const operationId = randomUUID();
    const { app } = await t.backups.restoreIntoNewApp(
      {
        sourceAppId: source.id,
        newHostname: "slow-restore",
        operationId,
        backupId: randomUUID(),
        hostId: "host-a",
        node: "pve1",
      },
      as(owner),
    );
    await expire([operationId]);
    const row = await lc.waitFor(app!.id, "error");
    expect(row.public_port).toBeNull();
    expect(row.status_message).toMatch(/^Restore did not finish within 360 minutes/);
    const eventId = randomUUID();
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        operationId,
        appId: app!.id,
        kind: Kind.OPERATION_KIND_RESTORE,
        hostId: "host-a",
        node: "pve1",
        vmid: 4545,
        containerStatus: "running",
      }),
      eventId,
    );
    await eventually(() =>
      t.db.selectFrom("inbox").select("event_id").where("event_id", "=", eventId).executeTakeFirst(),
    );
    expect(await lc.row(app!.id)).toMatchObject({ status: "error", vmid: 4545 });
  });
});
