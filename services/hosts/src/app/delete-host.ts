import { ConflictError, NotFoundError } from "@proximity/errors";
import { deleteHostById, findHostById } from "../db/host.repository.js";
import { recordHostRemoved } from "../events/publish.js";
import type { HostsDeps } from "./deps.js";
import { assertHostId } from "./host-id.js";
import type { RequestMeta } from "./ports.js";

/**
 * Deletes a host that no app uses. Its secrets go first: deleting a secret is idempotent, so
 * if the database step then fails a retry completes the job, whereas the reverse order could
 * leave credentials behind with no host left to retry on.
 */
export async function deleteHost(deps: HostsDeps, id: string, meta: RequestMeta): Promise<void> {
  assertHostId(id);
  const host = await findHostById(deps.db, id);
  if (!host) throw new NotFoundError("Host not found");
  const apps = await deps.appsOnHost.count(id, meta);
  if (apps > 0) throw new ConflictError(`Host still has ${apps} apps`);
  await deps.credentials.remove(host.api_secret_name, meta);
  await deps.credentials.remove(host.ssh_secret_name, meta);
  await deps.db.transaction().execute(async (trx) => {
    if (await deleteHostById(trx, id)) await recordHostRemoved(trx, id, meta.traceparent);
  });
  meta.log.info({ hostId: id, host: host.name }, "host removed");
}
