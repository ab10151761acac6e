/**
 * Backup storage observations (reconciliation of backup records with what storages hold): for one
 * node that answered, its active storages with `backup` content, and each one's backup archives,
 * recorded as BackupsObserved per (node, storage) through the outbox. At most one content call per
 * storage per node per interval; a storage that errors records nothing (nothing is concluded from
 * silence), and neither does a node whose storage list does not come.
 */
import type { Logger } from "@proximity/logger";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { StorageContentItem } from "@proximity/proxmox";
import { addBackupsObserved } from "../../events/publish.js";
import type { HostApi } from "../operations/host-api.js";
import type { ObserveDeps } from "./observe-host.js";

/** @returns the number of storages observed. */
export async function observeNodeBackups(
  deps: ObserveDeps,
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
    let archives: StorageContentItem[];
    try {
      archives = await api.pve.listStorageContent(node, storage, { content: "backup" });
    } catch (err) {
      log.info({ err, hostId, node, storage }, "storage did not list its backups; nothing observed");
      continue;
    }
    const report: provisionerEventsV1.BackupsObserved = {
      hostId,
      node,
      storage,
      observedAt: new Date(),
      archives: archives.filter((a) => a.content === "backup").map(toObservation),
    };
    await addBackupsObserved(deps.db, report, traceparent);
    observed++;
  }
  return observed;
}

function toObservation(a: StorageContentItem): provisionerEventsV1.ArchiveObservation {
  return {
    volid: a.volid,
    vmid: a.vmid ?? 0,
    sizeBytes: a.size ?? 0,
    createdAt: a.ctime ? new Date(a.ctime * 1000) : undefined,
    protected: a.protected ?? false,
    notes: a.notes ?? "",
  };
}
