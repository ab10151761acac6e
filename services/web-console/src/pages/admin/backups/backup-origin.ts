import type { Backup } from "../../../api/types";

/*
 * Which app a backup of a deleted app was of. The app itself cannot be read any more: a deleted
 * app is "gone", and GET /api/apps/{id} answers 404 for it even to an admin (applications keeps
 * the row but never shows it). The backup carries the app's host name and catalog item, as the
 * backups service kept them (null for apps deleted before it kept them), and always names the
 * container it was made of (node and VMID, unique in a cluster) and its archive, which tell rows
 * apart.
 */

/** "wiki (wikijs)", "wiki" for an app of no catalog type, or null when the backup does not say. */
export function appNameOf(backup: Backup): string | null {
  if (!backup.app_hostname) return null;
  return backup.app_catalog_id ? `${backup.app_hostname} (${backup.app_catalog_id})` : backup.app_hostname;
}

/** "container 101 on pve1", or what is known of it. */
export function containerOf(backup: Backup): string {
  const container = backup.vmid !== null ? `container ${backup.vmid}` : "an unknown container";
  return backup.node ? `${container} on ${backup.node}` : container;
}

/** The app by its name when known, else by its container: "wiki (wikijs)", "container 101 on pve1". */
export function appOf(backup: Backup): string {
  return appNameOf(backup) ?? containerOf(backup);
}

/** The archive's file name (`local:backup/vzdump-lxc-101-….tar.zst` → `vzdump-lxc-101-….tar.zst`). */
export function archiveNameOf(backup: Backup): string | null {
  if (!backup.volid) return null;
  const afterStorage = backup.volid.slice(backup.volid.indexOf(":") + 1);
  return afterStorage.slice(afterStorage.lastIndexOf("/") + 1) || backup.volid;
}

/**
 * A sentence's worth: "wiki (wikijs), container 101 on pve1 (archive vzdump-lxc-101-….tar.zst)",
 * or without the name when the backup does not say it.
 */
export function backupOriginText(backup: Backup): string {
  const name = appNameOf(backup);
  const container = containerOf(backup);
  const what = name ? `${name}, ${container}` : container;
  const archive = archiveNameOf(backup);
  return archive ? `${what} (archive ${archive})` : what;
}
