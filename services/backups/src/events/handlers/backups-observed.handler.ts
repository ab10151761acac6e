import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { reconcileStorage } from "../../app/reconcile-storage.js";
import type { BackupsDatabase } from "../../db/database.js";

/**
 * One storage of one node was listed: records of archives that vanished become missing, missing
 * ones that are back become completed. A storage that did not answer publishes nothing, and
 * nothing is concluded from that silence. No inbox row: a listing is applied only when newer than
 * the last one applied for that storage, so a redelivery is a no-op by itself (and listings, which
 * arrive every observation interval, would otherwise fill the inbox).
 */
export function backupsObservedHandler(
  db: Kysely<BackupsDatabase>,
): EventHandler<provisionerEventsV1.BackupsObserved> {
  return async (event, ctx) => {
    const observedAt = event.observedAt;
    if (!event.hostId || !event.node || !event.storage || !observedAt) {
      ctx.log.warn(
        { hostId: event.hostId, node: event.node },
        "storage observation without host, node, storage or time",
      );
      return;
    }
    const outcome = await db.transaction().execute((trx) =>
      reconcileStorage(
        trx,
        {
          hostId: event.hostId,
          node: event.node,
          storage: event.storage,
          observedAt,
          volids: event.archives.map((a) => a.volid),
        },
        ctx.traceparent,
      ),
    );
    const { applied, missing, back } = outcome;
    const at = { hostId: event.hostId, node: event.node, storage: event.storage };
    if (missing.length > 0)
      ctx.log.warn({ ...at, backupIds: missing }, "backup archives missing from their storage");
    if (back.length > 0) ctx.log.info({ ...at, backupIds: back }, "missing backup archives are back");
    if (!applied) ctx.log.debug(at, "storage observation older than the latest; ignored");
  };
}
