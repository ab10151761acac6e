import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("current_version", "integer", (c) => c.notNull().check(sql`current_version > 0`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("deleted_at", "timestamptz")
    .execute();
  await db.schema
    .createTable("secret_versions")
    .addColumn("name", "text", (c) => c.notNull().references("secrets.name").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("kek_id", "text", (c) => c.notNull())
    .addColumn("wrapped_key", "bytea", (c) => c.notNull())
    .addColumn("iv", "bytea", (c) => c.notNull())
    .addColumn("ciphertext", "bytea", (c) => c.notNull())
    .addColumn("tag", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("secret_versions_pk", ["name", "version"])
    .execute();
  // Key rotation scans for versions still wrapped by an older KEK.
  await db.schema.createIndex("secret_versions_kek_id").on("secret_versions").column("kek_id").execute();
  await db.schema
    .createTable("access_audit")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("caller", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull().check(sql`action in ('put', 'get', 'delete')`))
    .addColumn("secret_name", "text", (c) => c.notNull())
    .addColumn("allowed", "boolean", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("access_audit_secret_name")
    .on("access_audit")
    .columns(["secret_name", "at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("access_audit").ifExists().execute();
  await db.schema.dropTable("secret_versions").ifExists().execute();
  await db.schema.dropTable("secrets").ifExists().execute();
}
