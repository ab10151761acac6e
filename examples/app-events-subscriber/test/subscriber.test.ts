import { randomUUID } from "node:crypto";
import {
  type Bus,
  connectBus,
  type EventDefinition,
  Events,
  ensureStreams,
  eventSigner,
  eventVerifier,
  streamName,
} from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { generateServiceKeys } from "@proximity/identity";
import { applicationsEventsV1 } from "@proximity/proto";
import { eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppEventLine, createAppEventsSubscriber } from "../src/subscriber.js";

const logger = testLogger("example-app-events-subscriber");
const keys = (await generateServiceKeys(["applications"])).get("applications")!;

describe("app events subscriber", () => {
  let bus: Bus;

  beforeAll(async () => {
    bus = await connectBus({
      servers: testServers().natsUrl,
      name: "example-test",
      ns: uniqueNamespace(),
      logger,
    });
    // The platform's setup step declares the streams (declareBus); here the test stands in for it
    // (small streams: the shared server reserves what each may hold).
    await ensureStreams(bus.jsm, bus.ns, { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 });
  });

  afterAll(async () => {
    for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
      await bus.jsm.streams.delete(streamName(bus.ns, s)).catch(() => undefined);
    await bus.close();
  });

  /**
   * Publishes as the applications service's outbox relay does (same CloudEvents headers, signed
   * by the applications service), but without `Nats-Msg-Id`, so that a repeated event id is not
   * dropped by the server: the subscriber itself must recognise it.
   */
  const publish = async <T>(event: EventDefinition<T>, payload: T, id = randomUUID()) => {
    await publishSignedEvent(bus.js, bus.ns, eventSigner(keys), event, payload, { id });
    return id;
  };

  const app = (hostname: string) =>
    applicationsEventsV1.AppRef.fromPartial({ appId: randomUUID(), ownerId: "u1", hostname, hostId: "h1" });

  it("subscriber - logs each public app event once, a repeated delivery included, and skips internal requests", async () => {
    const handled: AppEventLine[] = [];
    const subscriber = createAppEventsSubscriber({
      bus,
      logger,
      durable: "example-test",
      verifier: eventVerifier(keys),
      onEvent: (line) => {
        handled.push(line);
      },
    });
    await subscriber.start();
    try {
      const deployed = app("blog");
      const deployedId = await publish(
        Events.AppDeployed,
        applicationsEventsV1.AppDeployed.fromPartial({ app: deployed, operationId: "op-1" }),
      );
      // An internal request on the same stream: not a public event, not logged.
      await publish(
        Events.AppDeployRequested,
        applicationsEventsV1.AppDeployRequested.fromPartial({ appId: "x" }),
      );
      const failed = app("wiki");
      await publish(
        Events.AppOperationFailed,
        applicationsEventsV1.AppOperationFailed.fromPartial({
          app: failed,
          operationId: "op-2",
          operation: "start",
          reason: "host unreachable",
        }),
      );
      // The first event again, same id (a redelivery after a lost ack looks just like this).
      await publish(
        Events.AppDeployed,
        applicationsEventsV1.AppDeployed.fromPartial({ app: deployed, operationId: "op-1" }),
        deployedId,
      );
      // Delivered in order: once this one is handled, everything before it was.
      const marker = app("marker");
      await publish(
        Events.AppNeedsAttention,
        applicationsEventsV1.AppNeedsAttention.fromPartial({ app: marker, reason: "container missing" }),
      );
      await eventually(async () => handled.some((l) => l.appId === marker.appId), { what: "marker event" });

      expect(handled.map((l) => [l.event, l.hostname, l.operationId, l.reason])).toEqual([
        ["AppDeployed", "blog", "op-1", ""],
        ["AppOperationFailed", "wiki", "op-2", "host unreachable"],
        ["AppNeedsAttention", "marker", "", "container missing"],
      ]);
      expect(handled[0]?.eventId).toBe(deployedId);
    } finally {
      await subscriber.stop();
    }
  });
});
