import type { Backup } from "../../../api/types";

/*
 * Which app a backup of a deleted app was of. The app itself cannot be read any more: a deleted
 * app is "gone", and GET /api/apps/{id} answers 404 for it even to an admin (applications keeps
 * the row but never shows it). The backup still names the container it was made of (node and
 * VMID, unique in a cluster) and its archive, which tell rows apart.
 */

/** "container 101 on pve1", or what is known of it. */
export function containerOf(backup: Backup): string {
  const container = backup.vmid !== null ? `container ${backup.vmid}` : "an unknown container";
  return backup.node ? `${container} on ${backup.node}` : container;
}

/** The archive's file name (`local:backup/vzdump-lxc-101-….tar.zst` → `vzdump-lxc-101-….tar.zst`). */
export function archiveNameOf(backup: Backup): string | null {
  if (!backup.volid) return null;
  const afterStorage = backup.volid.slice(backup.volid.indexOf(":") + 1);
  return afterStorage.slice(afterStorage.lastIndexOf("/") + 1) || backup.volid;
}

/** A sentence's worth: "container 101 on pve1 (archive vzdump-lxc-101-….tar.zst)". */
export function backupOriginText(backup: Backup): string {
  const archive = archiveNameOf(backup);
  return archive ? `${containerOf(backup)} (archive ${archive})` : containerOf(backup);
}
