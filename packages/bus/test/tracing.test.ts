import { createDatabase, migrateToLatest } from "@proximity/db";
import { generateServiceKeys } from "@proximity/identity";
import { inSpan, SpanKind, traceparentOf } from "@proximity/telemetry";
import { recordingTracer } from "@proximity/telemetry/internal";
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
  subscribe,
} from "../src/index.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus-tracing");
const keys = await generateServiceKeys(["provisioner", "applications"]);
let db: Kysely<MessagingTables>;
let bus: Bus;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  const testDb = await createTestDatabase();
  dropDb = testDb.drop;
  db = createDatabase<MessagingTables>({ url: testDb.url, schema: "bus_tracing" });
  await migrateToLatest(db, {
    schema: "bus_tracing",
    migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
  });
  bus = await openTestBus("bus-tracing");
});

afterAll(async () => {
  await closeTestBus(bus);
  await db.destroy();
  await dropDb();
});

describe("tracing through the bus", () => {
  it("trace - outbox write, relay publish and consumer handling are one trace, each the parent of the next", async () => {
    const recorded = recordingTracer();
    const { tracer } = recorded;
    const handled: string[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", "tracing-test", [Events.OperationSucceeded]),
      verifier: eventVerifier(keys.get("applications")!),
      tracer,
      subscriptions: [
        subscribe(Events.OperationSucceeded, async (_payload, ctx) => {
          // The handler runs inside the consumer span: the active context is the one it was given.
          expect(traceparentOf()).toBe(ctx.traceparent);
          handled.push(ctx.traceparent);
        }),
      ],
    });
    await consumer.start();
    try {
      // The writer passes a traceparent of another trace: the active span's wins.
      await inSpan(tracer, "writer", {}, () =>
        db.transaction().execute((trx) =>
          addToOutbox(
            trx,
            Events.OperationSucceeded,
            {
              operationId: "op-traced",
              kind: 1,
              appId: "a",
              hostId: "h",
              node: "n",
              vmid: 100,
              ipAddress: "",
              containerStatus: "running",
              adopted: undefined,
              message: "",
              archive: undefined,
              backupId: "",
              progress: [],
            },
            { source: "provisioner", traceparent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01" },
          ),
        ),
      );
      const relay = createOutboxRelay({
        db,
        js: bus.js,
        ns: bus.ns,
        logger,
        signer: eventSigner(keys.get("provisioner")!),
        tracer,
      });
      expect(await relay.flush()).toBe(1);
      await eventually(async () => (handled.length === 1 ? true : undefined), { what: "the event handled" });
      const spans = await eventually(async () => {
        const all = recorded.spans();
        return all.some((s) => s.kind === SpanKind.CONSUMER) ? all : undefined;
      });
      const writer = spans.find((s) => s.name === "writer")!;
      const publish = spans.find((s) => s.kind === SpanKind.PRODUCER)!;
      const process = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
      expect(publish.name).toBe(`${Events.OperationSucceeded.subject} publish`);
      expect(process.name).toBe(`${Events.OperationSucceeded.type} process`);
      const traceId = writer.spanContext().traceId;
      expect(publish.spanContext().traceId).toBe(traceId);
      expect(process.spanContext().traceId).toBe(traceId);
      expect(publish.parentSpanContext?.spanId).toBe(writer.spanContext().spanId);
      expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
      expect(handled[0]).toBe(`00-${traceId}-${process.spanContext().spanId}-01`);
      expect(process.attributes).toMatchObject({
        "messaging.system": "nats",
        "messaging.consumer.group.name": "tracing-test",
      });
    } finally {
      await consumer.stop();
    }
  });
});
