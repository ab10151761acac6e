import { Events, streamName } from "@proximity/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // One delivery and the 3 the server adds for crashed processes: 4 in all, each taken below by a
  // process that dies with it.
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "1", OPERATION_CLAIM_TTL_MS: "1000" });
});

afterAll(async () => {
  await h?.close();
});

describe("an operation whose every delivery died with its process", () => {
  it("abandoned operation - the server's max-deliveries advisory has it failed: OperationFailed with a reason, nothing left running", async () => {
    // Replicas killed -9 one after another: the durable exists, nobody pulls between the deaths.
    await h.stopService();
    const request = h.deployRequest();
    await h.publish(request);
    const raw = await h.bus.js.consumers.get(streamName(h.bus.ns, "APPLICATIONS"), "provisioner-deploy");
    for (const delivery of [1, 2, 3, 4]) {
      const msg = await raw.next({ expires: 5_000 });
      expect(msg?.info.redeliveryCount).toBe(delivery);
      // What each dying replica left in the journal: one more attempt, a claim nobody renews.
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
          attempts: delivery,
          last_error: null,
          claimed_by: `killed-${delivery}`,
          claimed_until: new Date(Date.now() + 500),
        })
        .onConflict((oc) =>
          oc.column("id").doUpdateSet({ attempts: delivery, claimed_by: `killed-${delivery}` }),
        )
        .execute();
    }

    await h.startReplica();
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      "The provisioner was stopped during every attempt before it could finish (4 attempts)",
    );
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect(op.status).toBe("failed");
    expect(op.claimed_by).toBeNull();
    // Failed, not run: no container was made for it.
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toHaveLength(0);
    // Failed once: the advisory is settled, no second OperationFailed follows.
    await new Promise((r) => setTimeout(r, 1_500));
    const failed = (await h.eventsOf(Events.OperationFailed)).filter(
      (e) => e.operationId === request.operationId,
    );
    expect(failed).toHaveLength(1);
  });
});
