/**
 * Backup storage observations (reconciliation of backup records with what storages hold): for one
 * node that answered, its active storages with `backup` content, and each one's archives that
 * Proximity made (their notes name a backup), published as BackupsObserved per (node, storage), a
 * snapshot event straight to JetStream (no outbox: an observation changes no state here). At most
 * one content call per storage per node per interval; a storage that errors publishes nothing
 * (nothing is concluded from silence), and neither does a node whose storage list does not come,
 * nor a report JetStream did not acknowledge (logged; the next round lists the storage again).
 *
 * Bounded: NATS refuses payloads over its limit (1 MiB), so an oversized report would never be
 * published. Other tools' archives are left out, notes are not copied, and a storage with more of
 * our archives than `maxArchivesPerStorage` (or a report still too large) publishes nothing, with
 * a warning.
 */
import type { Logger } from "@proximity/logger";
import { provisionerEventsV1 } from "@proximity/proto";
import type { StorageContentItem } from "@proximity/proxmox";
import { isProximityArchive } from "../../domain/archive-notes.js";
import { publishBackupsObserved } from "../../events/publish.js";
import type { HostApi } from "../operations/host-api.js";
import type { HostObservationDeps } from "./observe-host.js";

/** Largest encoded report published: well under NATS' default max_payload (1 MiB, headers included). */
export const MAX_REPORT_BYTES = 768 * 1024;

/** @returns the number of storages observed. */
export async function observeNodeBackups(
  deps: HostObservationDeps,
  api: HostApi,
  node: string,
  traceparent: string,
  log: Logger,
): Promise<number> {
  const hostId = api.host.id;
  let storages: string[];
  try {
    storages = (await api.pve.listStorages(node, { content: "backup", enabled: true }))
      .filter((s) => s.active !== false && s.content.split(",").includes("backup"))
      .map((s) => s.storage);
  } catch (err) {
    log.info({ err, hostId, node }, "node did not list its backup storages; nothing observed");
    return 0;
  }
  let observed = 0;
  // One storage at a time: a node's storages share its disks and network.
  for (const storage of storages) {
    let listed: StorageContentItem[];
    try {
      listed = await api.pve.listStorageContent(node, storage, { content: "backup" });
    } catch (err) {
      log.info({ err, hostId, node, storage }, "storage did not list its backups; nothing observed");
      continue;
    }
    const ours = listed.filter((a) => a.content === "backup" && isProximityArchive(a));
    const where = { hostId, node, storage, archives: ours.length };
    if (ours.length > deps.maxArchivesPerStorage) {
      log.warn(
        { ...where, max: deps.maxArchivesPerStorage },
        "storage holds more Proximity archives than one observation may report; nothing observed",
      );
      continue;
    }
    const report: provisionerEventsV1.BackupsObserved = {
      hostId,
      node,
      storage,
      observedAt: new Date(),
      archives: ours.map(toObservation),
    };
    const bytes = reportBytes(report);
    if (bytes > MAX_REPORT_BYTES) {
      log.warn({ ...where, bytes }, "observation of the storage is too large to publish; nothing observed");
      continue;
    }
    try {
      await publishBackupsObserved(deps.snapshots, report, traceparent);
    } catch (err) {
      log.warn({ ...where, err }, "observation of the storage was not published; nothing observed");
      continue;
    }
    observed++;
  }
  return observed;
}

/** Size of the report's payload on the bus. */
export function reportBytes(report: provisionerEventsV1.BackupsObserved): number {
  return provisionerEventsV1.BackupsObserved.encode(report).finish().byteLength;
}

/** What the backups service needs to reconcile a record; the notes stay on the storage. */
function toObservation(a: StorageContentItem): provisionerEventsV1.ArchiveObservation {
  return {
    volid: a.volid,
    vmid: a.vmid ?? 0,
    sizeBytes: a.size ?? 0,
    createdAt: a.ctime ? new Date(a.ctime * 1000) : undefined,
    protected: a.protected ?? false,
    notes: "",
  };
}
