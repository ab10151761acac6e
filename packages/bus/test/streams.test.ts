/**
 * Streams declared in code are bounded (review #20), kept up to date by their owner only, and
 * created if absent by their consumers without ever being changed by them.
 */
import { testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Bus,
  connectBus,
  DEFAULT_STREAM_LIMITS,
  ensureStreams,
  type StreamName,
  streamName,
} from "../src/index.js";
import { declareStream, streamConfig } from "../src/streams.js";

const logger = testLogger("bus-streams");
const opened: Bus[] = [];
const ALL: StreamName[] = ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"];

async function open(name: string, ns: string, limits?: { maxBytes: number; maxMessageBytes: number }) {
  const bus = await connectBus({
    servers: testServers().natsUrl,
    name,
    ns,
    logger,
    ...(limits ? { streamLimits: limits } : {}),
  });
  opened.push(bus);
  return bus;
}

afterAll(async () => {
  for (const bus of opened) {
    for (const s of ALL) await bus.jsm.streams.delete(streamName(bus.ns, s)).catch(() => undefined);
    await bus.close();
  }
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
    await ensureStreams(bus.jsm, bus.ns, { maxBytes: 4 * 1024 * 1024, maxMessageBytes: 64 * 1024 });
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

  it("streams - the owner updates its stream at connect; a consumer only creates a missing one and changes none", async () => {
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
});
