import { NotFoundError } from "@proximity/errors";
import { deleteHostById, findHostById } from "../db/host.repository.js";
import { storedSettings } from "../domain/validate-update-host.js";
import { recordHostConnectionChanged, recordHostRemoved } from "../events/publish.js";
import { declareChangeActor } from "./declare-change-actor.js";
import type { HostsDeps } from "./deps.js";
import { assertHostId } from "./host-id.js";
import type { ChangeMeta } from "./ports.js";
import { recordHostChange } from "./record-host-change.js";

/**
 * Deletes a host that no app uses. The applications service retires the host first: it refuses
 * while apps are live there and, in the same database transaction, stops new placements on it, so
 * a deploy racing this delete either lands first (and the delete is refused) or is refused itself.
 * Its secrets go next: deleting a secret is idempotent, so if the database step then fails a
 * retry completes the job, whereas the reverse order could leave credentials behind with no host
 * left to retry on. If anything after the retirement fails, the host is reinstated. The deletion is
 * audited (with the settings the host had) in the transaction that deletes it.
 */
export async function deleteHost(deps: HostsDeps, id: string, meta: ChangeMeta): Promise<void> {
  assertHostId(id);
  const host = await findHostById(deps.db, id);
  if (!host) throw new NotFoundError("Host not found");
  await deps.appsOnHost.retire(id, meta);
  try {
    await deps.credentials.remove(host.api_secret_name, meta);
    await deps.credentials.remove(host.ssh_secret_name, meta);
    await deps.db.transaction().execute(async (trx) => {
      await declareChangeActor(trx, meta);
      if (!(await deleteHostById(trx, id))) return;
      await recordHostRemoved(trx, id, meta.traceparent);
      await recordHostConnectionChanged(trx, id, meta.traceparent);
      await recordHostChange(
        trx,
        { action: "deleted", hostId: id, hostName: host.name, before: storedSettings(host), after: null },
        meta,
      );
    });
  } catch (err) {
    await deps.appsOnHost.reinstate(id, meta).catch((reinstateErr: unknown) => {
      meta.log.error(
        { err: reinstateErr, hostId: id },
        "host deletion failed and the host could not be reinstated",
      );
    });
    throw err;
  }
  meta.log.info({ hostId: id, host: host.name }, "host removed");
}
