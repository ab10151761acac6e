/**
 * Placements on a host share one listing of its guests (guest-vmids.ts): a guest made outside
 * Proximity after the listing is refused at creation, another VMID is chosen, and the host's guests
 * are listed again.
 */
import { metricsRegistry } from "@proximity/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // Shared for 10 s (the most allowed): every placement of this file uses the first listing unless it is forgotten.
  h = await startHarness({ GUEST_LIST_MAX_AGE_MS: "10000" });
});

afterAll(async () => {
  await h?.close();
});

/** Listings of HOST_ID's guests fetched so far (the counter is the process's). */
async function listings(): Promise<number> {
  const text = await metricsRegistry().getSingleMetricAsString("proximity_provisioner_guest_listings_total");
  const line = text.split("\n").find((l) => l.includes(`host="${HOST_ID}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

async function deploy(): Promise<number> {
  const request = h.deployRequest();
  await h.publish(request);
  const outcome = await h.outcome(request.operationId);
  expect(outcome.type).toBe("succeeded");
  return outcome.payload.vmid as number;
}

describe("the host's guest listing", () => {
  it("is shared by placements; a VMID found taken at creation is left alone, another chosen, and the guests listed again", async () => {
    await deploy();
    const before = await listings();
    expect(before).toBeGreaterThan(0);
    await deploy();
    expect(await listings()).toBe(before);

    // A guest made by hand after the listing, on the VMID the next placement will try: the
    // suggestion is held by another Proximity operation (skipped), the one after is the foreign one.
    const suggested = (await h.pve.nextId())!;
    await h.db
      .insertInto("containers")
      .values({ host_id: HOST_ID, vmid: suggested, node: NODE, app_id: "other", operation_id: "other-op" })
      .execute();
    await h.pve.waitForTask(
      await h.pve.createContainer(NODE, {
        vmid: suggested + 1,
        ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        hostname: "made-by-hand",
        description: "created by hand",
      }),
    );

    expect(await deploy()).toBe(suggested + 2);
    expect(h.sim.containers().find((c) => c.vmid === suggested + 1)).toMatchObject({
      hostname: "made-by-hand",
      description: "created by hand",
    });
    // The refused VMID made the second choice list the host's guests again.
    expect(await listings()).toBe(before + 1);
    // That listing names the guest made by hand: the next placement skips its VMID without trying
    // it (no refusal, so no listing again).
    expect(await deploy()).toBe(suggested + 3);
    expect(await listings()).toBe(before + 1);
  });
});
