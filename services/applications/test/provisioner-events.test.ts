import { randomUUID } from "node:crypto";
import { Events, streamName } from "@proximity/bus";
import { applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRef } from "../src/app/app-events.js";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { outboxEvents } from "./support/outbox.js";

const DEPLOY = provisionerEventsV1.OperationKind.OPERATION_KIND_DEPLOY;

describe("provisioner events", () => {
  let t: Harness;
  const owner = newUser();

  /** An app whose deployment stays in flight: its progress lines mark how far the consumer got. */
  let markerOp: { appId: string; operationId: string };

  beforeAll(async () => {
    t = await startHarness();
    markerOp = await deployed("marker-app");
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Deploys an app and reads its operation id from the request on the bus, as the provisioner would. */
  const deployed = async (hostname: string) => {
    const { app } = await t.gateway.deployApp(
      { catalogId: "uptime-kuma", hostname, hostId: "", node: "", environment: {}, idempotencyKey: "" },
      as(owner),
    );
    const request = await eventually(() => t.findDeployRequest(app!.id), { what: "deploy request" });
    return { appId: app!.id, operationId: request.payload.operationId };
  };

  const progress = (op: { appId: string; operationId: string }, step: string, message: string) =>
    provisionerEventsV1.OperationProgressed.fromPartial({ ...op, kind: DEPLOY, step, message, attempt: 1 });

  const logsOf = async (appId: string) =>
    (await t.gateway.listAppLogs({ appId, limit: 0, afterId: 0, beforeId: 0 }, as(owner))).items;

  /**
   * Events of one consumer are handled in order: once the marker is logged, everything published
   * before it was handled. The marker goes to an app whose operation is still running (progress of
   * a finished operation is ignored).
   */
  const publishMarkerAndWait = async () => {
    const marker = `marker ${randomUUID()}`;
    await t.publish(Events.OperationProgressed, progress(markerOp, "marker", marker));
    await eventually(async () => (await logsOf(markerOp.appId)).some((l) => l.message === marker), {
      what: marker,
    });
  };

  it("OperationProgressed - appends a log line with step and message", async () => {
    const op = await deployed("kuma-progress");
    await t.publish(
      Events.OperationProgressed,
      progress(op, "create_container", "Creating container 104 on pve1"),
    );
    const lines = await eventually(async () => {
      const logs = await logsOf(op.appId);
      return logs.length === 2 && logs;
    });
    expect(lines[1]).toMatchObject({
      level: "info",
      step: "create_container",
      message: "Creating container 104 on pve1",
    });
  });

  it("OperationProgressed - an event of several lines appends them all, in order, once", async () => {
    const op = await deployed("kuma-batch");
    const eventId = randomUUID();
    const batch = provisionerEventsV1.OperationProgressed.fromPartial({
      ...progress(op, "create_container", "Creating container 105 on pve1"),
      later: [
        { step: "start_container", message: "Starting container 105", attempt: 1 },
        { step: "attempt-failed", message: "Attempt 1 failed: the node went away", attempt: 1 },
      ],
    });
    await t.publish(Events.OperationProgressed, batch, eventId);
    await t.publish(Events.OperationProgressed, batch, eventId);
    await publishMarkerAndWait();
    const logs = await logsOf(op.appId);
    expect(logs.slice(1).map(({ level, step, message }) => ({ level, step, message }))).toEqual([
      { level: "info", step: "create_container", message: "Creating container 105 on pve1" },
      { level: "info", step: "start_container", message: "Starting container 105" },
      { level: "warn", step: "attempt-failed", message: "Attempt 1 failed: the node went away" },
    ]);
  });

  it("OperationsProgressed - each running operation's lines go to its app, in order, once; the others' are skipped", async () => {
    const first = await deployed("kuma-batch-a");
    const second = await deployed("kuma-batch-b");
    const finished = await deployed("kuma-batch-finished");
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        ...finished,
        kind: DEPLOY,
        hostId: "host-a",
        vmid: 140,
      }),
    );
    const eventId = randomUUID();
    const event = provisionerEventsV1.OperationsProgressed.fromPartial({
      operations: [
        {
          ...progress(first, "create_container", "Creating container 141"),
          later: [{ step: "start", message: "Starting 141" }],
        },
        progress(finished, "late_step", "after the result"),
        progress({ appId: first.appId, operationId: "not-a-uuid" }, "ghost", "of no operation"),
        {
          ...progress(second, "create_container", "Creating container 142"),
          later: [{ step: "attempt-failed", message: "Attempt 1 failed" }],
        },
        {
          ...progress(first, "archive", "an archive deletion's line"),
          kind: provisionerEventsV1.OperationKind.OPERATION_KIND_DELETE_BACKUP,
        },
      ],
    });
    await t.publish(Events.OperationsProgressed, event, eventId);
    await t.publish(Events.OperationsProgressed, event, eventId);
    await publishMarkerAndWait();
    const lines = async (appId: string) =>
      (await logsOf(appId)).slice(1).map(({ level, step, message }) => ({ level, step, message }));
    expect(await lines(first.appId)).toEqual([
      { level: "info", step: "create_container", message: "Creating container 141" },
      { level: "info", step: "start", message: "Starting 141" },
    ]);
    expect(await lines(second.appId)).toEqual([
      { level: "info", step: "create_container", message: "Creating container 142" },
      { level: "warn", step: "attempt-failed", message: "Attempt 1 failed" },
    ]);
    expect((await lines(finished.appId)).map((l) => l.step)).not.toContain("late_step");
  });

  it("OperationProgressed - an oversized event is kept within bounds: 100 lines, 2,000 characters, no NUL", async () => {
    const op = await deployed("kuma-oversized");
    const later = Array.from({ length: 149 }, (_, i) => ({
      step: "s",
      message: `line\u0000 ${i + 2}`,
      attempt: 1,
    }));
    await t.publish(
      Events.OperationProgressed,
      provisionerEventsV1.OperationProgressed.fromPartial({
        ...progress(op, "big", "x".repeat(5_000)),
        later,
      }),
    );
    await publishMarkerAndWait();
    const logs = await t.db
      .selectFrom("deployment_logs")
      .select("message")
      .where("app_id", "=", op.appId)
      .where("step", "in", ["big", "s"])
      .orderBy("id")
      .execute();
    expect(logs).toHaveLength(100);
    expect(logs[0]?.message).toBe("x".repeat(2_000));
    expect(logs.at(-1)?.message).toBe("line 100");
  });

  it("OperationsProgressed - an oversized event is kept within bounds: 500 lines in all", async () => {
    const op = await deployed("kuma-oversized-batch");
    const entry = (n: number) => ({
      ...progress(op, "many", `entry ${n} line 1`),
      later: Array.from({ length: 99 }, (_, i) => ({
        step: "many",
        message: `entry ${n} line ${i + 2}`,
        attempt: 1,
      })),
    });
    await t.publish(
      Events.OperationsProgressed,
      provisionerEventsV1.OperationsProgressed.fromPartial({
        operations: Array.from({ length: 8 }, (_, n) => entry(n)),
      }),
    );
    await publishMarkerAndWait();
    const logs = await t.db
      .selectFrom("deployment_logs")
      .select("message")
      .where("app_id", "=", op.appId)
      .where("step", "=", "many")
      .orderBy("id")
      .execute();
    expect(logs).toHaveLength(500);
    expect(logs.at(-1)?.message).toBe("entry 4 line 100");
  });

  it("OperationSucceeded - the app becomes running with its container; a repeated result is a no-op", async () => {
    const op = await deployed("kuma-ok");
    const succeeded = provisionerEventsV1.OperationSucceeded.fromPartial({
      ...op,
      kind: DEPLOY,
      hostId: "host-a",
      node: "pve2",
      vmid: 104,
      ipAddress: "10.0.0.7",
    });
    await t.publish(Events.OperationSucceeded, succeeded);
    const app = await eventually(async () => {
      const { app } = await t.gateway.getApp({ id: op.appId }, as(owner));
      return app?.status === applicationsV1.AppStatus.APP_STATUS_RUNNING && app;
    });
    expect(app).toMatchObject({
      vmid: 104,
      node: "pve2",
      hostId: "host-a",
      ipAddress: "10.0.0.7",
      statusMessage: "",
    });
    // AppDeployed (made before the settling statement) describes the app as it was stored.
    const stored = await t.db
      .selectFrom("apps")
      .selectAll()
      .where("id", "=", op.appId)
      .executeTakeFirstOrThrow();
    const published = (await outboxEvents(t.db, op.appId)).filter((e) => e.name === "AppDeployed");
    expect(published.map((e) => e.payload)).toEqual([{ app: appRef(stored), operationId: op.operationId }]);
    expect(published[0]?.payload.app).toMatchObject({ vmid: 104, node: "pve2", hostId: "host-a" });

    // The same result again under a new event id (e.g. a provisioner retry after a crash).
    await t.publish(Events.OperationSucceeded, succeeded);
    await publishMarkerAndWait();
    const logs = await logsOf(op.appId);
    expect(logs.filter((l) => l.step === "succeeded").map((l) => l.message)).toEqual([
      "Deployment succeeded: container 104 on pve2 at 10.0.0.7",
    ]);
  });

  it("OperationFailed - the app goes to error with the reason, and the log says why", async () => {
    const op = await deployed("kuma-fail");
    await t.publish(
      Events.OperationFailed,
      provisionerEventsV1.OperationFailed.fromPartial({
        ...op,
        kind: DEPLOY,
        reason: "storage local-lvm is full",
        attempts: 5,
      }),
    );
    const app = await eventually(async () => {
      const { app } = await t.gateway.getApp({ id: op.appId }, as(owner));
      return app?.status === applicationsV1.AppStatus.APP_STATUS_ERROR && app;
    });
    expect(app?.statusMessage).toBe("storage local-lvm is full");
    expect(app?.vmid).toBe(0);
    const last = (await logsOf(op.appId)).at(-1);
    expect(last).toMatchObject({
      level: "error",
      step: "failed",
      message: "Deployment failed after 5 attempts: storage local-lvm is full",
    });
  });

  it("results carrying the operation's last lines log them before the result's, once; a late result's are not logged", async () => {
    const steps = async (appId: string) =>
      (await logsOf(appId)).slice(1).map(({ level, step, message }) => ({ level, step, message }));
    const ok = await deployed("kuma-ok-lines");
    const succeeded = provisionerEventsV1.OperationSucceeded.fromPartial({
      ...ok,
      kind: DEPLOY,
      hostId: "host-a",
      node: "pve2",
      vmid: 150,
      ipAddress: "10.0.0.8",
      progress: [
        { step: "start-app", message: "Starting app\u0000 with docker compose", attempt: 1 },
        { step: "verify-app", message: "Checking the app is running", attempt: 1 },
      ],
    });
    await t.publish(Events.OperationSucceeded, succeeded);
    await t.publish(Events.OperationSucceeded, succeeded); // again, a new event id: late, so nothing logged
    const failing = await deployed("kuma-fail-lines");
    await t.publish(
      Events.OperationFailed,
      provisionerEventsV1.OperationFailed.fromPartial({
        ...failing,
        kind: DEPLOY,
        reason: "storage local-lvm is full",
        attempts: 1,
        progress: [
          { step: "attempt-failed", message: "Attempt 1 failed: storage local-lvm is full", attempt: 1 },
        ],
      }),
    );
    await publishMarkerAndWait();
    expect(await steps(ok.appId)).toEqual([
      { level: "info", step: "start-app", message: "Starting app with docker compose" },
      { level: "info", step: "verify-app", message: "Checking the app is running" },
      {
        level: "info",
        step: "succeeded",
        message: "Deployment succeeded: container 150 on pve2 at 10.0.0.8",
      },
    ]);
    expect((await steps(failing.appId)).map((l) => [l.level, l.step])).toEqual([
      ["warn", "attempt-failed"],
      ["error", "failed"],
    ]);
  });

  it("inbox - the same event id delivered twice is handled once", async () => {
    const op = await deployed("kuma-dup");
    const eventId = randomUUID();
    const event = progress(op, "pull_images", "Pulling images");
    await t.publish(Events.OperationProgressed, event, eventId);
    await t.publish(Events.OperationProgressed, event, eventId);
    await publishMarkerAndWait();
    const logs = await logsOf(op.appId);
    expect(logs.filter((l) => l.step === "pull_images")).toHaveLength(1);
    const inbox = await t.db.selectFrom("inbox").select("consumer").where("event_id", "=", eventId).execute();
    expect(inbox).toEqual([{ consumer: "applications-provisioner-events" }]);
  });

  it("stale results - events of another operation change nothing", async () => {
    const op = await deployed("kuma-stale");
    const stale = { appId: op.appId, operationId: randomUUID() };
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        ...stale,
        kind: DEPLOY,
        hostId: "host-a",
        node: "pve1",
        vmid: 999,
      }),
    );
    await t.publish(Events.OperationProgressed, progress(stale, "stale_step", "from an older operation"));
    await publishMarkerAndWait();
    const { app } = await t.gateway.getApp({ id: op.appId }, as(owner));
    expect(app).toMatchObject({ status: applicationsV1.AppStatus.APP_STATUS_DEPLOYING, vmid: 0 });
    expect((await logsOf(op.appId)).map((l) => l.step)).toEqual(["requested"]);
  });

  it("late progress - a step reported after its operation finished appends nothing", async () => {
    const op = await deployed("kuma-late");
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        ...op,
        kind: DEPLOY,
        hostId: "host-a",
        node: "pve1",
        vmid: 131,
      }),
    );
    await t.publish(Events.OperationProgressed, progress(op, "late_step", "after the result"));
    await publishMarkerAndWait();
    const steps = (await logsOf(op.appId)).map((l) => l.step);
    expect(steps).toContain("succeeded");
    expect(steps).not.toContain("late_step");
  });

  it("unknown apps - results for an app that does not exist are skipped, not retried forever", async () => {
    const ghost = { appId: randomUUID(), operationId: randomUUID() };
    await t.publish(
      Events.OperationFailed,
      provisionerEventsV1.OperationFailed.fromPartial({ ...ghost, reason: "x" }),
    );
    await t.publish(Events.OperationProgressed, progress({ ...ghost, appId: "not-a-uuid" }, "x", "y"));
    // Later events still flow: the consumer was not stuck on the unknown ones.
    await publishMarkerAndWait();
    const ghostRows = await t.db
      .selectFrom("deployment_logs")
      .select("id")
      .where("app_id", "=", ghost.appId)
      .execute();
    expect(ghostRows).toEqual([]);
    // Each was acked on its first delivery: everything delivered is acked, nothing was delivered
    // twice (a nak'd event is redelivered, raising the consumer's delivery count above the stream's)
    // and nothing was dead-lettered.
    const jsm = await t.js.jetstreamManager();
    const info = await eventually(
      async () => {
        const i = await jsm.consumers.info(
          streamName(t.ns, "PROVISIONER"),
          "applications-provisioner-events",
        );
        return i.ack_floor.stream_seq === i.delivered.stream_seq && i.num_ack_pending === 0 && i;
      },
      { timeoutMs: 5_000, what: "every delivered event acked" },
    );
    expect(info.delivered.consumer_seq).toBe(info.delivered.stream_seq);
    expect(info.num_redelivered).toBe(0);
    expect((await jsm.streams.info(streamName(t.ns, "DEAD_LETTERS"))).state.messages).toBe(0);
  });

  it("OperationSucceeded - a container already held by another live app is dead-lettered; the app fails with why", async () => {
    const first = await deployed("kuma-vmid-1");
    const second = await deployed("kuma-vmid-2");
    const onContainer = (op: { appId: string; operationId: string }) =>
      provisionerEventsV1.OperationSucceeded.fromPartial({
        ...op,
        kind: DEPLOY,
        hostId: "host-a",
        node: "pve1",
        vmid: 321,
      });
    await t.publish(Events.OperationSucceeded, onContainer(first));
    await t.publish(Events.OperationSucceeded, onContainer(second));
    await publishMarkerAndWait();
    const apps = await Promise.all(
      [first, second].map(async (op) => (await t.gateway.getApp({ id: op.appId }, as(owner))).app),
    );
    expect(apps.map((a) => a?.status)).toEqual([
      applicationsV1.AppStatus.APP_STATUS_RUNNING,
      applicationsV1.AppStatus.APP_STATUS_ERROR,
    ]);
    // onExhausted recorded the failure: the app does not stay deploying until its deadline.
    expect(apps[1]?.statusMessage).toBe("Container 321 on host host-a is already recorded for another app");
    expect(apps[1]?.vmid).toBe(0);
    const jsm = await t.js.jetstreamManager();
    const deadLetters = await jsm.streams.info(streamName(t.ns, "DEAD_LETTERS"));
    expect(deadLetters.state.messages).toBe(1);
  });
});
