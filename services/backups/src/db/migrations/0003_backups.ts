import { type Kysely, sql } from "kysely";

/**
 * Backup records (one row per archive), restores, and the newest storage observation per node and
 * storage. The invariants users rely on are constraints here, not checks in code: one archive, one
 * record; one pending or running backup per app; one backup per scheduled slot; one running
 * restore per app.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("backups")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    // text, not uuid: the id formats belong to the applications and identity services.
    .addColumn("app_id", "text", (c) => c.notNull())
    // Copied at creation: an owner reaches the backup only while this and app_owners both say so.
    .addColumn("owner_id", "text", (c) => c.notNull())
    // Known once the app is claimed (a pending scheduled backup has none yet).
    .addColumn("host_id", "text")
    .addColumn("node", "text")
    .addColumn("vmid", "integer")
    // The storage asked for ("" = the host's backup storage), then the one holding the archive.
    .addColumn("storage", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("volid", "text")
    .addColumn("size_bytes", "bigint")
    // When Proxmox made the archive (retention periods are read from it).
    .addColumn("archive_created_at", "timestamptz")
    .addColumn("mode", "text", (c) => c.notNull().check(sql`mode in ('snapshot', 'suspend', 'stop')`))
    .addColumn("compression", "text", (c) => c.notNull().check(sql`compression in ('zstd', 'gzip', 'lzo')`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('pending', 'running', 'completed', 'failed', 'missing', 'deleting')`),
    )
    .addColumn("trigger", "text", (c) => c.notNull().check(sql`trigger in ('manual', 'scheduled')`))
    .addColumn("scheduled_for", "timestamptz")
    // The backup operation (applications claim and provisioner journal share it).
    .addColumn("operation_id", "uuid", (c) => c.notNull().unique())
    .addColumn("requested_by", "text")
    .addColumn("error", "text", (c) => c.notNull().defaultTo(""))
    // The restore claim: set while a restore from this archive runs.
    .addColumn("restore_operation_id", "uuid")
    .addColumn("restore_claimed_at", "timestamptz")
    .addColumn("delete_operation_id", "uuid")
    .addColumn("delete_reason", "text", (c) =>
      c.check(sql`delete_reason in ('user', 'app_deleted', 'retention')`),
    )
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("completed_at", "timestamptz")
    .addCheckConstraint(
      "backups_slot_of_scheduled",
      sql`(trigger = 'scheduled') = (scheduled_for is not null)`,
    )
    .addCheckConstraint(
      "backups_running_placed",
      sql`status <> 'running' or (host_id is not null and node is not null and vmid is not null)`,
    )
    .addCheckConstraint(
      "backups_archive_recorded",
      sql`status not in ('completed', 'missing', 'deleting') or (volid is not null and host_id is not null and node is not null)`,
    )
    .addCheckConstraint(
      "backups_restore_claim",
      sql`(restore_operation_id is null) = (restore_claimed_at is null) and (restore_operation_id is null or status in ('completed', 'missing'))`,
    )
    .addCheckConstraint(
      "backups_deleting",
      sql`(status = 'deleting') = (delete_operation_id is not null and delete_reason is not null)`,
    )
    .execute();
  // Exactly one record per archive.
  await sql`create unique index backups_archive_unique on backups (host_id, volid) where volid is not null`.execute(
    db,
  );
  // One backup at a time per app, whoever asks (a user, an admin, the scheduler).
  await sql`create unique index backups_one_active_per_app on backups (app_id) where status in ('pending', 'running')`.execute(
    db,
  );
  // A scheduled slot runs once (NULLs, i.e. manual backups, never collide).
  await sql`alter table backups add constraint backups_scheduled_slot_unique unique (app_id, scheduled_for)`.execute(
    db,
  );
  await sql`create index backups_app_created on backups (app_id, created_at desc)`.execute(db);
  await sql`create index backups_owner_created on backups (owner_id, created_at desc)`.execute(db);
  await sql`create index backups_pending on backups (scheduled_for) where status = 'pending'`.execute(db);
  await sql`create index backups_on_storage on backups (host_id, storage, node) where status in ('completed', 'missing')`.execute(
    db,
  );

  await db.schema
    .createTable("restores")
    // The restore operation's id.
    .addColumn("id", "uuid", (c) => c.primaryKey())
    // No foreign key: the history of a restore outlives the backup it came from.
    .addColumn("backup_id", "uuid", (c) => c.notNull())
    .addColumn("source_app_id", "text", (c) => c.notNull())
    .addColumn("target_app_id", "text", (c) => c.notNull())
    .addColumn("new_app", "boolean", (c) => c.notNull())
    .addColumn("requested_by", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed')`))
    .addColumn("error", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("completed_at", "timestamptz")
    .execute();
  await sql`create unique index restores_one_running_per_app on restores (target_app_id) where status = 'running'`.execute(
    db,
  );
  await sql`create index restores_backup on restores (backup_id)`.execute(db);

  // The newest observation applied per storage as one node lists it (older ones arriving late are ignored).
  await db.schema
    .createTable("storage_observations")
    .addColumn("host_id", "text", (c) => c.notNull())
    .addColumn("node", "text", (c) => c.notNull())
    .addColumn("storage", "text", (c) => c.notNull())
    .addColumn("observed_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("storage_observations_pk", ["host_id", "node", "storage"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("storage_observations").ifExists().execute();
  await db.schema.dropTable("restores").ifExists().execute();
  await db.schema.dropTable("backups").ifExists().execute();
}
