/**
 * Once its container exists a deploy releases its VMID lease beside the next steps; the attempt
 * waits for the release before it ends, but not with its claim still being renewed: the operation
 * is finished by then, and a renewal would be refused and logged as lost ownership.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";

const SLOW_RELEASE_MS = 3_000;
let h: Harness;
let restore: () => void = () => undefined;

beforeAll(async () => {
  // A claim renewed every 500 ms: a release outlasting the attempt by seconds spans several renewals.
  h = await startHarness({ OPERATION_CLAIM_TTL_MS: "1500" }, { captureLogs: true });
  // Every lease delete of the test host takes 3 s (the provisioner shares this process's nats).
  const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
  const proto = Object.getPrototypeOf(kv) as { delete: (key: string, ...rest: unknown[]) => Promise<void> };
  const original = proto.delete;
  proto.delete = async function (this: unknown, key: string, ...rest: unknown[]) {
    if (key.startsWith(`${HOST_ID}.`)) await sleep(SLOW_RELEASE_MS);
    return original.call(this, key, ...rest);
  };
  restore = () => {
    proto.delete = original;
  };
});

afterAll(async () => {
  restore();
  await h?.close();
});

describe("lease release off the path", () => {
  it("a slow lease release neither delays the deploy nor outlives its claim's renewals", async () => {
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    // The steps after the create did not wait for the release: the deploy succeeded before it landed.
    const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
    const key = `${HOST_ID}.${outcome.payload.vmid}`;
    expect((await kv.get(key))?.operation).toBe("PUT");
    await eventually(async () => (await kv.get(key))?.operation !== "PUT", {
      timeoutMs: 10_000,
      what: "lease released",
    });
    await sleep(1_000); // two more renewal periods, had the renewals gone on
    const lines = h.logs.filter((l) => l.includes(request.operationId));
    expect(lines.some((l) => l.includes("ownership lost"))).toBe(false);
    expect(lines.some((l) => l.includes("could not release the VMID lease"))).toBe(false);
  });
});
