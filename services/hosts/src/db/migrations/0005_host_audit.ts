import { createAppendOnlyGuard, dropAppendOnlyGuard } from "@proximity/db";
import { type Kysely, sql } from "kysely";

/**
 * The audit trail of host changes (issue 9): who changed what about a host, when, with the values
 * before and after (never credentials). Append-only: a trigger refuses UPDATE, DELETE and
 * TRUNCATE, so not even this service's own code can rewrite history. No foreign key to hosts: the
 * trail outlives the host it describes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("host_audit")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("host_id", "uuid", (c) => c.notNull())
    .addColumn("host_name", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull().check(sql`action in ('created', 'updated', 'deleted')`))
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("trace_id", "text", (c) => c.notNull())
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .addColumn("credentials_replaced", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  await db.schema.createIndex("host_audit_host_id").on("host_audit").columns(["host_id", "id"]).execute();
  await createAppendOnlyGuard(db, { table: "host_audit" });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropAppendOnlyGuard(db, "host_audit");
  await db.schema.dropTable("host_audit").execute();
}
