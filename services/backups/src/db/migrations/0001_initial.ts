import { createMessagingTables, dropMessagingTables } from "@proximity/bus";
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await createMessagingTables(db);
  await db.schema
    .createTable("backup_policies")
    // text, not uuid: the id format belongs to the applications service.
    .addColumn("app_id", "text", (c) => c.primaryKey())
    .addColumn("enabled", "boolean", (c) => c.notNull())
    .addColumn("schedule", "text", (c) => c.notNull())
    .addColumn("keep_last", "integer", (c) => c.notNull().check(sql`keep_last > 0`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("backup_policies").ifExists().execute();
  await dropMessagingTables(db);
}
