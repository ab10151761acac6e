import type { Backup } from "../../../api/types";

/*
 * Which app a backup of a deleted app was of. The app itself cannot be read any more: a deleted
 * app is "gone", and GET /api/apps/{id} answers 404 for it even to an admin (applications keeps
 * the row but never shows it). The backup carries the app's host name and catalog item, as the
 * backups service kept them (null for apps deleted before it kept them), and always names the
 * container it was made of (node and VMID, unique in a cluster) and its archive, which tell rows
 * apart.
 */

/** Catalog id → name, where the catalog knows it (else the id is shown). */
export type CatalogNames = ReadonlyMap<string, string>;

const NO_NAMES: CatalogNames = new Map();

/**
 * "wiki (Wiki.js)" by the catalog item's name, "wiki (wikijs)" by its id when the catalog does not
 * know it (any more), "wiki" for an app of no catalog type, or null when the backup does not say.
 */
export function appNameOf(backup: Backup, catalogNames: CatalogNames = NO_NAMES): string | null {
  if (!backup.app_hostname) return null;
  const catalogId = backup.app_catalog_id;
  if (!catalogId) return backup.app_hostname;
  return `${backup.app_hostname} (${catalogNames.get(catalogId) ?? catalogId})`;
}

/** "container 101 on pve1", or what is known of it. */
export function containerOf(backup: Backup): string {
  const container = backup.vmid !== null ? `container ${backup.vmid}` : "an unknown container";
  return backup.node ? `${container} on ${backup.node}` : container;
}

/** The app by its name when known, else by its container: "wiki (Wiki.js)", "container 101 on pve1". */
export function appOf(backup: Backup, catalogNames: CatalogNames = NO_NAMES): string {
  return appNameOf(backup, catalogNames) ?? containerOf(backup);
}

/** The archive's file name (`local:backup/vzdump-lxc-101-….tar.zst` → `vzdump-lxc-101-….tar.zst`). */
export function archiveNameOf(backup: Backup): string | null {
  if (!backup.volid) return null;
  const afterStorage = backup.volid.slice(backup.volid.indexOf(":") + 1);
  return afterStorage.slice(afterStorage.lastIndexOf("/") + 1) || backup.volid;
}

/**
 * A sentence's worth: "wiki (Wiki.js), container 101 on pve1 (archive vzdump-lxc-101-….tar.zst)",
 * or without the name when the backup does not say it.
 */
export function backupOriginText(backup: Backup, catalogNames: CatalogNames = NO_NAMES): string {
  const name = appNameOf(backup, catalogNames);
  const container = containerOf(backup);
  const what = name ? `${name}, ${container}` : container;
  const archive = archiveNameOf(backup);
  return archive ? `${what} (archive ${archive})` : what;
}
