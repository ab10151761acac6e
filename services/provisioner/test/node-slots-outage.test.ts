/**
 * A slot released while NATS does not answer (a stream leader changing, issue 12) is freed once it
 * answers again, not left to expire: before, the one failed write left the holder in place and a
 * node whose slots were all being freed at that moment took no work for a whole slot TTL (the
 * leader-change test's second wave of deploys waited that long). NATS sits behind a TCP relay.
 */
import { type Bus, connectBus } from "@proximity/bus";
import { testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNodeSlots } from "../src/infra/node-slots.js";
import { startTcpRelay, type TcpRelay } from "./support/tcp-relay.js";

const logger = testLogger("node-slots");
const ns = uniqueNamespace();
const TTL_MS = 30_000;
let direct: Bus;
let relayed: Bus;
let relay: TcpRelay;

beforeAll(async () => {
  relay = await startTcpRelay(new URL(testServers().natsUrl.split(",")[0]!), 4222);
  direct = await connectBus({ servers: testServers().natsUrl, name: "node-slots-test", ns, logger });
  relayed = await connectBus({
    servers: `nats://127.0.0.1:${relay.port}`,
    name: "node-slots-test",
    ns,
    logger,
  });
});

afterAll(async () => {
  await direct?.jsm.streams.delete(`KV_${ns}_node_slots`).catch(() => undefined);
  await relayed?.nc.close();
  await direct?.close();
  await relay?.close();
});

const open = (bus: Bus, workerId: string) =>
  openNodeSlots(bus.js, ns, {
    limits: { node: 1, host: 100, nodeOverrides: new Map(), hostOverrides: new Map() },
    ttlMs: TTL_MS,
    pollMs: 50,
    workerId,
    logger,
    declare: true,
  });

describe("node slots across a NATS outage", () => {
  it("node slots outage - a release during the outage frees the slot once NATS is back, long before its TTL", async () => {
    const a = await open(relayed, "replica-a");
    const b = await open(direct, "replica-b");
    try {
      const grant = await a.acquire("host-1", "pve1");
      relay.down();
      const released = grant.release();
      // Longer than a KV write waits for its answer (5 s): the first free fails.
      await new Promise((r) => setTimeout(r, 6_000));
      relay.up();
      await released;
      const started = Date.now();
      // acquire waits for a free slot (the holder's expiry at worst).
      const other = await b.acquire("host-1", "pve1");
      expect(Date.now() - started, "well before the holder's TTL").toBeLessThan(TTL_MS / 2);
      await other.release();
    } finally {
      a.close();
      b.close();
    }
  }, 60_000);
});
