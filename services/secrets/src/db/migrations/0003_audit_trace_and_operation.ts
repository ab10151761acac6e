import { createAppendOnlyGuard, dropAppendOnlyGuard } from "@proximity/db";
import type { Kysely } from "kysely";

/**
 * The access audit ties each access to the call's trace and, when the caller gives one, to the
 * operation it is part of (issue 9, review #14), and becomes append-only: a trigger refuses UPDATE,
 * DELETE and TRUNCATE, so not even this service's own code can rewrite the trail. Rows written
 * before have an empty trace id and no operation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("access_audit")
    .addColumn("trace_id", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("operation_id", "uuid")
    .execute();
  await db.schema
    .createIndex("access_audit_operation_id")
    .on("access_audit")
    .column("operation_id")
    .execute();
  await createAppendOnlyGuard(db, { table: "access_audit" });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropAppendOnlyGuard(db, "access_audit");
  await db.schema.dropIndex("access_audit_operation_id").execute();
  await db.schema.alterTable("access_audit").dropColumn("operation_id").dropColumn("trace_id").execute();
}
