/**
 * Deploys under per-node limits, two provisioner replicas on a simulator of two nodes: a burst on
 * one node runs one at a time there, waits without being redelivered (ack wait 3 s, shorter than
 * the wait), never delays the other node, and never delays a stop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, type DeployedApp, deployApp } from "./support/lifecycle.js";

let h: Harness;
let app: DeployedApp;

beforeAll(async () => {
  h = await startHarness(
    {
      PROVISIONER_NODE_CONCURRENCY: "1",
      PROVISIONER_SLOT_POLL_MS: "50",
      // Ack wait = claim TTL: the last of the burst waits for a slot about twice as long.
      OPERATION_CLAIM_TTL_MS: "3000",
      PROVISIONER_MAX_DELIVER: "2",
    },
    { simulator: { nodes: ["pve1", "pve2"], taskDurationMs: 150, commandDurationMs: 100 } },
  );
  await h.startReplica();
  app = await deployApp(h, { node: "pve2" });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** The most operations of `ids` whose [start, end] overlap at one instant. */
async function maxOverlap(ids: readonly string[]): Promise<number> {
  const rows = await h.db.selectFrom("operations").selectAll().where("id", "in", ids).execute();
  const edges = rows.flatMap((r) => [
    { at: r.created_at.getTime(), d: 1 },
    { at: r.updated_at.getTime(), d: -1 },
  ]);
  edges.sort((x, y) => x.at - y.at || x.d - y.d);
  let now = 0;
  let max = 0;
  for (const e of edges) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}

describe("deploy limits", () => {
  it("deploy limits - a burst on one node runs one at a time across replicas, unredelivered, without delaying the other node or a stop", async () => {
    const burst = Array.from({ length: 6 }, () => h.deployRequest({ node: "pve1" }));
    for (const r of burst) await h.publish(r);
    const other = h.deployRequest({ node: "pve2" });
    await h.publish(other);
    const stop = actionRequest(app, Action.APP_ACTION_STOP);
    const stopped = await act(h, stop);
    expect(stopped.type).toBe("succeeded");
    const otherDone = await h.outcome(other.operationId, 30_000);
    expect(otherDone.type).toBe("succeeded");
    const outcomes = [];
    for (const r of burst) outcomes.push(await h.outcome(r.operationId, 60_000));
    expect(outcomes.map((o) => o.type)).toEqual(burst.map(() => "succeeded"));

    const ids = burst.map((r) => r.operationId);
    expect(await maxOverlap(ids)).toBe(1);
    const rows = await h.db
      .selectFrom("operations")
      .select(["id", "attempts", "updated_at"])
      .where("id", "in", [...ids, other.operationId, stop.operationId])
      .execute();
    // Waiting burned no delivery: every operation ran once.
    expect(rows.map((r) => r.attempts)).toEqual(rows.map(() => 1));
    const endOf = (id: string) => rows.find((r) => r.id === id)!.updated_at.getTime();
    const burstEnds = ids.map(endOf).sort((x, y) => x - y);
    // The other node and the stop finished while the burst was still queued on pve1.
    expect(endOf(other.operationId)).toBeLessThan(burstEnds[3]!);
    expect(endOf(stop.operationId)).toBeLessThan(burstEnds[3]!);
    const { items } = await h.sre.listDeadLetters({ limit: 10 });
    expect(items).toHaveLength(0);
  }, 120_000);
});
