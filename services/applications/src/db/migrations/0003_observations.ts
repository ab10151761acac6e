import { type Kysely, sql } from "kysely";

/**
 * What the provisioner observes of the containers: the latest metrics of each app, the newest
 * observation applied per node (observations of a node are applied in observed order), and the
 * attention reconciliation raises on an app when its container no longer matches it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("app_metrics")
    .addColumn("app_id", "uuid", (c) => c.primaryKey().references("apps.id").onDelete("cascade"))
    .addColumn("cpu", "double precision", (c) => c.notNull())
    .addColumn("mem_bytes", "bigint", (c) => c.notNull())
    .addColumn("max_mem_bytes", "bigint", (c) => c.notNull())
    .addColumn("disk_bytes", "bigint", (c) => c.notNull())
    .addColumn("max_disk_bytes", "bigint", (c) => c.notNull())
    .addColumn("uptime_seconds", "bigint", (c) => c.notNull())
    .addColumn("container_status", "text", (c) => c.notNull())
    .addColumn("observed_at", "timestamptz", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("observed_nodes")
    .addColumn("host_id", "text", (c) => c.notNull())
    .addColumn("node", "text", (c) => c.notNull())
    .addColumn("observed_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("observed_nodes_pkey", ["host_id", "node"])
    .execute();

  await db.schema
    .alterTable("apps")
    .addColumn("attention", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("attention_kind", "text")
    .addColumn("attention_since", "timestamptz")
    .execute();
  // Observations look apps up by placement; the live (host_id) index alone would scan a host's apps.
  await sql`create index apps_live_placement on apps (host_id, node, vmid) where status <> 'gone'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists apps_live_placement`.execute(db);
  await db.schema
    .alterTable("apps")
    .dropColumn("attention_since")
    .dropColumn("attention_kind")
    .dropColumn("attention")
    .execute();
  await db.schema.dropTable("observed_nodes").ifExists().execute();
  await db.schema.dropTable("app_metrics").ifExists().execute();
}
