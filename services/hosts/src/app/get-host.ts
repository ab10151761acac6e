import { NotFoundError } from "@proximity/errors";
import type { Kysely } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { findHostById, type HostWithNodes } from "../db/host.repository.js";
import { assertHostId } from "./host-id.js";

/** One host with its nodes; NotFound for an unknown id. */
export async function getHost(db: Kysely<HostsDatabase>, id: string, field = "id"): Promise<HostWithNodes> {
  assertHostId(id, field);
  const host = await findHostById(db, id);
  if (!host) throw new NotFoundError("Host not found");
  return host;
}
