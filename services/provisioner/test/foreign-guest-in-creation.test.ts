/**
 * A guest someone else is still creating (a restore: until its task ends, Proxmox's config holds
 * only `lock: create`), made after the host's guests were listed, on the VMID a placement tries:
 * the placement never sent a create there, so the VMID is someone else's at once. Before, the
 * attempt failed and the next one waited for the foreign task on that VMID.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // Tasks of 1.5 s: the foreign restore is still running when the placement meets it.
  h = await startHarness({ GUEST_LIST_MAX_AGE_MS: "10000" }, { simulator: { taskDurationMs: 1_500 } });
});

afterAll(async () => {
  await h?.close();
});

async function deploy(): Promise<{ vmid: number; attempts: number }> {
  const request = h.deployRequest();
  await h.publish(request);
  const outcome = await h.outcome(request.operationId, 60_000);
  expect(outcome.type).toBe("succeeded");
  return { vmid: outcome.payload.vmid as number, attempts: await h.attemptsOf(request.operationId) };
}

describe("a foreign guest still being created", () => {
  it("on the VMID a placement tries: abandoned at once, another VMID chosen in the same attempt", {
    timeout: 90_000,
  }, async () => {
    // An archive of a container made by hand, to restore from.
    const template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
    await h.pve.waitForTask(
      await h.pve.createContainer(NODE, { vmid: 9000, ostemplate: template, hostname: "by-hand" }),
    );
    await h.pve.waitForTask(await h.pve.vzdump(NODE, { vmid: 9000, storage: "local", mode: "stop" }));
    const [archive] = await h.pve.listStorageContent(NODE, "local", { content: "backup", vmid: 9000 });
    expect(archive?.volid).toBeDefined();

    await deploy(); // the host's guests are listed (and kept for 10 s)
    // The suggestion is held by another Proximity operation (skipped); on the one after it, someone
    // starts a restore after the listing.
    const suggested = (await h.pve.nextId())!;
    await h.db
      .insertInto("containers")
      .values({ host_id: HOST_ID, vmid: suggested, node: NODE, app_id: "other", operation_id: "other-op" })
      .execute();
    const restoring = await h.pve.restoreContainer(NODE, { vmid: suggested + 1, archive: archive!.volid });

    const placed = await deploy();
    expect(placed).toEqual({ vmid: suggested + 2, attempts: 1 });
    // The foreign restore was left to finish, untouched.
    await h.pve.waitForTask(restoring);
    expect(h.sim.containers().find((c) => c.vmid === suggested + 1)).toMatchObject({ hostname: "by-hand" });
  });
});
