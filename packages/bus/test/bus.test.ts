import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addToOutbox,
  type Bus,
  connectBus,
  createEventConsumer,
  createMessagingTables,
  createOutboxRelay,
  deadLetterSubject,
  dropMessagingTables,
  Events,
  envelopeHeaders,
  type MessagingTables,
  newTraceparent,
  processOnce,
  streamName,
  subscribe,
} from "../src/index.js";

const logger = testLogger("bus");
let db: Kysely<MessagingTables>;
let bus: Bus;
let dropDb: () => Promise<void>;

const progress = (operationId: string, step: string) => ({
  operationId,
  kind: 1,
  appId: "app-1",
  step,
  message: `step ${step}`,
  attempt: 1,
});

beforeAll(async () => {
  const testDb = await createTestDatabase();
  dropDb = testDb.drop;
  db = createDatabase<MessagingTables>({ url: testDb.url, schema: "bus_test" });
  await migrateToLatest(db, {
    schema: "bus_test",
    migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
  });
  bus = await connectBus({ servers: testServers().natsUrl, name: "bus-test", ns: uniqueNamespace(), logger });
});

afterAll(async () => {
  for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "DEAD_LETTERS"] as const)
    await bus.jsm.streams.delete(streamName(bus.ns, s)).catch(() => undefined);
  await bus.close();
  await db.destroy();
  await dropDb();
});

describe("outbox relay", () => {
  it("outbox relay - publishes committed events once, with the event id as Nats-Msg-Id", async () => {
    const relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger });
    const id = await db.transaction().execute((trx) =>
      addToOutbox(trx, Events.OperationProgressed, progress("op-1", "a"), {
        source: "test",
        traceparent: newTraceparent(),
      }),
    );
    await expect(
      db.transaction().execute(async (trx) => {
        await addToOutbox(trx, Events.OperationProgressed, progress("op-rolled-back", "b"), {
          source: "test",
          traceparent: newTraceparent(),
        });
        throw new Error("business change failed");
      }),
    ).rejects.toThrow("business change failed");
    expect(await relay.flush()).toBe(1);
    expect(await relay.flush()).toBe(0);
    const msg = await bus.jsm.streams.getMessage(streamName(bus.ns, "PROVISIONER"), { seq: 1 });
    expect(msg.header.get("Nats-Msg-Id")).toBe(id);
    expect(msg.header.get("ce-type")).toBe(Events.OperationProgressed.type);
    expect(Events.OperationProgressed.codec.decode(msg.data).operationId).toBe("op-1");
    const info = await bus.jsm.streams.info(streamName(bus.ns, "PROVISIONER"));
    expect(info.state.messages).toBe(1);
  });
});

describe("event consumer", () => {
  it("event consumer - processes each event id once even when delivered twice", async () => {
    const seen: string[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: "dedupe-test",
      stream: "PROVISIONER",
      subscriptions: [
        subscribe(Events.OperationSucceeded, async (payload, ctx) => {
          await processOnce(db, "dedupe-test", ctx.eventId, async () => {
            seen.push(payload.operationId);
          });
        }),
      ],
    });
    await consumer.start();
    await db
      .transaction()
      .execute((trx) =>
        addToOutbox(
          trx,
          Events.OperationSucceeded,
          { operationId: "op-dup", kind: 1, appId: "a", hostId: "h", node: "n", vmid: 100, ipAddress: "", containerStatus: "running", adopted: undefined, message: "" },
          { source: "test", traceparent: newTraceparent() },
        ),
      );
    // Publish the very same event id twice bypassing server-side dedupe (no msgID): the inbox must catch it.
    const payload = Events.OperationSucceeded.codec
      .encode({
        operationId: "op-raw",
        kind: 1,
        appId: "a",
        hostId: "h",
        node: "n",
        vmid: 101,
        ipAddress: "",
        containerStatus: "running",
        adopted: undefined,
        message: "",
      })
      .finish();
    const h = () =>
      envelopeHeaders({
        id: "raw-event-1",
        type: Events.OperationSucceeded.type,
        source: "test",
        time: new Date().toISOString(),
        traceparent: newTraceparent(),
      });
    await bus.js.publish(`${bus.ns}.${Events.OperationSucceeded.subject}`, payload, { headers: h() });
    await bus.js.publish(`${bus.ns}.${Events.OperationSucceeded.subject}`, payload, { headers: h() });
    const relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger });
    await relay.flush();
    await eventually(async () => seen.filter((s) => s === "op-raw").length === 1 && seen.includes("op-dup"));
    await new Promise((r) => setTimeout(r, 300));
    await consumer.stop();
    expect(seen.filter((s) => s === "op-raw")).toHaveLength(1);
    const rows = await db.selectFrom("inbox").selectAll().where("consumer", "=", "dedupe-test").execute();
    expect(rows.map((r) => r.event_id)).toContain("raw-event-1");
  });

  it("event consumer - retries with backoff, then runs onExhausted once and dead-letters the message", async () => {
    const attempts: number[] = [];
    const exhausted: { attempt: number; error: string }[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: "retry-test",
      stream: "HOSTS",
      maxDeliver: 3,
      backoffBaseMs: 50,
      backoffMaxMs: 200,
      subscriptions: [
        subscribe(
          Events.HostRegistered,
          async (_payload, ctx) => {
            attempts.push(ctx.attempt);
            throw new Error(`boom ${ctx.attempt}`);
          },
          async (_payload, ctx, error) => {
            exhausted.push({ attempt: ctx.attempt, error: (error as Error).message });
          },
        ),
      ],
    });
    await consumer.start();
    await db
      .transaction()
      .execute((trx) =>
        addToOutbox(
          trx,
          Events.HostRegistered,
          { hostId: "h1", name: "pve" },
          { source: "test", traceparent: newTraceparent() },
        ),
      );
    await createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger }).flush();
    await eventually(async () => exhausted.length === 1, { what: "exhaustion" });
    await new Promise((r) => setTimeout(r, 500));
    await consumer.stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(exhausted).toEqual([{ attempt: 3, error: "boom 3" }]);
    const dlq = await bus.jsm.streams.getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
      last_by_subj: deadLetterSubject(bus.ns, "retry-test"),
    });
    expect(dlq.header.get("proximity-dlq-deliveries")).toBe("3");
    expect(dlq.header.get("proximity-dlq-reason")).toBe("boom 3");
    expect(Events.HostRegistered.codec.decode(dlq.data).hostId).toBe("h1");
  });
});
