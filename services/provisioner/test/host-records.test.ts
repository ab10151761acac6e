/**
 * Host records end to end: operations on a host read its record from the hosts service once, and
 * again only after HostConnectionChanged (published by the hosts service with every change of the
 * host) or an attempt on the host that failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";
import { deployApp } from "./support/lifecycle.js";

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

  it("host records - an operation refused on a kept record makes the next one read it again", async () => {
    await deployApp(h); // the record is kept
    const before = reads();
    const refused = h.deployRequest({ node: "not-a-node-of-this-host" });
    await h.publish(refused);
    const outcome = await h.outcome(refused.operationId);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      "The host, its node or its credentials are not registered in Proximity",
    );
    // Refused on the kept record (no read), which is dropped: the node may have been added since.
    expect(reads()).toBe(before);
    await deployApp(h);
    expect(reads() - before).toBe(1);
    await deployApp(h);
    expect(reads() - before).toBe(1);
  });
});
