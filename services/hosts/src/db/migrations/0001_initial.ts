import { createMessagingTables, dropMessagingTables } from "@proximity/bus";
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await createMessagingTables(db);
  await db.schema
    .createTable("hosts")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("port", "integer", (c) => c.notNull().check(sql`port between 1 and 65535`))
    .addColumn("auth_mode", "text", (c) => c.notNull().check(sql`auth_mode in ('api_token', 'password')`))
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("tls_fingerprint", "text")
    .addColumn("insecure_http", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("ssh_username", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("unknown").check(sql`status in ('unknown', 'reachable', 'unreachable')`),
    )
    .addColumn("api_secret_name", "text", (c) => c.notNull())
    .addColumn("ssh_secret_name", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // Named: the repository maps this constraint to AlreadyExists.
    .addUniqueConstraint("hosts_name_unique", ["name"])
    .execute();
  await db.schema
    .createTable("nodes")
    .addColumn("host_id", "uuid", (c) => c.notNull().references("hosts.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("unknown"))
    .addColumn("ssh_host", "text", (c) => c.notNull())
    .addColumn("ssh_port", "integer", (c) => c.notNull())
    .addColumn("ssh_host_key_fingerprint", "text", (c) => c.notNull())
    .addColumn("cpu", "double precision", (c) => c.notNull().defaultTo(0))
    .addColumn("mem_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("max_mem_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("nodes_pk", ["host_id", "name"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("nodes").ifExists().execute();
  await db.schema.dropTable("hosts").ifExists().execute();
  await dropMessagingTables(db);
}
