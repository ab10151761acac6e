import { Events, streamName } from "@proximity/bus";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // One delivery and the 3 the server adds for crashed processes: 4 in all, each taken below by a
  // process that dies with it. Between the deaths nobody pulls (the first process is stopped; a
  // replica runs only while a test waits for the recovery).
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "1", OPERATION_CLAIM_TTL_MS: "1000" });
  await h.stopService();
});

afterAll(async () => {
  await h?.close();
});

/** Takes every delivery the server allows, each by a process that dies with it. */
async function takeEveryDelivery(onDelivery: (delivery: number) => Promise<void> = async () => {}) {
  const raw = await h.bus.js.consumers.get(streamName(h.bus.ns, "APPLICATIONS"), "provisioner-deploy");
  for (const delivery of [1, 2, 3, 4]) {
    const msg = await raw.next({ expires: 5_000 });
    expect(msg?.info.redeliveryCount).toBe(delivery);
    await onDelivery(delivery);
  }
}

/** Runs `fn` with a provisioner replica up (it reads the advisories), stopped afterwards. */
async function withReplica(fn: () => Promise<void>): Promise<void> {
  const replica = await h.startReplica();
  try {
    await fn();
  } finally {
    await replica.stop();
  }
}

/** The journal row a worker leaves on its attempt: running, claimed by it until `claimedUntil`. */
async function journalClaim(
  request: ReturnType<Harness["deployRequest"]>,
  claim: { attempts: number; claimedBy: string; claimedUntil: Date },
): Promise<void> {
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
      attempts: claim.attempts,
      last_error: null,
      claimed_by: claim.claimedBy,
      claimed_until: claim.claimedUntil,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({ attempts: claim.attempts, claimed_by: claim.claimedBy }),
    )
    .execute();
}

const failedEventsOf = async (operationId: string) =>
  (await h.eventsOf(Events.OperationFailed)).filter((e) => e.operationId === operationId);

const operationRow = (id: string) =>
  h.db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("an operation whose every delivery died with its process", () => {
  it("abandoned operation - the server's max-deliveries advisory has it failed: OperationFailed with a reason, nothing left running", async () => {
    const request = h.deployRequest();
    await h.publish(request);
    await takeEveryDelivery(async (delivery) => {
      // What each dying replica left in the journal: one more attempt, a claim nobody renews.
      await journalClaim(request, {
        attempts: delivery,
        claimedBy: `killed-${delivery}`,
        claimedUntil: new Date(Date.now() + 500),
      });
    });

    await withReplica(async () => {
      const outcome = await h.outcome(request.operationId, 30_000);
      expect(outcome.type).toBe("failed");
      expect(outcome.payload.reason).toBe(
        "The provisioner was stopped during every attempt before it could finish (4 attempts)",
      );
      const op = await operationRow(request.operationId);
      expect(op.status).toBe("failed");
      expect(op.claimed_by).toBeNull();
      // Failed, not run: no container was made for it.
      expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toHaveLength(0);
      // Failed once: the advisory is settled, no second OperationFailed follows.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await failedEventsOf(request.operationId)).toHaveLength(1);
    });
  });

  it("abandoned operation - held by a worker cut off from NATS when its advisory is read: failed once that worker is gone", async () => {
    const request = h.deployRequest();
    await h.publish(request);
    await takeEveryDelivery();
    // A worker that lost NATS (no heartbeats, so the server gave the message up) but not
    // PostgreSQL: it still holds and renews its claim.
    await journalClaim(request, {
      attempts: 4,
      claimedBy: "cut-off-worker",
      claimedUntil: new Date(Date.now() + 1_000),
    });
    const renew = setInterval(() => {
      void h.db
        .updateTable("operations")
        .set({ claimed_until: sql<Date>`now() + interval '1 second'` })
        .where("id", "=", request.operationId)
        .where("claimed_by", "=", "cut-off-worker")
        .execute();
    }, 200);
    await withReplica(async () => {
      try {
        // The advisory is read while the worker holds on: nothing is failed under it.
        await new Promise((r) => setTimeout(r, 4_000));
        expect(await failedEventsOf(request.operationId)).toEqual([]);
      } finally {
        clearInterval(renew); // the worker dies
      }
      const outcome = await h.outcome(request.operationId, 20_000);
      expect(outcome.type).toBe("failed");
    });
  });

  it("abandoned operation - every delivery died before the operation was recorded: recorded, then failed", async () => {
    const request = h.deployRequest();
    await h.publish(request);
    await takeEveryDelivery();
    await withReplica(async () => {
      const outcome = await h.outcome(request.operationId, 20_000);
      expect(outcome.type).toBe("failed");
      expect(outcome.payload.reason).toBe(
        "The provisioner was stopped during every attempt before it could finish (4 attempts)",
      );
      expect((await operationRow(request.operationId)).status).toBe("failed");
    });
  });
});
