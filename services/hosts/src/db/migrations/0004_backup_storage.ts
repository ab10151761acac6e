import type { Kysely } from "kysely";

/**
 * The Proxmox storage a host's backups go to (issue 8). Existing hosts get 'local', Proxmox's
 * default directory storage, which holds backups on a fresh install.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("hosts")
    .addColumn("backup_storage", "text", (c) => c.notNull().defaultTo("local"))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("hosts").dropColumn("backup_storage").execute();
}
