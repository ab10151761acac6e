import type { Kysely } from "kysely";

/**
 * app_owners keeps each app's host name and catalog item, so that its backups are still named
 * after it once it is deleted (the applications service then shows the app to no one). They come
 * from the app events that carry them (AppDeployed, AppCloned, AppAdopted, AppRestored into a new
 * app, and AppDeleted, which names every app deleted from now on) and from the applications
 * service's answers about the app (a backup's claim; learnAppOwner, which asks again about a live
 * app known here without its names).
 *
 * Backfill: nothing in this schema held a name before (the outbox keeps a day of requests, none
 * naming the apps backed up), so the rows start null and each is filled by its app's next event
 * or answer, as above. An app deleted before this migration stays unnamed (null): its backups are
 * shown by their container.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("app_owners").addColumn("hostname", "text").execute();
  // null also for an adopted app of no known catalog type.
  await db.schema.alterTable("app_owners").addColumn("catalog_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("app_owners").dropColumn("catalog_id").execute();
  await db.schema.alterTable("app_owners").dropColumn("hostname").execute();
}
