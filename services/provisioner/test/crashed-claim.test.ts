import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // Two deliveries, both well inside the dead claim (backoff 50–200 ms): spending them on a busy
  // operation would leave it running for ever (the chaos run's "stuck" figure).
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "2", OPERATION_CLAIM_TTL_MS: "3000" });
});

afterAll(async () => {
  await h?.close();
});

describe("a crashed replica's claim", () => {
  it("crashed claim - a delivery finding the operation still claimed by a dead worker waits the claim out and finishes it", async () => {
    const request = h.deployRequest();
    // What a replica killed -9 mid-attempt leaves: a claim nobody renews, valid a little longer.
    await h.db
      .insertInto("operations")
      .values({
        id: request.operationId,
        kind: "deploy",
        app_id: request.appId,
        host_id: HOST_ID,
        node: NODE,
        vmid: null,
        status: "running",
        attempts: 1,
        last_error: null,
        claimed_by: "killed-worker",
        claimed_until: new Date(Date.now() + 2_500),
      })
      .execute();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId, 20_000);
    expect(outcome.type).toBe("succeeded");
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect(op.status).toBe("succeeded");
    // The dead worker's attempt and this one (one more if a step failed on a loaded machine).
    expect(op.attempts).toBeGreaterThanOrEqual(2);
    expect(op.claimed_by).not.toBe("killed-worker");
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toHaveLength(1);
  });
});
