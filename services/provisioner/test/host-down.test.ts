/**
 * Fault injection: the Proxmox host goes down in the middle of a deploy (after the container was
 * created, while it is being started). The operation must end in an explained `failed`, and once
 * the host is back a new deploy must succeed. What happens to the half-built container is the
 * provisioner's documented behaviour (README "Failure", cleanup-failed-deploy.ts): cleanup cannot
 * reach the host, so the container stays and its `containers` row keeps the VMID reserved.
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
  });
});

afterAll(async () => {
  await h?.close();
});

describe("host down mid-deploy", () => {
  let failedVmid: number | undefined;
  let failedOperation = "";
  let failedAt = 0;

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
    failedAt = Date.now();
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

  it("host down - after recovery the unreachable cleanup left the container and kept its VMID reserved", async () => {
    h.sim.setHostDown(false);
    // Documented gap: nothing retries the cleanup once the host is back (no reconciler yet).
    const orphan = h.sim.containers().find((c) => c.vmid === failedVmid);
    expect(orphan?.description).toContain(failedOperation);
    const row = await h.db
      .selectFrom("containers")
      .selectAll()
      .where("operation_id", "=", failedOperation)
      .executeTakeFirst();
    expect(row?.vmid).toBe(failedVmid);
  });

  it("host down - a new deploy to the recovered host succeeds on another VMID", {
    timeout: 90_000,
  }, async () => {
    // The provisioner's breaker opened during the outage; its reset timeout (opossum default 30 s,
    // not configurable in the provisioner yet) must pass before the half-open probe closes it.
    await new Promise((r) => setTimeout(r, Math.max(0, failedAt + 31_000 - Date.now())));
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    const ct = h.sim.containers().find((c) => c.description.includes(request.operationId));
    expect(ct).toMatchObject({ status: "running" });
    expect(ct?.vmid).not.toBe(failedVmid);
  });
});
