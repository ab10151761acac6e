import { generateServiceKeys } from "@proximity/identity";
import { eventually, testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Broadcasts,
  type Bus,
  createBroadcastConsumer,
  defineConsumer,
  type EventConsumer,
  Events,
  eventSigner,
  eventVerifier,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus-broadcast");
const keys = await generateServiceKeys(["applications"]);
const applications = eventSigner(keys.get("applications")!);
let bus: Bus;
const started: EventConsumer[] = [];

beforeAll(async () => {
  bus = await openTestBus("broadcast-test");
});

afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
  await closeTestBus(bus);
});

/** Publishes like the applications service's outbox relay does (signed, event id as Nats-Msg-Id). */
async function publishReload(requestedBy: string): Promise<void> {
  await publishSignedEvent(
    bus.js,
    bus.ns,
    applications,
    Events.CatalogReloadRequested,
    { requestedBy },
    {
      withMsgId: true,
    },
  );
}

/** A "replica": a broadcast consumer recording the `requestedBy` of every reload it saw. */
async function replica(seen: string[], fail?: (requestedBy: string) => boolean): Promise<EventConsumer> {
  const consumer = createBroadcastConsumer({
    bus,
    logger,
    consumer: Broadcasts.applicationsCatalogReload,
    verifier: eventVerifier(keys.get("applications")!),
    // Long: events must arrive through the wake-up, not a poll.
    pollIntervalMs: 30_000,
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
  it("broadcast consumer - refuses an event that has variants (it does not check a payload against its variant)", () => {
    expect(() =>
      createBroadcastConsumer({
        bus,
        logger,
        consumer: defineConsumer("provisioner", "broadcast-variants-test", [Events.OperationSucceeded]),
        verifier: eventVerifier(keys.get("applications")!),
        subscriptions: [subscribe(Events.OperationSucceeded, async () => undefined)],
      }),
    ).toThrow(/OperationSucceeded has variants/);
  });

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

  it("broadcast consumer - keeps no consumer on the server and reads nothing after stop", async () => {
    const seen: string[] = [];
    const consumer = await replica(seen);
    expect(await consumerNames()).toEqual([]);
    await publishReload("while-running");
    await eventually(async () => seen.includes("while-running"), { what: "the event while running" });
    await consumer.stop();
    started.splice(started.indexOf(consumer), 1);
    await publishReload("after-stop");
    const witness: string[] = [];
    await replica(witness, () => false);
    await publishReload("last");
    await eventually(async () => witness.includes("last"), { what: "a later event elsewhere" });
    expect(seen).toEqual(["while-running"]);
  });
});
