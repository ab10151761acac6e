import type { backupsV1 } from "@proximity/proto";
import { z } from "zod";
import { required } from "../request-helpers.js";
import { appJson, hostnameField } from "./app.schema.js";
import { emptyToNull, idParams, isoOrNull, pageQuery, storageIdField } from "./common.schema.js";

export const BACKUP_MODES = ["snapshot", "suspend", "stop"] as const;
export const BACKUP_COMPRESSIONS = ["zstd", "gzip", "lzo"] as const;
/** Statuses of a backup record; `deleted` only in the answer of a DELETE that removed it at once. */
export const BACKUP_STATUSES = [
  "pending",
  "running",
  "completed",
  "failed",
  "missing",
  "deleting",
  "deleted",
] as const;
type BackupStatus = (typeof BACKUP_STATUSES)[number];
/** What a list can be filtered by (a listed record is never `deleted`). */
const LISTED_STATUSES = BACKUP_STATUSES.filter((s) => s !== "deleted");

/** `{id}` and `{backup_id}`; non-UUIDs are answered 404 by the handler (requireUuid), not 400. */
export const backupParams = idParams.extend({ backup_id: z.string().max(100) });

export const listAppBackupsQuery = pageQuery.extend({ status: z.enum(LISTED_STATUSES).optional() });

export const listBackupsQuery = listAppBackupsQuery.extend({
  app_id: z.uuid({ error: "must be an app id (a UUID)" }).optional(),
  app_deleted: z
    .enum(["true", "false"], { error: "must be true or false" })
    .transform((v) => v === "true")
    .optional()
    .describe(
      "true: only backups kept after their app was deleted (admins only see those); false: only of live apps",
    ),
});

/** Every field optional: the backups service defaults to snapshot, zstd and the host's backup storage. */
export const createBackupBody = z
  .object({
    mode: z.enum(BACKUP_MODES).optional(),
    compression: z.enum(BACKUP_COMPRESSIONS).optional(),
    storage: storageIdField.optional(),
  })
  .strict()
  .nullish();

/** Without `new_hostname` the backup is restored onto its own app; with it, into a new app of yours. */
export const restoreBackupBody = z.object({ new_hostname: hostnameField.optional() }).strict().nullish();

export const backupJson = z.object({
  id: z.string(),
  app_id: z.string(),
  owner_id: z.string(),
  host_id: z.string().nullable(),
  node: z.string().nullable(),
  vmid: z.number().int().nullable(),
  /** The Proxmox storage holding the archive (null until chosen). */
  storage: z.string().nullable(),
  /** The archive's volume id, `<storage>:backup/vzdump-lxc-…` (null until completed). */
  volid: z.string().nullable(),
  size_bytes: z.number().int().nullable(),
  mode: z.enum(BACKUP_MODES),
  compression: z.enum(BACKUP_COMPRESSIONS),
  status: z.enum(BACKUP_STATUSES),
  trigger: z.enum(["manual", "scheduled"]),
  /** Why it failed or went missing, else null. */
  error: z.string().nullable(),
  created_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  /** A restore from this backup is running. */
  restoring: z.boolean(),
  /** Completed, archive present, no restore running. */
  restorable: z.boolean(),
  /** The app was deleted (its backups stay, reachable by admins). */
  app_deleted: z.boolean(),
  app_hostname: z
    .string()
    .nullable()
    .describe("The app's host name, kept after the app is deleted; null while unknown"),
  app_catalog_id: z
    .string()
    .nullable()
    .describe(
      "The app's catalog item (`id` of GET /api/catalog), kept after the app is deleted; null while unknown or for an adopted app of no catalog type",
    ),
});

/** 202 answer of a restore: the backup, the app being restored (as you see it) and whether it is new. */
export const restoreJson = z.object({
  backup: backupJson,
  app: appJson,
  new_app: z.boolean(),
});

/** A value of the contract's closed set; anything else is a bug of the backups service (500). */
export function known<T extends string>(values: readonly T[], value: string, what: string): T {
  if (!(values as readonly string[]).includes(value)) throw new Error(`the backups service sent ${what}`);
  return value as T;
}

export function toBackupJson(backup: backupsV1.Backup): z.infer<typeof backupJson> {
  return {
    id: backup.id,
    app_id: backup.appId,
    owner_id: backup.ownerId,
    host_id: emptyToNull(backup.hostId),
    node: emptyToNull(backup.node),
    vmid: backup.vmid || null,
    storage: emptyToNull(backup.storage),
    volid: emptyToNull(backup.volid),
    size_bytes: backup.sizeBytes || null,
    mode: known(BACKUP_MODES, backup.mode, "an unknown backup mode"),
    compression: known(BACKUP_COMPRESSIONS, backup.compression, "an unknown compression"),
    status: known<BackupStatus>(BACKUP_STATUSES, backup.status, "an unknown backup status"),
    trigger: known(["manual", "scheduled"] as const, backup.trigger, "an unknown backup trigger"),
    error: emptyToNull(backup.error),
    created_at: isoOrNull(backup.createdAt),
    completed_at: isoOrNull(backup.completedAt),
    restoring: backup.restoring,
    restorable: backup.restorable,
    app_deleted: backup.appDeleted,
    app_hostname: emptyToNull(backup.appHostname),
    app_catalog_id: emptyToNull(backup.appCatalogId),
  };
}

/** The backup of an answer from the backups service, which always sets it (its absence is a 500). */
export function answeredBackupJson(backup: backupsV1.Backup | undefined): z.infer<typeof backupJson> {
  return toBackupJson(required(backup, "a backup"));
}
