import { describe, expect, it } from "vitest";
import { type ReconciledApp, reconcile, SETTLE_GRACE_MS } from "./reconciliation.js";

const settledAt = new Date("2026-01-01T10:00:00Z");
const later = new Date(settledAt.getTime() + 60_000);

const app = (overrides: Partial<ReconciledApp> = {}): ReconciledApp => ({
  status: "running",
  node: "pve1",
  vmid: 104,
  currentOperationId: null,
  attention: "",
  attentionKind: null,
  updatedAt: settledAt,
  ...overrides,
});

describe("reconcile", () => {
  it("reconcile - a container that matches the app changes nothing", () => {
    expect(reconcile(app(), { status: "running" }, later)).toEqual({ action: "none" });
    expect(reconcile(app({ status: "stopped" }), { status: "stopped" }, later)).toEqual({ action: "none" });
  });

  it("reconcile - a missing container raises container_missing naming the container and node", () => {
    expect(reconcile(app(), undefined, later)).toEqual({
      action: "raise",
      attention: {
        kind: "container_missing",
        reason: "Container 104 was not found on node pve1: it was removed outside Proximity",
      },
    });
  });

  it("reconcile - a container in the other state raises changed_outside with the observed state", () => {
    expect(reconcile(app(), { status: "stopped" }, later)).toEqual({
      action: "raise",
      attention: {
        kind: "changed_outside",
        reason: "Container 104 is stopped but the app is running: it was changed outside Proximity",
      },
    });
    const started = reconcile(app({ status: "stopped" }), { status: "running" }, later);
    expect(started).toMatchObject({ action: "raise", attention: { kind: "changed_outside" } });
  });

  it("reconcile - an attention already recorded is not raised again", () => {
    const first = reconcile(app(), undefined, later);
    if (first.action !== "raise") throw new Error("expected a raise");
    const recorded = app({ attention: first.attention.reason, attentionKind: first.attention.kind });
    expect(reconcile(recorded, undefined, later)).toEqual({ action: "none" });
    // A different problem is news: reported again.
    expect(reconcile(recorded, { status: "stopped" }, later)).toMatchObject({
      action: "raise",
      attention: { kind: "changed_outside" },
    });
  });

  it("reconcile - once reality matches, reconciliation's own attention is cleared", () => {
    const missing = app({ attention: "Container 104 was not found", attentionKind: "container_missing" });
    expect(reconcile(missing, { status: "running" }, later)).toEqual({
      action: "clear",
      previous: "Container 104 was not found",
    });
  });

  it("reconcile - an attention raised by someone else (a timed-out operation) is left for its owner", () => {
    const timedOut = app({ attention: "The start timed out", attentionKind: "operation_timed_out" });
    expect(reconcile(timedOut, { status: "running" }, later)).toEqual({ action: "none" });
    const unknownKind = app({ attention: "Look at this", attentionKind: null });
    expect(reconcile(unknownKind, { status: "running" }, later)).toEqual({ action: "none" });
  });

  it("reconcile - apps that are not settled are left alone", () => {
    for (const status of [
      "deploying",
      "starting",
      "stopping",
      "updating",
      "removing",
      "adopting",
      "restoring",
      "error",
      "gone",
    ]) {
      expect(reconcile(app({ status }), undefined, later), status).toEqual({ action: "none" });
    }
    // A running app locked by an operation (the source of a clone in progress, a backup).
    expect(reconcile(app({ currentOperationId: "op-1" }), undefined, later)).toEqual({ action: "none" });
    // No container recorded yet: nothing to look for.
    expect(reconcile(app({ vmid: null }), undefined, later)).toEqual({ action: "none" });
  });

  it("reconcile - an observation taken before the app's last change (plus grace) proves nothing", () => {
    const justBefore = new Date(settledAt.getTime() + SETTLE_GRACE_MS - 1);
    expect(reconcile(app(), { status: "stopped" }, justBefore)).toEqual({ action: "none" });
    const justAfter = new Date(settledAt.getTime() + SETTLE_GRACE_MS);
    expect(reconcile(app(), { status: "stopped" }, justAfter).action).toBe("raise");
  });
});
