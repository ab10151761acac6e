/** A node as seen by placement: its host's reachability and its memory. */
export interface PlacementCandidate {
  readonly hostId: string;
  readonly hostName: string;
  readonly hostStatus: string;
  readonly node: string;
  readonly nodeStatus: string;
  readonly memBytes: number;
  readonly maxMemBytes: number;
}

export interface Placement {
  readonly hostId: string;
  readonly node: string;
}

/**
 * Automatic placement, deliberately simple: among hosts not known to be unreachable, the
 * online-or-unknown node with the most free memory (max − used). Ties go to the first host
 * name, then node name, so the choice is deterministic. Nodes whose stats were never synced
 * count as 0 free bytes: they are chosen only when nothing better is known.
 */
export function choosePlacement(candidates: readonly PlacementCandidate[]): Placement | undefined {
  const eligible = candidates.filter(
    (c) => c.hostStatus !== "unreachable" && (c.nodeStatus === "online" || c.nodeStatus === "unknown"),
  );
  const free = (c: PlacementCandidate) => Math.max(0, c.maxMemBytes - c.memBytes);
  const best = [...eligible].sort(
    (a, b) => free(b) - free(a) || a.hostName.localeCompare(b.hostName) || a.node.localeCompare(b.node),
  )[0];
  return best && { hostId: best.hostId, node: best.node };
}
