/**
 * Host records end to end: operations on a host read its record from the hosts service once, and
 * again only after HostConnectionChanged (published by the hosts service with every change of the
 * host) or an attempt on the host that failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, deployApp } from "./support/lifecycle.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** GetHostConnection calls for HOST_ID so far. */
const reads = () => h.peers.hostReads.filter((id) => id === HOST_ID).length;
const registered = () => h.peers.hosts.get(HOST_ID)!;
/** The "Attempt N failed" lines of an operation's progress. */
async function failedAttempts(harness: Harness, operationId: string): Promise<string[]> {
  return (await harness.progressLines(operationId))
    .map((line) => /^Attempt \d+ failed/.exec(line.message)?.[0])
    .filter((m): m is string => m !== undefined);
}

describe("host records", () => {
  it("host records - read once for the operations that follow, again after HostConnectionChanged", async () => {
    await h.changeHost(HOST_ID, registered()); // whatever an earlier test left kept is dropped
    const before = reads();
    await deployApp(h);
    await deployApp(h);
    await deployApp(h);
    expect(reads() - before).toBe(1);

    // The backup storage is part of the record: the next operation works with the new one.
    const original = registered();
    await h.changeHost(HOST_ID, { ...original, host: { ...original.host, backupStorage: "backup" } });
    try {
      const afterChange = reads();
      await deployApp(h);
      await deployApp(h);
      expect(reads() - afterChange).toBe(1);
    } finally {
      await h.changeHost(HOST_ID, original);
    }
  });

  it("host records - what a kept record refuses is decided again on the record read now", async () => {
    await deployApp(h); // the record is kept
    const before = reads();
    const refused = h.deployRequest({ node: "not-a-node-of-this-host" });
    await h.publish(refused);
    const outcome = await h.outcome(refused.operationId);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      "The host, its node or its credentials are not registered in Proximity",
    );
    expect(outcome.payload.attempts).toBe(1);
    // The kept record did not list the node: it was read again, did not list it either, and was dropped.
    expect(reads() - before).toBe(1);
    await deployApp(h);
    expect(reads() - before).toBe(2);
    await deployApp(h);
    expect(reads() - before).toBe(2);
  });

  it("host records - a failed attempt drops the record: the retry reads it again", async () => {
    await deployApp(h); // the record is kept
    const before = reads();
    h.peers.failPuts(1); // the first attempt cannot store the root password
    const { request } = await deployApp(h);
    expect(await failedAttempts(h, request.operationId)).toEqual(["Attempt 1 failed"]);
    expect(reads() - before).toBe(1);
  });
});

describe("host records - changes whose event has not arrived", () => {
  let late: Harness;

  beforeAll(async () => {
    late = await startHarness({ HOST_SESSION_TTL_MS: "300" }, { simulator: { nodes: ["pve1", "pve2"] } });
  });

  afterAll(async () => {
    await late?.close();
  });

  const lateReads = () => late.peers.hostReads.filter((id) => id === HOST_ID).length;
  const registeredLate = () => late.peers.hosts.get(HOST_ID)!;

  it("host records - a node the kept record does not list yet is found in the record read now", async () => {
    const both = registeredLate();
    const pve1Only = {
      ...both,
      host: { ...both.host, nodes: both.host.nodes.filter((n) => n.name === "pve1") },
    };
    await late.changeHost(HOST_ID, pve1Only);
    await deployApp(late, { node: "pve1" }); // kept: pve1 only
    late.peers.hosts.set(HOST_ID, both); // pve2 registered; its event is still on its way
    const before = lateReads();
    const { request } = await deployApp(late, { node: "pve2" });
    expect(await failedAttempts(late, request.operationId)).toEqual([]); // not refused on the kept record
    expect(lateReads() - before).toBe(1);
  });

  it("host records - a node key refused on a kept record is retried with the record read now, not final", async () => {
    const registered = registeredLate();
    const wrong = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
    const node = registered.host.nodes.find((n) => n.name === "pve1")!;
    const app = await deployApp(late, { node: "pve1" });
    // A key that is not pve1's is registered, and kept by a stop (Proxmox's API only, no SSH)...
    const rekeyed = {
      ...registered,
      host: {
        ...registered.host,
        nodes: registered.host.nodes.map((n) => (n === node ? { ...n, sshHostKeyFingerprint: wrong } : n)),
      },
    };
    await late.changeHost(HOST_ID, rekeyed);
    expect((await act(late, actionRequest(app, Action.APP_ACTION_STOP))).type).toBe("succeeded");
    // ...then the right key is registered again; its event is still on its way.
    late.peers.hosts.set(HOST_ID, registered);
    const { request } = await deployApp(late, { node: "pve1" });
    expect(await failedAttempts(late, request.operationId)).toEqual(["Attempt 1 failed"]);
  });

  it("host records - new credentials are never read for a kept record: a session is opened on the record read now", async () => {
    const registered = registeredLate();
    await late.changeHost(HOST_ID, registered);
    await deployApp(late); // record kept, session opened
    await new Promise((resolve) => setTimeout(resolve, 400)); // the session's life (300 ms) is over
    // The host changed (its event is late): its new credentials go with its new record only.
    const updatedAt = new Date((registered.host.updatedAt?.getTime() ?? 0) + 1_000);
    late.peers.hosts.set(HOST_ID, { ...registered, host: { ...registered.host, updatedAt } });
    const before = lateReads();
    await deployApp(late);
    expect(lateReads() - before).toBe(1);
  });
});
