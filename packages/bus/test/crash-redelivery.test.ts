import { generateServiceKeys } from "@proximity/identity";
import { eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bus,
  connectBus,
  createEventConsumer,
  deadLetterSubject,
  defineConsumer,
  Events,
  ensureStreams,
  eventSigner,
  eventVerifier,
  PermanentFailure,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";

const logger = testLogger("bus");
let bus: Bus;
const keys = await generateServiceKeys(["hosts"]);

beforeAll(async () => {
  bus = await connectBus({
    servers: testServers().natsUrl,
    name: "crash-test",
    ns: uniqueNamespace(),
    logger,
  });
  await ensureStreams(bus.jsm, bus.ns, { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 });
});

afterAll(async () => {
  for (const s of ["HOSTS", "DEAD_LETTERS"] as const)
    await bus.jsm.streams.delete(streamName(bus.ns, s)).catch(() => undefined);
  await bus.close();
});

describe("a process dying during the last attempt", () => {
  it("event consumer - a message whose last attempt died with its process is delivered again, handled as the last, and dead-lettered", async () => {
    const durable = defineConsumer("test", "crash-test", [Events.HostRegistered]);
    const seen: { attempt: number; last: boolean }[] = [];
    const exhausted: number[] = [];
    const consumer = () =>
      createEventConsumer({
        js: bus.js,
        jsm: bus.jsm,
        ns: bus.ns,
        logger,
        durable,
        verifier: eventVerifier(keys.get("hosts")!),
        maxDeliver: 2,
        ackWaitMs: 300,
        backoffBaseMs: 50,
        backoffMaxMs: 100,
        subscriptions: [
          subscribe(
            Events.HostRegistered,
            async (_payload, ctx) => {
              seen.push({ attempt: ctx.attempt, last: ctx.isLastAttempt });
              throw new PermanentFailure("cannot ever succeed");
            },
            async (_payload, ctx) => {
              exhausted.push(ctx.attempt);
            },
          ),
        ],
      });
    // The durable exists (as after a deploy), no process is pulling yet.
    const first = consumer();
    await first.start();
    await first.stop();

    const id = "ev-crash";
    await publishSignedEvent(
      bus.js,
      bus.ns,
      eventSigner(keys.get("hosts")!),
      Events.HostRegistered,
      { hostId: "h-crash", name: "pve" },
      { id },
    );
    // Both attempts taken by processes killed -9 mid-handling: no ack, no nak, the ack wait runs out.
    const raw = await bus.js.consumers.get(streamName(bus.ns, "HOSTS"), durable.name);
    for (const delivery of [1, 2]) {
      const msg = await raw.next({ expires: 5_000 });
      expect(msg?.info.redeliveryCount).toBe(delivery);
    }

    const second = consumer();
    await second.start();
    try {
      const dead = await eventually(
        async () =>
          bus.jsm.streams
            .getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
              last_by_subj: deadLetterSubject(bus.ns, durable.name),
            })
            .catch(() => undefined),
        { what: "dead letter", timeoutMs: 15_000 },
      );
      expect(seen).toEqual([{ attempt: 3, last: true }]);
      expect(exhausted).toEqual([3]);
      expect(dead.header.get("ce-id")).toBe(id);
      expect(dead.header.get("proximity-dlq-reason")).toBe("cannot ever succeed");
    } finally {
      await second.stop();
    }
  });

  it("event consumer - a slow onExhausted keeps the message: no other delivery starts while it runs", async () => {
    const durable = defineConsumer("test", "slow-hook-test", [Events.HostRegistered]);
    const seen: number[] = [];
    const exhausted: number[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable,
      verifier: eventVerifier(keys.get("hosts")!),
      maxDeliver: 1,
      ackWaitMs: 300,
      // Room for a redelivery beside the slow hook, as another replica would have.
      concurrency: 4,
      backoffBaseMs: 50,
      backoffMaxMs: 100,
      subscriptions: [
        subscribe(
          Events.HostRegistered,
          async (payload, ctx) => {
            if (payload.hostId !== "h-slow-hook") return;
            seen.push(ctx.attempt);
            throw new PermanentFailure("cannot ever succeed");
          },
          async (_payload, ctx) => {
            exhausted.push(ctx.attempt);
            // A cleanup on a slow host: several ack waits long.
            await new Promise((r) => setTimeout(r, 1_500));
          },
        ),
      ],
    });
    await consumer.start();
    try {
      const id = "ev-slow-hook";
      await publishSignedEvent(
        bus.js,
        bus.ns,
        eventSigner(keys.get("hosts")!),
        Events.HostRegistered,
        { hostId: "h-slow-hook", name: "pve" },
        { id },
      );
      const dead = await eventually(
        async () =>
          bus.jsm.streams
            .getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
              last_by_subj: deadLetterSubject(bus.ns, durable.name),
            })
            .catch(() => undefined),
        { what: "dead letter", timeoutMs: 15_000 },
      );
      expect(dead.header.get("ce-id")).toBe(id);
      await new Promise((r) => setTimeout(r, 600)); // a redelivery would have come by now
      expect(seen).toEqual([1]);
      expect(exhausted).toEqual([1]);
    } finally {
      await consumer.stop();
    }
  });
});
