/**
 * Streams declared in code are bounded (review #20). Setup declares them all as the bus admin
 * (declareBus) and brings a changed one back to the code's configuration; a service declares
 * nothing unless told to (a server without authentication), then sizes its own and creates the
 * ones it reads if absent without ever changing them.
 */
import { dropNamespaceStreams, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Bus,
  connectBus,
  connectBusAdmin,
  DEFAULT_STREAM_LIMITS,
  declareBus,
  ensureStreams,
  KvBuckets,
  kvStreamName,
  openKvBucket,
  type StreamName,
  streamName,
} from "../src/index.js";
import { declareStream, streamConfig } from "../src/streams.js";

const logger = testLogger("bus-streams");
const opened: Bus[] = [];
const ALL: StreamName[] = ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"];

const SMALL = { maxBytes: 4 * 1024 * 1024, maxMessageBytes: 64 * 1024 };
const namespaces: string[] = [];

/** A connection as `name` that declares its streams (a server without authentication). */
async function open(
  name: string,
  ns: string,
  limits?: { maxBytes: number; maxMessageBytes: number },
  declareStreams = true,
) {
  namespaces.push(ns);
  const bus = await connectBus({
    servers: testServers().natsUrl,
    name,
    ns,
    logger,
    declareStreams,
    ...(limits ? { streamLimits: limits } : {}),
  });
  opened.push(bus);
  return bus;
}

afterAll(async () => {
  for (const bus of opened) await bus.close();
  for (const ns of new Set(namespaces)) await dropNamespaceStreams(ns);
});

describe("streams", () => {
  it("streams - every stream has a size and a message-size limit by default", async () => {
    for (const s of ALL) {
      const config = streamConfig("proximity", s);
      expect(config.max_bytes).toBe(DEFAULT_STREAM_LIMITS.maxBytes);
      expect(config.max_msg_size).toBeGreaterThanOrEqual(DEFAULT_STREAM_LIMITS.maxMessageBytes);
      expect(config.max_msg_size).toBeLessThan(2 * DEFAULT_STREAM_LIMITS.maxMessageBytes);
    }
    // And the server holds them as given.
    const bus = await open("streams-test", uniqueNamespace());
    await ensureStreams(bus.jsm, bus.ns, SMALL);
    for (const s of ALL)
      expect((await bus.jsm.streams.info(streamName(bus.ns, s))).config.max_bytes).toBe(4 * 1024 * 1024);
  });

  it("streams - an owner's configured limits hold: an oversized event is refused, a full stream drops its oldest", async () => {
    const ns = uniqueNamespace();
    const bus = await open("hosts", ns, { maxBytes: 16 * 1024, maxMessageBytes: 1024 });
    const { config } = await bus.jsm.streams.info(streamName(ns, "HOSTS"));
    expect(config).toMatchObject({ max_bytes: 16 * 1024, max_msg_size: 1024 });
    await expect(bus.js.publish(`${ns}.hosts.v1.x`, new Uint8Array(2048))).rejects.toThrow(
      /message size exceeds maximum/,
    );
    for (let i = 0; i < 64; i++) await bus.js.publish(`${ns}.hosts.v1.x`, new Uint8Array(900));
    const { state } = await bus.jsm.streams.info(streamName(ns, "HOSTS"));
    expect(state.bytes).toBeLessThanOrEqual(16 * 1024);
    expect(state.first_seq).toBeGreaterThan(1);
    expect(state.last_seq).toBe(64);
  });

  it("streams - told to declare, the owner updates its stream at connect; a consumer only creates a missing one and changes none", async () => {
    const ns = uniqueNamespace();
    const owner = await open("applications", ns, { maxBytes: 1024 * 1024, maxMessageBytes: 2048 });
    expect((await owner.jsm.streams.info(streamName(ns, "APPLICATIONS"))).config.max_msg_size).toBe(2048);
    // A consumer's declaration with other limits: the stream stays as its owner set it.
    await declareStream(owner.jsm, ns, "APPLICATIONS", { update: false });
    expect((await owner.jsm.streams.info(streamName(ns, "APPLICATIONS"))).config.max_msg_size).toBe(2048);
    // It creates one that is missing (here BACKUPS) at a small placeholder size: its owner sizes it.
    await declareStream(owner.jsm, ns, "BACKUPS", { update: false });
    const placeholder = (await owner.jsm.streams.info(streamName(ns, "BACKUPS"))).config.max_bytes;
    expect(placeholder).toBeGreaterThan(0);
    expect(placeholder).toBeLessThan(DEFAULT_STREAM_LIMITS.maxBytes);
    await open("backups", ns, { maxBytes: 3 * 1024 * 1024, maxMessageBytes: 2048 });
    expect((await owner.jsm.streams.info(streamName(ns, "BACKUPS"))).config.max_bytes).toBe(3 * 1024 * 1024);
    // The owner reconnecting with new limits brings its stream up to date.
    await open("applications", ns, { maxBytes: 2 * 1024 * 1024, maxMessageBytes: 4096 });
    expect((await owner.jsm.streams.info(streamName(ns, "APPLICATIONS"))).config).toMatchObject({
      max_bytes: 2 * 1024 * 1024,
      max_msg_size: 4096,
    });
    // A connection that owns no stream declares none.
    const ns2 = uniqueNamespace();
    const other = await open("streams-test", ns2);
    await expect(other.jsm.streams.info(streamName(ns2, "APPLICATIONS"))).rejects.toThrow(/stream not found/);
  });

  it("streams - by default a service declares nothing: it checks its own stream exists and says who declares it", async () => {
    const ns = uniqueNamespace();
    await expect(open("hosts", ns, undefined, false)).rejects.toThrow(
      new RegExp(`stream ${streamName(ns, "HOSTS")} does not exist: the setup step declares it`),
    );
    const bus = await open("streams-test", ns);
    await expect(bus.jsm.streams.info(streamName(ns, "HOSTS"))).rejects.toThrow(/stream not found/);
    await expect(openKvBucket(bus.js, ns, KvBuckets.vmidLeases, { declare: false })).rejects.toThrow(
      new RegExp(`KV bucket ${ns}_vmid_leases does not exist: the setup step declares it`),
    );
    await expect(bus.jsm.streams.info(kvStreamName(ns, KvBuckets.vmidLeases))).rejects.toThrow(/not found/);
    // Once setup declared the bus, the same connection finds everything.
    const admin = await connectBusAdmin({ servers: testServers().natsUrl });
    try {
      await declareBus(admin, ns, { limits: SMALL });
    } finally {
      await admin.close();
    }
    await open("hosts", ns, undefined, false);
    expect((await openKvBucket(bus.js, ns, KvBuckets.vmidLeases, { declare: false })).ttlMs).toBe(
      KvBuckets.vmidLeases.ttlMs,
    );
  });

  it("streams - setup declares every stream and bucket from code, brings a tampered one back (subjects, limits, TTL) and refuses one that republishes", async () => {
    const ns = uniqueNamespace();
    namespaces.push(ns);
    const admin = await connectBusAdmin({ servers: testServers().natsUrl });
    try {
      await declareBus(admin, ns, { limits: SMALL });
      const jsm = await admin.jetstreamManager();
      for (const s of ALL)
        expect((await jsm.streams.info(streamName(ns, s))).config.max_bytes).toBe(SMALL.maxBytes);
      for (const b of Object.values(KvBuckets)) {
        const { config } = await jsm.streams.info(kvStreamName(ns, b));
        expect(config).toMatchObject({
          max_age: b.ttlMs * 1_000_000,
          allow_direct: true,
          max_msgs_per_subject: 1,
        });
        expect(config.storage).toBe(b.storage);
      }
      // What a service with update rights once could do: widen its stream to others' replies, resize it.
      const limits = kvStreamName(ns, KvBuckets.gatewayRateLimits);
      await jsm.streams.update(limits, {
        subjects: [`$KV.${ns}_ratelimit.>`, `_INBOX_${ns}tap.>`],
        max_age: 1_000_000_000 * 3600,
      });
      const apps = streamName(ns, "APPLICATIONS");
      await jsm.streams.update(apps, {
        subjects: [`${ns}.applications.>`, `_INBOX_${ns}tap2.>`],
        max_bytes: 2 * SMALL.maxBytes,
      });
      await declareBus(admin, ns, { limits: SMALL });
      const repaired = (await jsm.streams.info(limits)).config;
      expect(repaired.subjects).toEqual([`$KV.${ns}_ratelimit.>`]);
      expect(repaired.max_age).toBe(KvBuckets.gatewayRateLimits.ttlMs * 1_000_000);
      const events = (await jsm.streams.info(apps)).config;
      expect(events.subjects).toEqual([`${ns}.applications.>`]);
      expect(events.max_bytes).toBe(SMALL.maxBytes);
      // A stream made to republish (a consumer could once create a producer's stream so) cannot
      // be fixed by an update: setup refuses it and says what to do.
      const { config } = await jsm.streams.info(apps);
      await jsm.streams.delete(apps);
      await jsm.streams.add({ ...config, republish: { src: ">", dest: `${ns}tap.>` } });
      await expect(declareBus(admin, ns, { limits: SMALL })).rejects.toThrow(
        new RegExp(
          `stream ${apps} republishes, mirrors or sources messages.*delete it and run the setup step again`,
        ),
      );
    } finally {
      await admin.close();
    }
  });
});
