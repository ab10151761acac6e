/**
 * A durable consumer keeps receiving when the server it is connected to, which also leads it, is
 * killed -9: its client reconnects to another server while the consumer elects a new leader, and
 * it must pull again by itself (no "consumer that stops"). The platform test (nats-leader-change)
 * kills a stream's leader under load; this one isolates the consumer.
 */

import {
  type Bus,
  connectBus,
  createEventConsumer,
  defineConsumer,
  Events,
  ensureStreams,
  eventSigner,
  eventVerifier,
  streamName,
  subscribe,
} from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { generateServiceKeys } from "@proximity/identity";
import { eventually, testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../src/index.js";

const logger = testLogger("resilience");
const keys = await generateServiceKeys(["provisioner", "hosts"]);
const ns = "leader";
let cluster: NatsCluster;
let bus: Bus;
/** The consumer's connection: to the server leading the consumer, killed by the test. */
let consumerBus: Bus;

const succeeded = (operationId: string) => ({
  operationId,
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
});

beforeAll(async () => {
  cluster = await startNatsCluster();
  bus = await connectBus({ servers: cluster.servers, name: "resilience-test", ns, logger });
  await ensureStreams(bus.jsm, ns, { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 }, 3);
  consumerBus = await connectBus({ servers: cluster.servers, name: "resilience-test", ns, logger });
}, 60_000);

afterAll(async () => {
  await consumerBus?.close();
  await bus?.close();
  await cluster?.stop();
}, 30_000);

describe("a durable consumer across its leader's death", () => {
  it("consumer leader change - events published after the consumer's leader is killed -9 arrive within seconds", async () => {
    const seen: string[] = [];
    const durable = defineConsumer("test", "leader-change", [Events.OperationSucceeded]);
    const consumer = createEventConsumer({
      js: consumerBus.js,
      jsm: consumerBus.jsm,
      ns,
      logger,
      durable,
      verifier: eventVerifier(keys.get("hosts")!),
      subscriptions: [
        subscribe(Events.OperationSucceeded, async (p) => {
          seen.push(p.operationId);
        }),
      ],
    });
    await consumer.start();
    const publish = (id: string) =>
      eventually(
        () =>
          publishSignedEvent(
            bus.js,
            ns,
            eventSigner(keys.get("provisioner")!),
            Events.OperationSucceeded,
            succeeded(id),
            {
              id,
            },
          ),
        { timeoutMs: 20_000, intervalMs: 200, what: `publish ${id}` },
      );
    try {
      await publish("before");
      await eventually(async () => seen.includes("before"), { what: "the first event" });

      const stream = streamName(ns, "PROVISIONER");
      // The consumer led by the server its connection is on: killing it takes both away.
      const connectedTo = consumerBus.nc.info?.server_name ?? "";
      while ((await cluster.leaderOfConsumer(stream, durable.name)) !== connectedTo) {
        await bus.nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.${stream}.${durable.name}`, undefined, {
          timeout: 5_000,
        });
        await eventually(
          async () => (await cluster.leaderOfConsumer(stream, durable.name).catch(() => "")) !== "",
          { what: "a new consumer leader" },
        );
      }
      const leader = await cluster.leaderOfConsumer(stream, durable.name);
      expect(leader).toBe(connectedTo);
      await cluster.kill(leader);
      await publish("after");
      const started = Date.now();
      await eventually(async () => seen.includes("after"), {
        timeoutMs: 15_000,
        what: "the event after the kill",
      });
      expect(Date.now() - started, "delivered within seconds of its publication").toBeLessThan(15_000);
      expect(seen).toEqual(["before", "after"]);
    } finally {
      await consumer.stop();
    }
  }, 60_000);
});
