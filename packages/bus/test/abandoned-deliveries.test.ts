import { generateServiceKeys } from "@proximity/identity";
import { eventually, testLogger } from "@proximity/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AbandonedDeliveryError,
  type Bus,
  type ConsumerDefinition,
  createEventConsumer,
  defineConsumer,
  Events,
  eventSigner,
  eventVerifier,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus, takeEveryDelivery } from "./support/test-bus.js";

const logger = testLogger("bus");
let bus: Bus;
const keys = await generateServiceKeys(["hosts"]);

beforeAll(async () => {
  bus = await openTestBus("abandoned-test");
});

// Each test's durable reads the stream from its start: only its own message in it.
beforeEach(async () => {
  await bus.jsm.streams.purge(streamName(bus.ns, "HOSTS"));
});

afterAll(() => closeTestBus(bus));

interface Seen {
  handled: number[];
  failed: { hostId: string; attempt: number; error: unknown }[];
}

/** A consumer with one delivery (+3 for crashes) whose failure hook records what it was given. */
function consumerOf(durable: ConsumerDefinition, seen: Seen, hookFailures = 0) {
  let failuresLeft = hookFailures;
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable,
    verifier: eventVerifier(keys.get("hosts")!),
    maxDeliver: 1,
    ackWaitMs: 300,
    backoffBaseMs: 50,
    backoffMaxMs: 100,
    subscriptions: [
      subscribe(
        Events.HostRegistered,
        async (_payload, ctx) => {
          seen.handled.push(ctx.attempt);
        },
        async (payload, ctx, error) => {
          if (failuresLeft-- > 0) throw new Error("the failure could not be recorded yet");
          seen.failed.push({ hostId: payload.hostId, attempt: ctx.attempt, error });
        },
      ),
    ],
  });
}

/** Publishes one request and lets every delivery the server allows die unanswered (processes killed -9). */
async function abandon(durable: ConsumerDefinition, hostId: string): Promise<void> {
  await publishSignedEvent(bus.js, bus.ns, eventSigner(keys.get("hosts")!), Events.HostRegistered, {
    hostId,
    name: "pve",
  });
  expect(await takeEveryDelivery(bus, durable)).toEqual([1, 2, 3, 4]);
}

describe("a message whose every delivery was interrupted", () => {
  it("event consumer - its failure hook runs once, from the server's max-deliveries advisory, with the original payload", async () => {
    const durable = defineConsumer("test", "abandoned-test", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const seen: Seen = { handled: [], failed: [] };
    // The durables exist (as after a deploy); no process is pulling yet.
    const first = consumerOf(durable, seen);
    await first.start();
    await first.stop();
    await abandon(durable, "h-abandoned");

    const second = consumerOf(durable, seen);
    await second.start();
    try {
      await eventually(async () => seen.failed.length > 0 || undefined, {
        what: "failure hook",
        timeoutMs: 15_000,
      });
      await new Promise((r) => setTimeout(r, 700)); // a second run would have come by now
      expect(seen.handled).toEqual([]);
      expect(seen.failed).toHaveLength(1);
      expect(seen.failed[0]!.hostId).toBe("h-abandoned");
      expect(seen.failed[0]!.attempt).toBe(4);
      expect(seen.failed[0]!.error).toBeInstanceOf(AbandonedDeliveryError);
    } finally {
      await second.stop();
    }
  });

  it("event consumer - a hook that cannot record the failure at first is tried again", async () => {
    const durable = defineConsumer("test", "abandoned-retry", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const seen: Seen = { handled: [], failed: [] };
    const first = consumerOf(durable, seen);
    await first.start();
    await first.stop();
    await abandon(durable, "h-retried");

    const second = consumerOf(durable, seen, 2);
    await second.start();
    try {
      await eventually(async () => seen.failed.length > 0 || undefined, {
        what: "failure hook",
        timeoutMs: 15_000,
      });
      expect(seen.failed.map((f) => f.hostId)).toEqual(["h-retried"]);
    } finally {
      await second.stop();
    }
  });

  it("event consumer - an advisory naming another consumer's message is left alone", async () => {
    const durable = defineConsumer("test", "abandoned-other", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const seen: Seen = { handled: [], failed: [] };
    const consumer = consumerOf(durable, seen);
    await consumer.start();
    try {
      // A message really in the stream, but an advisory claiming another consumer gave it up (only
      // the server can publish advisories on a server with permissions; this one has none).
      const ack = await publishSignedEvent(
        bus.js,
        bus.ns,
        eventSigner(keys.get("hosts")!),
        Events.HostRegistered,
        { hostId: "h-other", name: "pve" },
      );
      await eventually(async () => seen.handled.length > 0 || undefined, { what: "delivery" });
      const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName(bus.ns, "HOSTS")}.${durable.name}`;
      await bus.js.publish(
        subject,
        new TextEncoder().encode(
          JSON.stringify({
            stream: streamName(bus.ns, "HOSTS"),
            consumer: "someone-else",
            stream_seq: ack.seq,
            deliveries: 4,
          }),
        ),
      );
      const info = async () =>
        bus.jsm.consumers.info(streamName(bus.ns, "DEAD_LETTERS"), `${durable.name}-abandoned`);
      await eventually(async () => ((await info()).delivered.consumer_seq >= 1 ? true : undefined), {
        what: "advisory read",
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.failed).toEqual([]);
      expect((await info()).num_ack_pending).toBe(0);
    } finally {
      await consumer.stop();
    }
  });
});
