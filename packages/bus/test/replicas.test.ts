/**
 * How many copies JetStream keeps of each stream and KV bucket is setup's choice (bus-init's
 * BUS_REPLICAS, declareBus `replicas`): 1 on one server, 3 on a three-node cluster. The three-node
 * case runs against a real cluster in tests/deploy (kubernetes-nats.test.ts); here, the
 * configuration in code and a single server, which keeps one copy and refuses more.
 */
import { dropNamespaceStreams, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  ALL_STREAMS,
  checkBusReplicas,
  connectBusAdmin,
  DEFAULT_BUS_REPLICAS,
  declareBus,
  KvBuckets,
  kvStreamName,
  MAX_BUS_REPLICAS,
  streamName,
} from "../src/index.js";
import { streamConfig } from "../src/streams.js";

const SMALL = { maxBytes: 4 * 1024 * 1024, maxMessageBytes: 64 * 1024 };
const namespaces: string[] = [];

afterAll(async () => {
  for (const ns of namespaces) await dropNamespaceStreams(ns);
});

describe("bus replicas", () => {
  it("replicas - every stream keeps one copy unless setup asks for more; a count JetStream cannot keep is refused", () => {
    expect(DEFAULT_BUS_REPLICAS).toBe(1);
    for (const stream of ALL_STREAMS) {
      expect(streamConfig("proximity", stream).num_replicas).toBe(1);
      expect(streamConfig("proximity", stream, undefined, 3).num_replicas).toBe(3);
    }
    expect(checkBusReplicas(MAX_BUS_REPLICAS)).toBe(5);
    for (const bad of [0, -1, 2.5, 6, Number.NaN])
      expect(() => checkBusReplicas(bad)).toThrow(/bus replicas must be a whole number from 1 to 5/);
    expect(() => streamConfig("proximity", "HOSTS", undefined, 7)).toThrow(/not 7/);
  });

  it("replicas - on one server every stream and bucket is declared with one copy, and three are refused by the server itself", async () => {
    const admin = await connectBusAdmin({ servers: testServers().natsUrl });
    try {
      const ns = uniqueNamespace();
      namespaces.push(ns);
      await declareBus(admin, ns, { limits: SMALL });
      const jsm = await admin.jetstreamManager();
      const names = [
        ...ALL_STREAMS.map((s) => streamName(ns, s)),
        ...Object.values(KvBuckets).map((b) => kvStreamName(ns, b)),
      ];
      for (const name of names) expect((await jsm.streams.info(name)).config.num_replicas).toBe(1);
      // The count reaches the server: a server without a cluster cannot keep three copies.
      const three = uniqueNamespace();
      namespaces.push(three);
      await expect(declareBus(admin, three, { limits: SMALL, replicas: 3 })).rejects.toThrow(
        /replicas > 1 not supported in non-clustered mode/,
      );
      await expect(declareBus(admin, three, { limits: SMALL, replicas: 0 })).rejects.toThrow(
        /bus replicas must be a whole number/,
      );
    } finally {
      await admin.close();
    }
  });
});
