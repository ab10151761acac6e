import type { Host } from "../../../api/types";
import { nodeStatusOf } from "./host-labels";

/**
 * Test connection and Sync nodes are asynchronous (202 {check_id}): the provisioner checks the host
 * and the result lands on the host (`last_checked_at`, `last_check_error`, `status`, the nodes).
 * This reads that result in plain words (pure).
 */

export type CheckKind = "test" | "sync";

export interface PendingCheck {
  readonly kind: CheckKind;
  /** The host's `last_checked_at` when the check was asked for: a newer one is its answer. */
  readonly since: string | null;
}

export type CheckOutcome =
  | { readonly state: "waiting"; readonly message: string }
  | { readonly state: "late"; readonly message: string }
  | { readonly state: "ok"; readonly message: string }
  | { readonly state: "failed"; readonly message: string };

function answered(host: Host, since: string | null): boolean {
  if (!host.last_checked_at) return false;
  if (!since) return true;
  return Date.parse(host.last_checked_at) > Date.parse(since);
}

function nodesSummary(host: Host): string {
  if (host.nodes.length === 0) return "no nodes";
  return host.nodes.map((node) => `${node.name} ${nodeStatusOf(node.status).label.toLowerCase()}`).join(", ");
}

export function checkOutcome(host: Host, pending: PendingCheck, timedOut: boolean): CheckOutcome {
  const what = pending.kind === "test" ? "Testing the connection" : "Refreshing the nodes";
  if (!answered(host, pending.since)) {
    return timedOut
      ? {
          state: "late",
          message: `${what}: no answer yet. The check is queued; its result will show here when it arrives.`,
        }
      : { state: "waiting", message: `${what}…` };
  }
  if (host.status !== "reachable" || host.last_check_error) {
    return {
      state: "failed",
      message: `The connection failed: ${host.last_check_error ?? "the host did not answer"}.`,
    };
  }
  const version = host.pve_version ? `Proxmox VE ${host.pve_version}` : "Proxmox";
  return pending.kind === "test"
    ? { state: "ok", message: `The connection works: ${version} answered.` }
    : { state: "ok", message: `Nodes refreshed: ${nodesSummary(host)}.` };
}
