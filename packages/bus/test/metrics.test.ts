import { createDatabase, migrateToLatest } from "@proximity/db";
import { generateServiceKeys } from "@proximity/identity";
import { metricsRegistry } from "@proximity/metrics";
import { createTestDatabase, eventually, testLogger } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addToOutbox,
  type Bus,
  createEventConsumer,
  createMessagingTables,
  createOutboxRelay,
  defineConsumer,
  dropMessagingTables,
  Events,
  eventSigner,
  eventVerifier,
  type MessagingTables,
  newTraceparent,
  subjectOf,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus-metrics");
const keys = await generateServiceKeys(["hosts"]);
const signer = eventSigner(keys.get("hosts")!);
let db: Kysely<MessagingTables>;
let bus: Bus;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const testDb = await createTestDatabase();
  dropDb = testDb.drop;
  db = createDatabase<MessagingTables>({ url: testDb.url, schema: "bus_metrics" });
  await migrateToLatest(db, {
    schema: "bus_metrics",
    migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
  });
  bus = await openTestBus("bus-metrics");
});

afterAll(async () => {
  await closeTestBus(bus);
  await db.destroy();
  await dropDb();
});

/** The value of one series of the process registry (undefined when absent). */
async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = metricsRegistry().getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (v as { metricName?: string }).metricName === undefined &&
      Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l),
  );
  return found?.value;
}

describe("bus metrics", () => {
  it("consumer - deliveries, redeliveries, naks and dead letters by stream, consumer and reason", async () => {
    const labels = { stream: "HOSTS", consumer: "metrics-test" };
    let exhausted = 0;
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", "metrics-test", [Events.HostRegistered]),
      verifier: eventVerifier(keys.get("hosts")!),
      maxDeliver: 2,
      backoffBaseMs: 50,
      backoffMaxMs: 100,
      subscriptions: [
        subscribe(
          Events.HostRegistered,
          async (payload) => {
            if (payload.hostId === "fails") throw new Error("boom");
          },
          async () => {
            exhausted++;
          },
        ),
      ],
    });
    await consumer.start();
    await publishSignedEvent(bus.js, bus.ns, signer, Events.HostRegistered, { hostId: "ok", name: "pve" });
    await publishSignedEvent(bus.js, bus.ns, signer, Events.HostRegistered, { hostId: "fails", name: "pve" });
    // Unsigned: refused and dead-lettered without its handler.
    await bus.js.publish(subjectOf(bus.ns, Events.HostRegistered.subject), new Uint8Array([1]));
    await eventually(
      async () => (await value("proximity_bus_dead_letters_total", { ...labels, reason: "refused" })) === 1,
      {
        what: "refused dead letter",
      },
    );
    await eventually(
      async () =>
        exhausted === 1 &&
        (await value("proximity_bus_dead_letters_total", { ...labels, reason: "exhausted" })) === 1,
      {
        what: "exhausted dead letter",
      },
    );
    expect(await value("proximity_bus_deliveries_total", labels)).toBe(4);
    expect(await value("proximity_bus_redeliveries_total", labels)).toBe(1);
    expect(await value("proximity_bus_acks_total", labels)).toBe(1);
    expect(await value("proximity_bus_naks_total", { ...labels, reason: "failed" })).toBe(1);
    expect(await value("proximity_bus_consumer_pending", labels)).toBe(0);
    await consumer.stop();
    // A stopped consumer is no longer asked on scrape.
    expect(await value("proximity_bus_consumer_pending", labels)).toBeUndefined();
  });

  it("outbox relay - published rows and their lag; the backlog on scrape while the relay runs", async () => {
    const labels = { service: "hosts" };
    const relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer, pollIntervalMs: 60_000 });
    for (const hostId of ["a", "b"])
      await db
        .transaction()
        .execute((trx) =>
          addToOutbox(
            trx,
            Events.HostRegistered,
            { hostId, name: "pve" },
            { source: "hosts", traceparent: newTraceparent() },
          ),
        );
    relay.start();
    await eventually(async () => (await value("proximity_outbox_published_total", labels)) === 2, {
      what: "published",
    });
    expect(await value("proximity_outbox_backlog", labels)).toBe(0);
    expect(await value("proximity_outbox_oldest_pending_seconds", labels)).toBe(0);
    const lag = await metricsRegistry().getSingleMetricAsString("proximity_outbox_relay_lag_seconds");
    expect(lag).toContain('proximity_outbox_relay_lag_seconds_count{service="hosts"} 2');
    await relay.stop();
    // A stopped relay is no longer asked on scrape, whatever waits in its outbox.
    await db
      .transaction()
      .execute((trx) =>
        addToOutbox(
          trx,
          Events.HostRegistered,
          { hostId: "c", name: "pve" },
          { source: "hosts", traceparent: newTraceparent() },
        ),
      );
    expect(await value("proximity_outbox_backlog", labels)).toBeUndefined();
  });
});
