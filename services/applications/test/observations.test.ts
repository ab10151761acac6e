import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { NotFoundError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { applicationsEventsV1, applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually, statementCounter, uniqueName } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAppWithMetrics } from "../src/app/get-app.js";
import { recordMetrics } from "../src/db/app-metrics.repository.js";
import type { AppStatus } from "../src/domain/app-status.js";
import { OBSERVATIONS_DURABLE } from "../src/events/durables.js";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

const { AppStatus: Status } = applicationsV1;
const { AttentionKind } = applicationsEventsV1;
const listAll: applicationsV1.ListAppsRequest = { status: "", search: "", page: 0, perPage: 0, cursor: "" };

/** Settled long before any observation of these tests (see SETTLE_GRACE_MS). */
const SETTLED_AT = new Date(Date.now() - 10 * 60_000);

interface PlacedAppSpec {
  readonly owner: EndUser;
  readonly hostId: string;
  readonly node?: string;
  readonly vmid: number;
  readonly status?: AppStatus;
  /** An operation in flight on the app (e.g. the source of a running clone). */
  readonly operation?: "clone" | "stop" | "backup" | "restore";
}

describe("container observations", () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });

  afterAll(async () => {
    await t?.close();
  });

  /** An app as the life cycle leaves it, written directly: these tests are about what happens next. */
  const placeApp = async (spec: PlacedAppSpec): Promise<string> => {
    const id = randomUUID();
    await t.db
      .insertInto("apps")
      .values({
        id,
        owner_id: spec.owner.id,
        catalog_id: "hello-nginx",
        hostname: uniqueName("app-"),
        status: spec.status ?? "running",
        host_id: spec.hostId,
        node: spec.node ?? "pve1",
        vmid: spec.vmid,
        port: 80,
        ip_address: null,
        environment: "{}",
        current_operation_id: spec.operation ? randomUUID() : null,
        current_operation: spec.operation ?? null,
        idempotency_key: null,
        updated_at: SETTLED_AT,
      })
      .execute();
    return id;
  };

  const container = (vmid: number, overrides: Partial<provisionerEventsV1.ContainerObservation> = {}) =>
    provisionerEventsV1.ContainerObservation.fromPartial({
      vmid,
      name: `ct${vmid}`,
      status: "running",
      cpu: 0.1,
      memBytes: 1_000,
      maxMemBytes: 2_000,
      diskBytes: 3_000,
      maxDiskBytes: 4_000,
      uptimeSeconds: 60,
      tags: "proximity",
      ...overrides,
    });

  const inboxRows = (eventId: string) =>
    t.db.selectFrom("inbox").select("consumer").where("event_id", "=", eventId).execute();

  /** Publishes an observation as the provisioner does and waits until the service handled it. */
  const observe = async (
    hostId: string,
    node: string,
    containers: provisionerEventsV1.ContainerObservation[],
    { observedAt = new Date(), eventId = randomUUID() } = {},
  ) => {
    const event = provisionerEventsV1.ContainersObserved.fromPartial({
      hostId,
      node,
      observedAt,
      containers,
    });
    await t.publish(Events.ContainersObserved, event, eventId);
    await eventually(async () => (await inboxRows(eventId)).length > 0, { what: `observation ${eventId}` });
    return eventId;
  };

  const getApp = async (id: string, viewer: EndUser) => (await t.gateway.getApp({ id }, as(viewer))).app!;

  const attentionEvents = async (appId: string) => {
    const rows = await t.db
      .selectFrom("outbox")
      .select("payload")
      .where("type", "=", Events.AppNeedsAttention.type)
      .orderBy("seq")
      .execute();
    return rows
      .map((r) => Events.AppNeedsAttention.codec.decode(r.payload))
      .filter((e) => e.app?.appId === appId);
  };

  const logsOf = async (appId: string) =>
    t.db
      .selectFrom("deployment_logs")
      .select(["level", "step", "message"])
      .where("app_id", "=", appId)
      .orderBy("id")
      .execute();

  const storedMetrics = (appId: string) =>
    t.db.selectFrom("app_metrics").selectAll().where("app_id", "=", appId).executeTakeFirst();

  it("metrics - recorded for the live apps on the observed host and node only, shown to their owners only", async () => {
    const alice = newUser();
    const bob = newUser();
    const host = uniqueName("host-");
    const otherHost = uniqueName("host-");
    const gone = await placeApp({ owner: alice, hostId: host, vmid: 101, status: "gone" });
    const mine = await placeApp({ owner: alice, hostId: host, vmid: 101 });
    const bobs = await placeApp({ owner: bob, hostId: host, vmid: 102 });
    const elsewhere = await placeApp({ owner: alice, hostId: otherHost, vmid: 102 });
    const otherNode = await placeApp({ owner: alice, hostId: host, node: "pve2", vmid: 103 });
    const observedAt = new Date(Date.now() - 1_000);
    await observe(
      host,
      "pve1",
      [
        container(101, {
          cpu: 0.25,
          memBytes: 100,
          maxMemBytes: 1_000,
          diskBytes: 5,
          maxDiskBytes: 50,
          uptimeSeconds: 3_600,
        }),
        container(102, { cpu: 0.5 }),
        container(103, { cpu: 0.9 }),
        container(999, { cpu: 0.99 }),
      ],
      { observedAt },
    );

    const app = await getApp(mine, alice);
    expect(app.metrics).toEqual({
      cpu: 0.25,
      memBytes: 100,
      maxMemBytes: 1_000,
      diskBytes: 5,
      maxDiskBytes: 50,
      sampledAt: observedAt,
    });
    expect(app.uptimeSeconds).toBe(3_600);
    expect((await getApp(bobs, bob)).metrics?.cpu).toBe(0.5);
    await expect(t.gateway.getApp({ id: bobs }, as(alice))).rejects.toBeInstanceOf(NotFoundError);

    const list = await t.gateway.listApps(listAll, as(alice));
    const byId = new Map(list.items.map((a) => [a.id, a]));
    expect([...byId.keys()].sort()).toEqual([mine, elsewhere, otherNode].sort());
    expect(byId.get(mine)?.metrics?.cpu).toBe(0.25);
    expect(byId.get(mine)?.uptimeSeconds).toBe(3_600);
    expect(byId.get(elsewhere)?.metrics).toBeUndefined();
    expect(byId.get(otherNode)?.metrics).toBeUndefined();
    expect(byId.get(otherNode)?.uptimeSeconds).toBe(0);
    // A gone app keeps no figures of the container that now belongs to another app.
    expect(await storedMetrics(gone)).toBeUndefined();
    expect(await storedMetrics(elsewhere)).toBeUndefined();
  });

  it("metrics - a snapshot older than the staleness reads as unknown", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const id = await placeApp({ owner, hostId: host, vmid: 101 });
    await observe(host, "pve1", [container(101, { cpu: 0.3 })], {
      observedAt: new Date(Date.now() - 3 * 60_000),
    });
    expect((await storedMetrics(id))?.cpu).toBe(0.3);
    const app = await getApp(id, owner);
    expect(app.metrics).toBeUndefined();
    expect(app.uptimeSeconds).toBe(0);
    const listed = (await t.gateway.listApps(listAll, as(owner))).items.find((a) => a.id === id);
    expect(listed?.metrics).toBeUndefined();
  });

  it("metrics - an app is read with its fresh metrics in one statement, and another user's is not found", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const id = await placeApp({ owner, hostId: host, vmid: 101 });
    await observe(host, "pve1", [container(101, { cpu: 0.4, uptimeSeconds: 60 })], {
      observedAt: new Date(Date.now() - 1_000),
    });
    const counter = statementCounter();
    const read = await getAppWithMetrics(t.db.withPlugin(counter.plugin), id, owner, 60_000);
    expect(counter.sent).toBe(1);
    expect(read.app).toMatchObject({ id, owner_id: owner.id, status: "running" });
    expect(read.metrics).toMatchObject({ app_id: id, cpu: 0.4, uptime_seconds: 60 });
    // Older than the staleness asked for: the app without metrics.
    expect((await getAppWithMetrics(t.db, id, owner, 500)).metrics).toBeUndefined();
    await expect(getAppWithMetrics(t.db, id, newUser(), 60_000)).rejects.toBeInstanceOf(NotFoundError);
    expect((await getAppWithMetrics(t.db, id, newUser(true), 60_000)).app.id).toBe(id);
  });

  it("ordering - an observation older than the node's latest is ignored whole", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const id = await placeApp({ owner, hostId: host, vmid: 101 });
    const newer = new Date(Date.now() - 1_000);
    await observe(host, "pve1", [container(101, { cpu: 0.7 })], { observedAt: newer });
    // Arrives late: taken before the one above, when the container was missing.
    await observe(host, "pve1", [], { observedAt: new Date(newer.getTime() - 10_000) });
    const app = await getApp(id, owner);
    expect(app.metrics).toMatchObject({ cpu: 0.7, sampledAt: newer });
    expect(app.attention).toBe("");
    expect(await attentionEvents(id)).toEqual([]);
  });

  it("ordering - an app's metrics are only replaced by a newer snapshot", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const id = await placeApp({ owner, hostId: host, vmid: 101 });
    const at = { hostId: host, node: "pve1" };
    const newer = new Date(Date.now() - 1_000);
    const measure = (cpu: number) => ({ ...container(101, { cpu }) });
    expect(await recordMetrics(t.db, at, newer, [measure(0.7)])).toBe(1);
    expect(await recordMetrics(t.db, at, new Date(newer.getTime() - 5_000), [measure(0.1)])).toBe(0);
    expect(await storedMetrics(id)).toMatchObject({ cpu: 0.7, observed_at: newer });
  });

  it("missing container - attention, a warn line and exactly one AppNeedsAttention for two observations", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const id = await placeApp({ owner, hostId: host, vmid: 101 });
    await observe(host, "pve1", [container(555)]);
    await observe(host, "pve1", [container(555)]);

    const app = await getApp(id, owner);
    const reason = "Container 101 was not found on node pve1: it was removed outside Proximity";
    expect(app).toMatchObject({ status: Status.APP_STATUS_RUNNING, attention: reason });
    expect(await logsOf(id)).toEqual([{ level: "warn", step: "attention", message: reason }]);
    const events = await attentionEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: AttentionKind.ATTENTION_KIND_CONTAINER_MISSING,
      reason,
      app: { appId: id, ownerId: owner.id, hostId: host, node: "pve1", vmid: 101 },
    });
    const row = await t.db
      .selectFrom("apps")
      .select(["attention_kind", "attention_since"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.attention_kind).toBe("container_missing");
    expect(row.attention_since).toBeInstanceOf(Date);
  });

  it("changed outside - reported with the observed state, the status kept; back to normal clears it", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const running = await placeApp({ owner, hostId: host, vmid: 101 });
    const stopped = await placeApp({ owner, hostId: host, vmid: 102, status: "stopped" });
    await observe(host, "pve1", [
      container(101, { status: "stopped" }),
      container(102, { status: "running" }),
    ]);

    const app = await getApp(running, owner);
    expect(app.status).toBe(Status.APP_STATUS_RUNNING);
    expect(app.attention).toBe(
      "Container 101 is stopped but the app is running: it was changed outside Proximity",
    );
    expect(await attentionEvents(running)).toMatchObject([
      { kind: AttentionKind.ATTENTION_KIND_CHANGED_OUTSIDE, reason: app.attention },
    ]);
    expect((await getApp(stopped, owner)).status).toBe(Status.APP_STATUS_STOPPED);
    expect(await attentionEvents(stopped)).toMatchObject([
      { kind: AttentionKind.ATTENTION_KIND_CHANGED_OUTSIDE },
    ]);

    // Someone put things back on the host.
    await observe(host, "pve1", [
      container(101, { status: "running" }),
      container(102, { status: "stopped" }),
    ]);
    expect((await getApp(running, owner)).attention).toBe("");
    expect((await getApp(stopped, owner)).attention).toBe("");
    expect((await logsOf(running)).map((l) => [l.level, l.step])).toEqual([
      ["warn", "attention"],
      ["info", "attention-cleared"],
    ]);
    expect(await attentionEvents(running)).toHaveLength(1);
    const row = await t.db
      .selectFrom("apps")
      .select(["attention_kind", "attention_since"])
      .where("id", "=", running)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ attention_kind: null, attention_since: null });
  });

  it("left alone - apps with an operation in flight (clone, stop, backup, restore) or in error are not reconciled", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const cloneSource = await placeApp({ owner, hostId: host, vmid: 101, operation: "clone" });
    const stopping = await placeApp({
      owner,
      hostId: host,
      vmid: 102,
      status: "stopping",
      operation: "stop",
    });
    const failed = await placeApp({ owner, hostId: host, vmid: 103, status: "error" });
    // A backup keeps the app running (vzdump may stop the container for a while); a restore
    // replaces the container: neither may be reported as a change made outside Proximity.
    const backingUp = await placeApp({ owner, hostId: host, vmid: 105, operation: "backup" });
    const restoring = await placeApp({
      owner,
      hostId: host,
      vmid: 106,
      status: "restoring",
      operation: "restore",
    });
    const control = await placeApp({ owner, hostId: host, vmid: 104 });
    await observe(host, "pve1", []);

    for (const id of [cloneSource, stopping, failed, backingUp, restoring]) {
      expect((await getApp(id, owner)).attention, id).toBe("");
      expect(await logsOf(id)).toEqual([]);
      expect(await attentionEvents(id)).toEqual([]);
    }
    // The same observation did reach the node's settled apps.
    expect((await getApp(control, owner)).attention).not.toBe("");
  });

  it("silence - apps on a host or node that published nothing are not touched", async () => {
    const owner = newUser();
    const answering = uniqueName("host-");
    const unreachable = uniqueName("host-");
    const observed = await placeApp({ owner, hostId: answering, vmid: 101 });
    const otherNode = await placeApp({ owner, hostId: answering, node: "pve2", vmid: 102 });
    const onUnreachable = await placeApp({ owner, hostId: unreachable, vmid: 101 });
    // Only pve1 of the answering host reported (its containers elsewhere, 101 missing).
    await observe(answering, "pve1", [container(102), container(777)]);

    expect((await getApp(observed, owner)).attention).not.toBe("");
    for (const id of [otherNode, onUnreachable]) {
      const app = await getApp(id, owner);
      expect(app).toMatchObject({ status: Status.APP_STATUS_RUNNING, attention: "", metrics: undefined });
      expect(await logsOf(id)).toEqual([]);
      expect(await attentionEvents(id)).toEqual([]);
    }
  });

  it("redelivery - the same observation delivered twice is handled once", async () => {
    const owner = newUser();
    const host = uniqueName("host-");
    const id = await placeApp({ owner, hostId: host, vmid: 101 });
    const eventId = randomUUID();
    const observedAt = new Date(Date.now() - 1_000);
    await observe(host, "pve1", [container(101, { status: "stopped" })], { observedAt, eventId });
    await observe(host, "pve1", [container(101, { status: "stopped" })], { observedAt, eventId });
    // Observations are handled in order: once this newer one is in, the repeat above was handled.
    await observe(host, "pve1", [container(101, { status: "stopped" })]);

    expect(await inboxRows(eventId)).toEqual([{ consumer: OBSERVATIONS_DURABLE }]);
    expect((await logsOf(id)).filter((l) => l.step === "attention")).toHaveLength(1);
    expect(await attentionEvents(id)).toHaveLength(1);
  });
});
