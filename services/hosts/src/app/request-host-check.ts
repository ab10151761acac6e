import { randomUUID } from "node:crypto";
import { NotFoundError } from "@proximity/errors";
import type { Kysely } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { findHostById } from "../db/host.repository.js";
import { recordHostCheckRequested } from "../events/publish.js";
import { assertHostId } from "./host-id.js";
import type { RequestMeta } from "./ports.js";

/**
 * Asks the provisioner (the only holder of credentials) to test a host and refresh its nodes.
 * Asynchronous: the answer arrives as HostChecked and lands on the host.
 * @returns the check id, which the HostChecked answer carries.
 */
export async function requestHostCheck(
  db: Kysely<HostsDatabase>,
  hostId: string,
  meta: RequestMeta,
): Promise<string> {
  assertHostId(hostId);
  const checkId = randomUUID();
  await db.transaction().execute(async (trx) => {
    if (!(await findHostById(trx, hostId))) throw new NotFoundError("Host not found");
    await recordHostCheckRequested(trx, { checkId, hostId }, meta.traceparent);
  });
  meta.log.info({ hostId, checkId }, "host check requested");
  return checkId;
}
