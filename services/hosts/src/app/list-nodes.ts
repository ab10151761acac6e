import type { Kysely } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { listNodes } from "../db/host.repository.js";
import type { NodeRow } from "../db/nodes.table.js";
import { assertHostId } from "./host-id.js";

/** Nodes of one host (empty for an unknown host), or of every host when `hostId` is empty. */
export async function listHostNodes(db: Kysely<HostsDatabase>, hostId: string): Promise<NodeRow[]> {
  if (!hostId) return listNodes(db);
  assertHostId(hostId, "host_id");
  return listNodes(db, hostId);
}
