import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
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
      ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
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
    const op = await h.db
      .selectFrom("operations")
      .select("attempts")
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect(op.attempts).toBe(2);
  });

  it("resume - a delivery finding the operation claimed by a live worker retries later, then finishes it", async () => {
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
        claimed_until: new Date(Date.now() + 250),
      })
      .execute();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toHaveLength(1);
    // Deliveries that found the operation busy did no work and are not counted as attempts.
    const { operation } = await h.sre.getOperation({ id: request.operationId });
    expect(operation?.attempts).toBe(1);
  });
});
