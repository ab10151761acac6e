import { ConflictError, ValidationError } from "@proximity/errors";
import type { Kysely } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { countHosts, listPlacementCandidates } from "../db/host.repository.js";
import { choosePlacement, type Placement } from "../domain/placement.js";
import { getHost } from "./get-host.js";

/**
 * Where a new app goes. An explicit host (and node) must exist; a node alone must name exactly
 * one node across hosts; otherwise domain/placement.ts chooses.
 */
export async function resolvePlacement(
  db: Kysely<HostsDatabase>,
  request: { hostId: string; node: string },
): Promise<Placement> {
  if (request.hostId) {
    const host = await getHost(db, request.hostId, "host_id");
    if (request.node) {
      if (!host.nodes.some((n) => n.name === request.node)) throw nodeError("this host has no such node");
      return { hostId: host.id, node: request.node };
    }
    const chosen = choosePlacement((await listPlacementCandidates(db)).filter((c) => c.hostId === host.id));
    if (!chosen) throw new ConflictError("No online node is available on this host");
    return chosen;
  }
  const candidates = await listPlacementCandidates(db);
  if (request.node) {
    const matches = candidates.filter((c) => c.node === request.node);
    if (matches.length === 0) throw nodeError("no host has such a node");
    if (matches.length > 1) throw nodeError("several hosts have a node of this name; give host_id");
    return { hostId: matches[0]!.hostId, node: request.node };
  }
  const chosen = choosePlacement(candidates);
  if (chosen) return chosen;
  // Hosts are counted only to say why none was chosen (not on every placement).
  if (candidates.length === 0 && (await countHosts(db)) === 0)
    throw new ConflictError("No Proxmox host is configured");
  throw new ConflictError("No reachable Proxmox node is available");
}

function nodeError(message: string): ValidationError {
  return new ValidationError("Invalid node", [{ field: "node", message }]);
}
