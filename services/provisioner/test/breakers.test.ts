/**
 * ListBreakers: the per-host circuit breaker the deploy steps actually use is visible over gRPC to
 * SRE tooling: closed after a healthy deploy, open after the host died under a deploy. ResetBreaker
 * forgets it in the answering process, and the next deploy goes to the host again.
 */
import { NotFoundError, PermissionDeniedError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // Short timeouts so the failing deploy ends quickly; a long reset keeps the breaker open while we look.
  h = await startHarness({
    PROVISIONER_MAX_DELIVER: "2",
    OPERATION_CLAIM_TTL_MS: "1000",
    TASK_TIMEOUT_MS: "3000",
    SSH_CONNECT_TIMEOUT_MS: "1000",
    PROVISIONER_BREAKER_RESET_MS: "60000",
  });
});

afterAll(async () => {
  await h?.close();
});

const breakerOf = async () => (await h.sre.listBreakers({})).items.find((b) => b.key === HOST_ID);

describe("ListBreakers", () => {
  it("breakers - none before the host was ever called", async () => {
    expect((await h.sre.listBreakers({})).items).toEqual([]);
  });

  it("breakers - after a deploy the host's breaker is closed and counted successes", async () => {
    const request = h.deployRequest();
    await h.publish(request);
    expect((await h.outcome(request.operationId)).type).toBe("succeeded");
    const b = await breakerOf();
    expect(b).toMatchObject({ key: HOST_ID, state: "closed", failures: 0, rejects: 0 });
    expect(b!.successes).toBeGreaterThan(0);
    expect(b!.fires).toBeGreaterThanOrEqual(b!.successes);
  });

  it("breakers - a host that stays down under deploys has its breaker open", {
    timeout: 60_000,
  }, async () => {
    h.sim.setHostDown(true);
    // The breaker opens on the failure share of its rolling window (50 %), and the healthy deploy above
    // is still in that window, so one failed deploy (about 4 failed calls against 9 successes) is not
    // enough; a few are. Bounded, so a breaker that never opens fails the test.
    const states: string[] = [];
    for (let i = 0; i < 5 && states.at(-1) !== "open"; i++) {
      const request = h.deployRequest();
      await h.publish(request);
      expect((await h.outcome(request.operationId, 45_000)).type).toBe("failed");
      states.push((await breakerOf())?.state ?? "missing");
    }
    expect(states.at(-1)).toBe("open");
    const b = await breakerOf();
    expect(b).toMatchObject({ key: HOST_ID, state: "open" });
    expect(b!.failures).toBeGreaterThanOrEqual(b!.successes);
  });

  it("breakers - callers other than sre and api-gateway are PERMISSION_DENIED", async () => {
    await expect(h.clientAs("applications").listBreakers({})).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
    });
    await expect(h.clientAs("hosts").listBreakers({})).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect((await h.clientAs("api-gateway").listBreakers({})).items.map((b) => b.key)).toEqual([HOST_ID]);
  });

  it("breakers - ResetBreaker (sre only) forgets the open breaker of the answering replica; deploys reach the host again", {
    timeout: 60_000,
  }, async () => {
    expect((await breakerOf())?.state).toBe("open");
    const { replica } = await h.sre.listBreakers({});
    expect(replica).toMatch(/:\d+:[0-9a-f]{8}$/);
    await expect(h.clientAs("api-gateway").resetBreaker({ hostId: HOST_ID })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    const reset = await h.sre.resetBreaker({ hostId: HOST_ID });
    expect(reset).toMatchObject({ replica, previous: { key: HOST_ID, state: "open" } });
    expect(await breakerOf()).toBeUndefined();
    await expect(h.sre.resetBreaker({ hostId: HOST_ID })).rejects.toBeInstanceOf(NotFoundError);

    h.sim.setHostDown(false);
    const request = h.deployRequest();
    await h.publish(request);
    expect((await h.outcome(request.operationId, 45_000)).type).toBe("succeeded");
    expect(await breakerOf()).toMatchObject({ state: "closed", failures: 0 });
  });
});
