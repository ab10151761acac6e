import { isNoneOf } from "@proximity/db";
import { type Insertable, sql } from "kysely";
import type { BackupStatus, DeleteReason } from "../domain/backup.js";
import type { Viewer } from "../domain/viewer.js";
import type { BackupRow, BackupsTable } from "./backups.table.js";
import type { BackupsDb } from "./database.js";

/** What a backup's view tells of its app: whether it was deleted, and its names while known. */
export interface AppOfBackup {
  readonly app_deleted: boolean;
  readonly app_hostname: string | null;
  readonly app_catalog_id: string | null;
}

/** A backup as a viewer sees it: the record and its app. */
export type BackupView = BackupRow & AppOfBackup;

/** The app part of a view, to carry over onto the record as it is after a change. */
export function appOfBackup(view: BackupView): AppOfBackup {
  return {
    app_deleted: view.app_deleted,
    app_hostname: view.app_hostname,
    app_catalog_id: view.app_catalog_id,
  };
}

/**
 * The backups `viewer` may reach: an admin every one (also of deleted apps); a user only those
 * copied to them at creation whose app is still theirs and live (app_owners).
 */
function visibleBackups(db: BackupsDb, viewer: Viewer) {
  return db
    .selectFrom("backups as b")
    .leftJoin("app_owners as o", "o.app_id", "b.app_id")
    .$if(!viewer.isAdmin, (qb) =>
      qb
        .where("b.owner_id", "=", viewer.id)
        .where("o.owner_id", "=", viewer.id)
        .where("o.deleted_at", "is", null),
    );
}

const withApp = [
  sql<boolean>`o.deleted_at is not null`.as("app_deleted"),
  "o.hostname as app_hostname",
  "o.catalog_id as app_catalog_id",
] as const;

/** A backup the viewer may reach (of `appId` when given); undefined otherwise, as for an unknown one. */
export async function findVisibleBackup(
  db: BackupsDb,
  backupId: string,
  viewer: Viewer,
  appId?: string,
): Promise<BackupView | undefined> {
  return visibleBackups(db, viewer)
    .selectAll("b")
    .select(withApp)
    .where("b.id", "=", backupId)
    .$if(Boolean(appId), (qb) => qb.where("b.app_id", "=", appId!))
    .executeTakeFirst();
}

export interface BackupListFilter {
  readonly appId?: string;
  readonly status?: BackupStatus;
  /** true: only backups whose app was deleted; false: only those of live apps. */
  readonly appDeleted?: boolean;
  readonly page: number;
  readonly perPage: number;
}

/** One page of reachable backups, newest first, and the count of all that match. */
export async function listVisibleBackups(
  db: BackupsDb,
  viewer: Viewer,
  filter: BackupListFilter,
): Promise<{ rows: BackupView[]; total: number }> {
  const matching = visibleBackups(db, viewer)
    .$if(filter.appId !== undefined, (qb) => qb.where("b.app_id", "=", filter.appId!))
    .$if(filter.status !== undefined, (qb) => qb.where("b.status", "=", filter.status!))
    .$if(filter.appDeleted !== undefined, (qb) =>
      qb.where("o.deleted_at", filter.appDeleted ? "is not" : "is", null),
    );
  const [rows, count] = await Promise.all([
    matching
      .selectAll("b")
      .select(withApp)
      .orderBy("b.created_at", "desc")
      .orderBy("b.id")
      .limit(filter.perPage)
      .offset((filter.page - 1) * filter.perPage)
      .execute(),
    matching.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** Inserts a record; unique violations (archive, one active per app, slot) are the caller's to map. */
export async function insertBackup(db: BackupsDb, values: Insertable<BackupsTable>): Promise<BackupRow> {
  return db.insertInto("backups").values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Inserts a record unless a unique constraint or index refuses it (the slot exists, or another
 * backup of the app is pending or running); undefined then.
 */
export async function insertBackupIfFree(
  db: BackupsDb,
  values: Insertable<BackupsTable>,
): Promise<BackupRow | undefined> {
  return db
    .insertInto("backups")
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The record, locked for this transaction. */
export async function lockBackup(db: BackupsDb, backupId: string): Promise<BackupRow | undefined> {
  return db.selectFrom("backups").selectAll().where("id", "=", backupId).forUpdate().executeTakeFirst();
}

export async function findBackup(db: BackupsDb, backupId: string): Promise<BackupRow | undefined> {
  return db.selectFrom("backups").selectAll().where("id", "=", backupId).executeTakeFirst();
}

/**
 * Claims a completed archive for a restore: only if no restore runs from it and it is not being
 * deleted or missing. Of two concurrent restores (or a restore and a delete) one wins.
 */
export async function claimForRestore(
  db: BackupsDb,
  backupId: string,
  operationId: string,
): Promise<BackupRow | undefined> {
  return db
    .updateTable("backups")
    .set({ restore_operation_id: operationId, restore_claimed_at: sql<Date>`now()` })
    .where("id", "=", backupId)
    .where("status", "=", "completed")
    .where("restore_operation_id", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Gives back the restore claim of `operationId` (a claim another restore took is left alone). */
export async function releaseRestoreClaim(
  db: BackupsDb,
  backupId: string,
  operationId: string,
): Promise<BackupRow | undefined> {
  return db
    .updateTable("backups")
    .set({ restore_operation_id: null, restore_claimed_at: null })
    .where("id", "=", backupId)
    .where("restore_operation_id", "=", operationId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Gives back restore claims older than `olderThan` that no running restore holds: a crash between
 * the claim and the restore's record (or a failed release) must not keep an archive from being
 * restored or deleted for ever.
 */
export async function releaseOrphanedRestoreClaims(db: BackupsDb, olderThan: Date): Promise<string[]> {
  const rows = await db
    .updateTable("backups")
    .set({ restore_operation_id: null, restore_claimed_at: null })
    .where("restore_operation_id", "is not", null)
    .where("restore_claimed_at", "<", olderThan)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("restores")
            .select("restores.id")
            .whereRef("restores.id", "=", "backups.restore_operation_id")
            .where("restores.status", "=", "running"),
        ),
      ),
    )
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

/**
 * completed → deleting, only while no restore runs from it; the provisioner is then asked to
 * remove the archive (the caller adds the request in the same transaction).
 */
export async function markDeleting(
  db: BackupsDb,
  backupId: string,
  operationId: string,
  reason: DeleteReason,
): Promise<BackupRow | undefined> {
  return db
    .updateTable("backups")
    .set({ status: "deleting", delete_operation_id: operationId, delete_reason: reason, error: "" })
    .where("id", "=", backupId)
    .where("status", "=", "completed")
    .where("restore_operation_id", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Removes a record that has no archive on a storage (failed or missing); undefined otherwise. */
export async function removeWithoutArchive(db: BackupsDb, backupId: string): Promise<BackupRow | undefined> {
  return db
    .deleteFrom("backups")
    .where("id", "=", backupId)
    .where("status", "in", ["failed", "missing"])
    .returningAll()
    .executeTakeFirst();
}

export async function deleteBackupRow(db: BackupsDb, backupId: string): Promise<void> {
  await db.deleteFrom("backups").where("id", "=", backupId).execute();
}

/** The archive the provisioner reported; the record becomes completed. */
export interface ArchiveFacts {
  readonly storage: string;
  readonly volid: string;
  readonly sizeBytes: number;
  readonly createdAt: Date | null;
}

export async function completeBackup(
  db: BackupsDb,
  backupId: string,
  archive: ArchiveFacts,
): Promise<BackupRow> {
  return db
    .updateTable("backups")
    .set({
      status: "completed",
      storage: archive.storage,
      volid: archive.volid,
      size_bytes: archive.sizeBytes,
      archive_created_at: archive.createdAt,
      completed_at: sql<Date>`now()`,
      error: "",
    })
    .where("id", "=", backupId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** pending or running → failed with a reason users can read. */
export async function failBackup(db: BackupsDb, backupId: string, reason: string): Promise<BackupRow> {
  return db
    .updateTable("backups")
    .set({ status: "failed", error: reason, completed_at: sql<Date>`now()` })
    .where("id", "=", backupId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** True when another record already holds this archive (the unique index is the final judge). */
export async function archiveRecordedElsewhere(
  db: BackupsDb,
  backupId: string,
  hostId: string,
  volid: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("backups")
    .select("id")
    .where("host_id", "=", hostId)
    .where("volid", "=", volid)
    .where("id", "<>", backupId)
    .executeTakeFirst();
  return row !== undefined;
}

/** deleting → completed again when the archive could not be removed (still restorable). */
export async function undoDeleting(db: BackupsDb, backupId: string, reason: string): Promise<BackupRow> {
  return db
    .updateTable("backups")
    .set({ status: "completed", delete_operation_id: null, delete_reason: null, error: reason })
    .where("id", "=", backupId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The oldest pending scheduled backup not in `skip`, locked for this transaction and skipped by
 * every other replica's dispatcher.
 */
export async function lockNextPending(
  db: BackupsDb,
  skip: readonly string[],
): Promise<BackupRow | undefined> {
  return db
    .selectFrom("backups")
    .selectAll()
    .where("status", "=", "pending")
    .$if(skip.length > 0, (qb) => qb.where(isNoneOf("id", skip, "uuid")))
    .orderBy("scheduled_for")
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** pending → running once the app is claimed: where it runs is known now. */
export async function startPending(
  db: BackupsDb,
  backupId: string,
  placement: { ownerId: string; hostId: string; node: string; vmid: number },
): Promise<BackupRow> {
  return db
    .updateTable("backups")
    .set({
      status: "running",
      owner_id: placement.ownerId,
      host_id: placement.hostId,
      node: placement.node,
      vmid: placement.vmid,
      started_at: sql<Date>`now()`,
    })
    .where("id", "=", backupId)
    .where("status", "=", "pending")
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An app's backups in the given statuses, locked for this transaction. */
export async function lockAppBackups(
  db: BackupsDb,
  appId: string,
  statuses: readonly BackupStatus[],
): Promise<BackupRow[]> {
  return db
    .selectFrom("backups")
    .selectAll()
    .where("app_id", "=", appId)
    .where("status", "in", statuses)
    .orderBy("created_at")
    .forUpdate()
    .execute();
}
