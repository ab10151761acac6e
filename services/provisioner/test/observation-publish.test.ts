/**
 * Observations are snapshot events published straight to JetStream (no outbox). When JetStream
 * does not acknowledge one (NATS cut: the publish times out), observing the host still resolves:
 * the node is logged and counted as not observed, its storages are left for the next round, and
 * the next observation after NATS is back publishes both, signed as the provisioner. NATS sits
 * behind a TCP relay; the host is the simulator.
 */
import { Writable } from "node:stream";
import {
  type Bus,
  checkEvent,
  connectBus,
  createSnapshotPublisher,
  Events,
  eventSigner,
  eventVerifier,
  newTraceparent,
  streamName,
} from "@proximity/bus";
import { generateServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { hostsV1 } from "@proximity/proto";
import { createProxmoxClient, type ExtendedProxmoxClient } from "@proximity/proxmox";
import { createProxmoxSimulator, type ProxmoxSimulator } from "@proximity/proxmox-sim";
import { eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostObservationDeps, observeHost } from "../src/app/observe/observe-host.js";
import type { HostApi } from "../src/app/operations/host-api.js";
import { startTcpRelay, type TcpRelay } from "./support/tcp-relay.js";

const TOKEN = { tokenId: "proximity@pve!provisioner", secret: "observation-publish-test" };
const ns = uniqueNamespace();
const keys = await generateServiceKeys(["provisioner", "applications"]);
const lines: string[] = [];
const log = createLogger(
  { service: "provisioner", level: "debug" },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  }),
);
let sim: ProxmoxSimulator;
let pve: ExtendedProxmoxClient;
let direct: Bus;
let relayed: Bus;
let relay: TcpRelay;
let deps: HostObservationDeps;
let api: HostApi;

beforeAll(async () => {
  sim = createProxmoxSimulator({ httpPort: 0, tokens: [TOKEN], authFailureDelayMs: 0, containers: 2 });
  const { baseUrl } = await sim.start();
  pve = createProxmoxClient({ baseUrl, auth: { kind: "token", ...TOKEN } }, { logger: testLogger("pve") });
  api = { host: hostsV1.Host.fromPartial({ id: "host-1", name: "sim" }), pve };
  // The provisioner's streams, as the service declares them on the tests' server.
  direct = await connectBus({
    servers: testServers().natsUrl,
    name: "provisioner",
    ns,
    logger: testLogger("nats"),
    declareStreams: true,
    streamLimits: { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 },
  });
  relay = await startTcpRelay(new URL(testServers().natsUrl.split(",")[0]!), 4222);
  relayed = await connectBus({
    servers: `nats://127.0.0.1:${relay.port}`,
    name: "provisioner",
    ns,
    logger: testLogger("nats"),
  });
  deps = {
    snapshots: createSnapshotPublisher({
      js: relayed.js,
      ns,
      signer: eventSigner(keys.get("provisioner")!),
    }),
    nodeConcurrency: 2,
    maxArchivesPerStorage: 100,
  };
}, 30_000);

afterAll(async () => {
  for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
    await direct?.jsm.streams.delete(streamName(ns, s)).catch(() => undefined);
  await relayed?.nc.close();
  await direct?.close();
  await relay?.close();
  await pve?.close();
  await sim?.stop();
});

/** The provisioner stream's messages of `type`, verified as a consumer would. */
async function published(type: string): Promise<{ hostId: string; node: string }[]> {
  const name = streamName(ns, "PROVISIONER");
  const { state } = await direct.jsm.streams.info(name);
  const out: { hostId: string; node: string }[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await direct.jsm.streams.getMessage(name, { seq });
    if (m.header.get("ce-type") !== type) continue;
    const checked = checkEvent(eventVerifier(keys.get("applications")!), ns, {
      subject: m.subject,
      headers: m.header,
      data: m.data,
    });
    expect(checked.ok, "signed as the provisioner").toBe(true);
    const event =
      type === Events.ContainersObserved.type ? Events.ContainersObserved : Events.BackupsObserved;
    out.push(event.codec.decode(m.data));
  }
  return out;
}

describe("observation publishing", () => {
  it("observations - a node JetStream does not acknowledge is logged and not observed, the host's observation resolves; the next one after NATS is back publishes", {
    timeout: 60_000,
  }, async () => {
    relay.down();
    const started = Date.now();
    try {
      expect(await observeHost(deps, api, newTraceparent(), log, { backups: true })).toBe(0);
    } finally {
      relay.up();
    }
    // It waited for the PubAck (JetStream's request timeout) rather than dropping it at once.
    expect(Date.now() - started).toBeGreaterThan(1_000);
    const warned = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "observation of the node was not published; node not observed");
    expect(warned).toEqual([expect.objectContaining({ hostId: "host-1", node: "pve1", level: "warn" })]);
    // Its storages were not listed: their publishes would have waited the same way.
    expect(lines.join("")).not.toMatch(/storage/);

    await eventually(
      async () => (await observeHost(deps, api, newTraceparent(), log, { backups: true })) === 1,
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: "an observation published once NATS is back",
      },
    );
    expect(await published(Events.ContainersObserved.type)).toContainEqual(
      expect.objectContaining({ hostId: "host-1", node: "pve1" }),
    );
    expect(await published(Events.BackupsObserved.type)).toContainEqual(
      expect.objectContaining({ hostId: "host-1", node: "pve1" }),
    );
  });
});
