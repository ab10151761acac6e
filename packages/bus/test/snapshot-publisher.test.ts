/**
 * Snapshot events published without the outbox (createSnapshotPublisher), on real JetStream: the
 * message is the relay's (same subject, signed envelope, payload), so a durable consumer verifies
 * and handles it; a retried publish with the same id is dropped by JetStream; any event not marked
 * as a snapshot in the catalog, or another producer's, is refused before anything is sent; a
 * publish JetStream does not acknowledge rejects; each publish is counted and traced.
 */
import { randomUUID } from "node:crypto";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { generateServiceKeys } from "@proximity/identity";
import { metricsRegistry } from "@proximity/metrics";
import { provisionerEventsV1 } from "@proximity/proto";
import { SpanKind } from "@proximity/telemetry";
import { recordingTracer } from "@proximity/telemetry/internal";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import type { StoredMsg } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addToOutbox,
  type Bus,
  connectBus,
  createEventConsumer,
  createMessagingTables,
  createOutboxRelay,
  createSnapshotPublisher,
  Durables,
  dropMessagingTables,
  type EventDefinition,
  type EventSigner,
  Events,
  eventSigner,
  eventVerifier,
  isSnapshotEvent,
  type MessagingTables,
  newTraceparent,
  SIGNATURE_HEADER,
  type SnapshotEventDefinition,
  streamName,
  subjectOf,
  subscribe,
} from "../src/index.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("snapshot-publisher");
const keys = await generateServiceKeys(["provisioner", "applications", "hosts"]);
const signer: EventSigner = eventSigner(keys.get("provisioner")!);
let bus: Bus;
let db: Kysely<MessagingTables>;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  bus = await openTestBus("snapshot-publisher");
  const testDb = await createTestDatabase();
  dropDb = testDb.drop;
  db = createDatabase<MessagingTables>({ url: testDb.url, schema: "bus_snapshots" });
  await migrateToLatest(db, {
    schema: "bus_snapshots",
    migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
  });
});

afterAll(async () => {
  await closeTestBus(bus);
  await db?.destroy();
  await dropDb?.();
});

const observation = (hostId: string) =>
  provisionerEventsV1.ContainersObserved.fromPartial({
    hostId,
    node: "pve1",
    observedAt: new Date(),
    containers: [{ vmid: 101, name: "web", status: "running", maxMemBytes: 512 * 2 ** 20 }],
  });

/** The provisioner stream's messages, oldest first. */
async function provisionerMessages(): Promise<StoredMsg[]> {
  const name = streamName(bus.ns, "PROVISIONER");
  const { state } = await bus.jsm.streams.info(name);
  const out: StoredMsg[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++)
    out.push(await bus.jsm.streams.getMessage(name, { seq }));
  return out;
}

const headersOf = (m: StoredMsg) => Object.fromEntries(m.header.keys().map((k) => [k, m.header.get(k)]));

/** The value of one series of the process registry (undefined when absent). */
async function counted(labels: Record<string, string>): Promise<number> {
  const metric = metricsRegistry().getSingleMetric("proximity_bus_snapshots_published_total");
  const values = metric ? (await metric.get()).values : [];
  const found = values.find((v) =>
    Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l),
  );
  return found?.value ?? 0;
}

describe("snapshot publisher", () => {
  it("catalog - ContainersObserved and BackupsObserved are the only snapshot events", () => {
    const snapshots = Object.values(Events)
      .filter((e) => isSnapshotEvent(e as EventDefinition<unknown>))
      .map((e) => e.type)
      .sort();
    expect(snapshots).toEqual([Events.BackupsObserved.type, Events.ContainersObserved.type]);
  });

  it("snapshot publish - arrives as the relay's message would, and the observations durable verifies and handles it", async () => {
    const handled: { hostId: string; eventId: string; containers: number }[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: Durables.applicationsObservations,
      verifier: eventVerifier(keys.get("applications")!),
      subscriptions: [
        subscribe(Events.ContainersObserved, async (event, ctx) => {
          handled.push({ hostId: event.hostId, eventId: ctx.eventId, containers: event.containers.length });
        }),
      ],
    });
    await consumer.start();
    try {
      const report = observation("host-direct");
      const traceparent = newTraceparent();
      const id = await createSnapshotPublisher({ js: bus.js, ns: bus.ns, signer }).publish(
        Events.ContainersObserved,
        report,
        { traceparent, subject: report.hostId },
      );
      // The same observation through the outbox relay, for comparison.
      const viaOutbox = await addToOutbox(db, Events.ContainersObserved, report, {
        source: "provisioner",
        traceparent,
        subject: report.hostId,
      });
      const relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer });
      expect(await relay.flush()).toBe(1);

      await eventually(async () => handled.length === 2, { what: "both observations handled" });
      expect(handled).toEqual([
        { hostId: "host-direct", eventId: id, containers: 1 },
        { hostId: "host-direct", eventId: viaOutbox, containers: 1 },
      ]);

      const [direct, relayed] = await provisionerMessages();
      expect(direct!.subject).toBe(subjectOf(bus.ns, Events.ContainersObserved.subject));
      expect(direct!.subject).toBe(relayed!.subject);
      expect(Buffer.from(direct!.data)).toEqual(Buffer.from(relayed!.data));
      const h = headersOf(direct!);
      expect(h).toMatchObject({
        "ce-specversion": "1.0",
        "ce-id": id,
        "ce-type": Events.ContainersObserved.type,
        "ce-source": "provisioner",
        "ce-subject": "host-direct",
        traceparent,
        "Nats-Msg-Id": id,
      });
      expect(h[SIGNATURE_HEADER]).toBeTruthy();
      // The very same headers as the relay's (their values differ by id, time and signature only).
      expect(Object.keys(h).sort()).toEqual(Object.keys(headersOf(relayed!)).sort());
    } finally {
      await consumer.stop();
    }
  });

  it("snapshot publish - a retried publish with the same id is dropped as a duplicate", async () => {
    const snapshots = createSnapshotPublisher({ js: bus.js, ns: bus.ns, signer });
    const before = (await provisionerMessages()).length;
    const id = randomUUID();
    const report = observation("host-retried");
    expect(await snapshots.publish(Events.ContainersObserved, report, { id })).toBe(id);
    expect(await snapshots.publish(Events.ContainersObserved, report, { id })).toBe(id);
    const after = await provisionerMessages();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.header.get("ce-id")).toBe(id);
    // A new observation is a new event.
    await snapshots.publish(Events.ContainersObserved, report);
    expect(await provisionerMessages()).toHaveLength(before + 2);
  });

  it("snapshot publish - any event not marked as a snapshot, or another producer's, is refused and nothing is sent", async () => {
    const before = (await provisionerMessages()).length;
    const published = await counted({ service: "provisioner", event: "HostChecked" });
    const snapshots = createSnapshotPublisher({ js: bus.js, ns: bus.ns, signer });
    const notSnapshots = Object.values(Events).filter((e) => !isSnapshotEvent(e as EventDefinition<unknown>));
    expect(notSnapshots.length).toBeGreaterThan(30);
    for (const event of notSnapshots)
      await expect(
        snapshots.publish(
          event as unknown as SnapshotEventDefinition<unknown>,
          (event as EventDefinition<unknown>).codec.fromPartial({}),
        ),
        event.type,
      ).rejects.toThrow(/is not a snapshot event: publish it through the outbox/);
    // The provisioner's own event, forced past the type check with a cast, is refused at run time.
    await expect(
      snapshots.publish(
        Events.HostChecked as unknown as SnapshotEventDefinition<provisionerEventsV1.HostChecked>,
        provisionerEventsV1.HostChecked.fromPartial({ hostId: "h" }),
      ),
    ).rejects.toThrow(/not a snapshot/);
    // A copy of a result flagged as a snapshot by its holder: only the catalog's flag counts.
    const forged = { ...Events.OperationSucceeded, snapshot: true as const };
    await expect(
      snapshots.publish(forged, provisionerEventsV1.OperationSucceeded.fromPartial({ operationId: "o" })),
    ).rejects.toThrow(/not a snapshot/);
    // Signed as another service: its consumers would refuse it, so it is not sent.
    const asHosts = createSnapshotPublisher({
      js: bus.js,
      ns: bus.ns,
      signer: eventSigner(keys.get("hosts")!),
    });
    await expect(asHosts.publish(Events.ContainersObserved, observation("h"))).rejects.toThrow(
      /published by provisioner, not hosts/,
    );
    expect(await provisionerMessages()).toHaveLength(before);
    // A refusal is a programming error, not a failed publish: not counted.
    expect(await counted({ service: "provisioner", event: "HostChecked" })).toBe(published);
  });

  it("snapshot publish - rejects when JetStream does not acknowledge, and counts published and failed", async () => {
    const labels = { service: "provisioner", event: "BackupsObserved" };
    const published = await counted({ ...labels, result: "published" });
    const failed = await counted({ ...labels, result: "failed" });
    const report = provisionerEventsV1.BackupsObserved.fromPartial({
      hostId: "h",
      node: "pve1",
      storage: "local",
      observedAt: new Date(),
    });
    await createSnapshotPublisher({ js: bus.js, ns: bus.ns, signer }).publish(Events.BackupsObserved, report);
    expect(await counted({ ...labels, result: "published" })).toBe(published + 1);
    // A namespace whose streams nobody declared: no stream takes the subject, nothing acknowledges.
    const bare = await connectBus({
      servers: testServers().natsUrl,
      name: "snapshot-publisher-bare",
      ns: uniqueNamespace(),
      logger,
    });
    try {
      await expect(
        createSnapshotPublisher({ js: bare.js, ns: bare.ns, signer }).publish(Events.BackupsObserved, report),
      ).rejects.toThrow();
    } finally {
      await bare.close();
    }
    expect(await counted({ ...labels, result: "failed" })).toBe(failed + 1);
    expect(await counted({ ...labels, result: "published" })).toBe(published + 1);
  });

  it("snapshot publish - a producer span, child of the observation's trace, whose traceparent the envelope carries", async () => {
    const recorded = recordingTracer();
    const traceparent = newTraceparent();
    const id = await createSnapshotPublisher({
      js: bus.js,
      ns: bus.ns,
      signer,
      tracer: recorded.tracer,
    }).publish(Events.ContainersObserved, observation("host-traced"), { traceparent });
    const [span] = recorded.spans();
    expect(span?.name).toBe(`${Events.ContainersObserved.subject} publish`);
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.spanContext().traceId).toBe(traceparent.split("-")[1]);
    expect(span?.parentSpanContext?.spanId).toBe(traceparent.split("-")[2]);
    expect(span?.attributes).toMatchObject({ "messaging.message.id": id, "messaging.system": "nats" });
    const message = (await provisionerMessages()).find((m) => m.header.get("ce-id") === id)!;
    expect(message.header.get("traceparent")).toBe(
      `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`,
    );
  });
});
