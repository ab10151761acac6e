import type { HostCheckFields, NodeStats } from "../db/host.repository.js";
import type { HostStatus } from "../db/hosts.table.js";

/** What the provisioner reported about a host (HostChecked, transport-free). */
export interface CheckReport {
  readonly reachable: boolean;
  readonly error: string;
  readonly pveVersion: string;
  readonly nodes: readonly NodeStats[];
}

/** The host as stored before the report. */
export interface CheckedHost {
  readonly status: HostStatus;
  readonly pveVersion: string | null;
  readonly nodes: readonly { readonly name: string; readonly status: string }[];
}

/** What applying a report changes, and which status changes become events. */
export interface CheckOutcome {
  readonly host: HostCheckFields;
  readonly nodes: readonly NodeStats[];
  readonly hostChange?: {
    readonly previous: HostStatus;
    readonly status: HostStatus;
    readonly reason: string;
  };
  readonly nodeChanges: readonly {
    readonly node: string;
    readonly previous: string;
    readonly status: string;
  }[];
}

const NODE_STATUSES = new Set(["online", "offline", "unknown"]);
export const NO_ANSWER = "Proxmox host did not answer";

/**
 * Applies a check report to a host. Unreachable: only the host's status and error change; nodes
 * keep their last known figures (placement already skips unreachable hosts) and nothing about the
 * host's apps is decided here. Reachable: registered nodes take the reported figures; a registered
 * node Proxmox no longer lists becomes `unknown`; listed nodes that were never registered are
 * ignored (without an SSH endpoint and pinned host key nothing could be deployed on them).
 */
export function applyCheckReport(current: CheckedHost, report: CheckReport): CheckOutcome {
  const status: HostStatus = report.reachable ? "reachable" : "unreachable";
  const error = report.reachable ? null : report.error || NO_ANSWER;
  const host: HostCheckFields = {
    status,
    lastCheckError: error,
    pveVersion: report.reachable ? report.pveVersion || null : current.pveVersion,
  };
  const hostChange =
    status !== current.status
      ? { previous: current.status, status, reason: error ?? "Proxmox host answered" }
      : undefined;
  if (!report.reachable) return { host, nodes: [], nodeChanges: [], ...(hostChange ? { hostChange } : {}) };

  const reported = new Map(report.nodes.map((n) => [n.name, n]));
  const nodes = current.nodes.map((n): NodeStats => {
    const stats = reported.get(n.name);
    if (!stats) return { ...UNLISTED, name: n.name };
    return { ...stats, status: NODE_STATUSES.has(stats.status) ? stats.status : "unknown" };
  });
  const nodeChanges = nodes.flatMap((n, i) => {
    const previous = current.nodes[i]!.status;
    return previous === n.status ? [] : [{ node: n.name, previous, status: n.status }];
  });
  return { host, nodes, nodeChanges, ...(hostChange ? { hostChange } : {}) };
}

const UNLISTED: Omit<NodeStats, "name"> = {
  status: "unknown",
  cpu: 0,
  maxCpu: 0,
  memBytes: 0,
  maxMemBytes: 0,
  diskBytes: 0,
  maxDiskBytes: 0,
  uptimeSeconds: 0,
};
