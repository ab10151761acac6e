import { createMessagingTables, dropMessagingTables } from "@proximity/bus";
import { type Kysely, sql } from "kysely";

/** Operation journal, step journal, the (host, vmid) guard, and outbox/inbox. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createMessagingTables(db);
  await db.schema
    .createTable("operations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("host_id", "text", (c) => c.notNull())
    .addColumn("node", "text", (c) => c.notNull())
    .addColumn("vmid", "integer")
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed')`))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("operations_app_id").on("operations").column("app_id").execute();
  await db.schema
    .createTable("operation_steps")
    .addColumn("operation_id", "text", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed')`),
    )
    .addColumn("upid", "text")
    .addColumn("detail", "text")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("operation_steps_pk", ["operation_id", "name"])
    .execute();
  await db.schema
    .createTable("containers")
    .addColumn("host_id", "text", (c) => c.notNull())
    .addColumn("vmid", "integer", (c) => c.notNull())
    .addColumn("node", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("operation_id", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("containers_host_vmid_unique", ["host_id", "vmid"])
    .execute();
  await db.schema.createIndex("containers_operation_id").on("containers").column("operation_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("containers").ifExists().execute();
  await db.schema.dropTable("operation_steps").ifExists().execute();
  await db.schema.dropTable("operations").ifExists().execute();
  await dropMessagingTables(db);
}
