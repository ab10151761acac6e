/**
 * Fault injection: the Proxmox host goes down in the middle of a deploy (after the container was
 * created, while it is being started). The operation must end in an explained `failed`, and once
 * the host is back a new deploy must succeed. The cleanup cannot reach the host, so the
 * half-built container stays (its `containers` row keeps the VMID reserved) until the orphan
 * reconciler removes it once the host answers again.
 */
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // Short claim/task/SSH timeouts so that an attempt cut off by the outage is retried quickly.
  h = await startHarness({
    PROVISIONER_MAX_DELIVER: "2",
    OPERATION_CLAIM_TTL_MS: "1000",
    TASK_TIMEOUT_MS: "3000",
    SSH_CONNECT_TIMEOUT_MS: "1000",
    ORPHAN_RECONCILE_INTERVAL_MS: "300",
    PROVISIONER_BREAKER_RESET_MS: "1000",
  });
});

afterAll(async () => {
  await h?.close();
});

describe("host down mid-deploy", () => {
  let failedVmid: number | undefined;
  let failedOperation = "";

  it("host down - a host lost after create ends in an explained failure", {
    timeout: 60_000,
  }, async () => {
    // Hold the start request so the host can be pulled while the deploy is in flight.
    const slowStart = h.sim.addFault({
      match: { method: "POST", path: "/status/start$" },
      effect: { kind: "latency", delayMs: 2_000 },
    });
    const request = h.deployRequest();
    failedOperation = request.operationId;
    await h.publish(request);
    const created = await eventually(
      async () => h.sim.containers().find((c) => c.description.includes(request.operationId)),
      { timeoutMs: 15_000, intervalMs: 20, what: "container created" },
    );
    failedVmid = created.vmid;
    h.sim.setHostDown(true);
    h.sim.removeFault(slowStart);

    const outcome = await h.outcome(request.operationId, 45_000);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.attempts).toBe(2);
    expect(String(outcome.payload.reason)).toMatch(/^Proxmox host unreachable while .+ \(2 attempts\)$/);
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect([op.status, op.last_error]).toEqual(["failed", outcome.payload.reason]);
    expect(h.peers.secrets.has(`apps/${request.appId}/root-password`)).toBe(false);
  });

  it("host down - after recovery the half-built container is removed and its VMID released", async () => {
    // Preconditions, left by the first test (run the file, not this test alone).
    expect(failedOperation, "the first test's failed operation").not.toBe("");
    expect(failedVmid, "the first test's half-built container").toBeDefined();
    expect(h.sim.containers().some((c) => c.vmid === failedVmid)).toBe(true);
    // While the host is down the orphan and its reservation stay: nothing is deleted blindly.
    const row = () =>
      h.db
        .selectFrom("containers")
        .selectAll()
        .where("operation_id", "=", failedOperation)
        .executeTakeFirst();
    expect((await row())?.vmid).toBe(failedVmid);
    h.sim.setHostDown(false);
    await eventually(async () => !h.sim.containers().some((c) => c.vmid === failedVmid), {
      timeoutMs: 20_000,
      what: "orphan destroyed",
    });
    await eventually(async () => (await row()) === undefined, { what: "VMID reservation released" });
  });

  it("host down - a new deploy to the recovered host succeeds, on the VMID freed by the reconciler", {
    timeout: 90_000,
  }, async () => {
    // Preconditions, left by the tests before: the orphan's VMID was freed by the reconciler.
    expect(failedVmid, "the first test's half-built container").toBeDefined();
    expect(h.sim.containers().some((c) => c.vmid === failedVmid)).toBe(false);
    // The breaker that opened during the outage has already closed again (reset 1 s, and the
    // reconciler's calls succeeded after recovery).
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    const ct = h.sim.containers().find((c) => c.description.includes(request.operationId));
    expect(ct).toMatchObject({ status: "running" });
    // The orphan is gone and its reservation released, so Proxmox's first free id is usable again.
    expect(ct?.vmid).toBe(failedVmid);
  });
});
