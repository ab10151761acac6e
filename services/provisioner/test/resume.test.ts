import { streamName } from "@proximity/bus";
import { eventually } from "@proximity/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_CONSUMER } from "../src/service.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // Enough deliveries (with a longer backoff) that a request outlives a busy stretch of seconds
  // instead of being exhausted while another worker holds the operation.
  h = await startHarness({
    PROVISIONER_MAX_DELIVER: "20",
    PROVISIONER_BACKOFF_BASE_MS: "100",
    PROVISIONER_BACKOFF_MAX_MS: "400",
    // A delivery waits a held claim out for up to one TTL before it counts as busy.
    OPERATION_CLAIM_TTL_MS: "2000",
  });
});

afterEach(() => h.sim.clearFaults());

afterAll(async () => {
  await h?.close();
});

describe("resume from the journal", () => {
  it("resume - a create task journaled by a crashed worker is polled, not started again", async () => {
    const request = h.deployRequest();
    const vmid = (await h.pve.nextId())!;
    // What a worker that crashed right after storing the create task's UPID leaves behind.
    const upid = await h.pve.createContainer(NODE, {
      vmid,
      ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
      hostname: request.hostname,
      tags: "proximity",
      description: `proximity app=${request.appId} operation=${request.operationId}`,
    });
    await h.db
      .insertInto("operations")
      .values({
        id: request.operationId,
        kind: "deploy",
        app_id: request.appId,
        host_id: HOST_ID,
        node: NODE,
        vmid,
        status: "running",
        attempts: 1,
        last_error: null,
        claimed_by: "crashed-worker",
        claimed_until: new Date(Date.now() - 1_000),
      })
      .execute();
    await h.db
      .insertInto("containers")
      .values({
        host_id: HOST_ID,
        vmid,
        node: NODE,
        app_id: request.appId,
        operation_id: request.operationId,
      })
      .execute();
    await h.db
      .insertInto("operation_steps")
      .values([
        {
          operation_id: request.operationId,
          name: "allocate-vmid",
          status: "done",
          upid: null,
          detail: String(vmid),
        },
        {
          operation_id: request.operationId,
          name: "create-container",
          status: "running",
          upid,
          detail: null,
        },
      ])
      .execute();
    // Any second create would fail the deploy.
    h.sim.addFault({
      match: { method: "POST", path: "^/nodes/[^/]+/lxc$" },
      effect: { kind: "http-error", status: 500, message: "unexpected second create" },
    });

    await h.publish(request);
    const outcome = await h.outcome(request.operationId);

    expect(outcome.payload).toMatchObject({ vmid });
    expect(outcome.type).toBe("succeeded");
    const step = await h.db
      .selectFrom("operation_steps")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .where("name", "=", "create-container")
      .executeTakeFirstOrThrow();
    expect(step).toMatchObject({ status: "done", upid });
    expect(await h.attemptsOf(request.operationId)).toBe(2);
  });

  it("resume - deliveries finding the operation claimed by a live worker do nothing; once the claim expires it finishes", async () => {
    const request = h.deployRequest();
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
        last_error: null,
        claimed_by: "live-worker",
        // Live until the test expires it below: no race with the deliveries.
        claimed_until: new Date(Date.now() + 10 * 60_000),
      })
      .execute();
    const consumer = () => h.bus.jsm.consumers.info(streamName(h.bus.ns, "APPLICATIONS"), DEPLOY_CONSUMER);
    const before = (await consumer()).delivered.consumer_seq;
    await h.publish(request);
    // The first delivery and one redelivery were handled (nak'd) before a third was sent.
    await eventually(async () => (await consumer()).delivered.consumer_seq >= before + 3, {
      timeoutMs: 15_000,
      what: "two deliveries that found the operation busy",
    });
    const op = () =>
      h.db
        .selectFrom("operations")
        .selectAll()
        .where("id", "=", request.operationId)
        .executeTakeFirstOrThrow();
    expect(await op()).toMatchObject({ status: "running", attempts: 0, claimed_by: "live-worker" });
    expect(
      await h.db
        .selectFrom("operation_steps")
        .selectAll()
        .where("operation_id", "=", request.operationId)
        .execute(),
    ).toEqual([]);
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toEqual([]);
    expect((await h.events()).filter((e) => e.payload.operationId === request.operationId)).toEqual([]);

    // The live worker's claim runs out (it crashed): the next delivery takes the operation over.
    await h.db
      .updateTable("operations")
      .set({ claimed_until: new Date(Date.now() - 1_000) })
      .where("id", "=", request.operationId)
      .execute();
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toHaveLength(1);
    // Deliveries that found the operation busy did no work and are not counted as attempts.
    expect((await op()).attempts).toBe(1);
  });
});
