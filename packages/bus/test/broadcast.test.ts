import { randomUUID } from "node:crypto";
import { eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bus,
  connectBus,
  createBroadcastConsumer,
  type EventConsumer,
  Events,
  envelopeHeaders,
  newTraceparent,
  streamName,
  subjectOf,
  subscribe,
} from "../src/index.js";

const logger = testLogger("bus-broadcast");
let bus: Bus;
const started: EventConsumer[] = [];

beforeAll(async () => {
  bus = await connectBus({
    servers: testServers().natsUrl,
    name: "broadcast-test",
    ns: uniqueNamespace(),
    logger,
  });
});

afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
  for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "DEAD_LETTERS"] as const)
    await bus.jsm.streams.delete(streamName(bus.ns, s)).catch(() => undefined);
  await bus.close();
});

/** Publishes like the outbox relay does (envelope headers, event id as Nats-Msg-Id). */
async function publishReload(requestedBy: string): Promise<void> {
  const id = randomUUID();
  const event = Events.CatalogReloadRequested;
  await bus.js.publish(subjectOf(bus.ns, event.subject), event.codec.encode({ requestedBy }).finish(), {
    msgID: id,
    headers: envelopeHeaders({
      id,
      type: event.type,
      source: "test",
      time: new Date().toISOString(),
      traceparent: newTraceparent(),
    }),
  });
}

/** A "replica": a broadcast consumer recording the `requestedBy` of every reload it saw. */
async function replica(seen: string[], fail?: (requestedBy: string) => boolean): Promise<EventConsumer> {
  const consumer = createBroadcastConsumer({
    js: bus.js,
    ns: bus.ns,
    logger,
    name: "test-catalog-reload",
    stream: "APPLICATIONS",
    subscriptions: [
      subscribe(Events.CatalogReloadRequested, async ({ requestedBy }) => {
        if (fail?.(requestedBy)) throw new Error("handler broke");
        seen.push(requestedBy);
      }),
    ],
  });
  await consumer.start();
  started.push(consumer);
  return consumer;
}

async function consumerNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const info of bus.jsm.consumers.list(streamName(bus.ns, "APPLICATIONS"))) names.push(info.name);
  return names;
}

describe("broadcast consumer", () => {
  it("broadcast consumer - every replica gets every event, once each, in order", async () => {
    const a: string[] = [];
    const b: string[] = [];
    await replica(a);
    await replica(b);
    for (const who of ["u1", "u2", "u3"]) await publishReload(who);
    await eventually(async () => a.length === 3 && b.length === 3, { what: "both replicas saw 3 reloads" });
    expect(a).toEqual(["u1", "u2", "u3"]);
    expect(b).toEqual(["u1", "u2", "u3"]);
  });

  it("broadcast consumer - starts with events published after start (deliver policy new)", async () => {
    await publishReload("before");
    const seen: string[] = [];
    await replica(seen);
    await publishReload("after");
    await eventually(async () => seen.length > 0, { what: "the event after start" });
    // Give a stray earlier event a chance to show up before asserting it did not.
    await publishReload("after-2");
    await eventually(async () => seen.length >= 2, { what: "the second event after start" });
    expect(seen).toEqual(["after", "after-2"]);
  });

  it("broadcast consumer - a failing handler is logged and the next events still arrive", async () => {
    const seen: string[] = [];
    await replica(seen, (who) => who === "boom");
    await publishReload("boom");
    await publishReload("fine");
    await eventually(async () => seen.includes("fine"), { what: "the event after the failure" });
    expect(seen).toEqual(["fine"]);
  });

  it("broadcast consumer - each process has its own consumer, removed from the server on stop", async () => {
    const before = await consumerNames();
    const consumer = await replica([]);
    const after = await consumerNames();
    const mine = after.filter((n) => !before.includes(n));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/^test-catalog-reload-[0-9a-f]{32}/);
    const info = await bus.jsm.consumers.info(streamName(bus.ns, "APPLICATIONS"), mine[0]!);
    expect(info.config.durable_name).toBeUndefined();
    expect(info.config.filter_subject).toBe(subjectOf(bus.ns, Events.CatalogReloadRequested.subject));
    await consumer.stop();
    started.splice(started.indexOf(consumer), 1);
    await eventually(async () => !(await consumerNames()).includes(mine[0]!), { what: "consumer deleted" });
  });
});
