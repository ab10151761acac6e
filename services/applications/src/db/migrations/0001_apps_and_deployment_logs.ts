import { createMessagingTables, dropMessagingTables } from "@proximity/bus";
import { type Kysely, sql } from "kysely";
import { AppConstraints } from "../apps.table.js";

/** The statuses of this migration, frozen: later ones change the check in their own migration. */
export const STATUSES_0001 = [
  "deploying",
  "running",
  "stopped",
  "starting",
  "stopping",
  "updating",
  "cloning",
  "removing",
  "gone",
  "error",
] as const;

const statusList = sql.join(STATUSES_0001.map((s) => sql.lit(s)));

export async function up(db: Kysely<unknown>): Promise<void> {
  await createMessagingTables(db);
  await db.schema
    .createTable("apps")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("owner_id", "text", (c) => c.notNull())
    .addColumn("catalog_id", "text", (c) => c.notNull())
    .addColumn("hostname", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in (${statusList})`))
    .addColumn("status_message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("host_id", "text", (c) => c.notNull())
    .addColumn("node", "text", (c) => c.notNull())
    .addColumn("vmid", "integer")
    .addColumn("port", "integer", (c) => c.notNull())
    .addColumn("ip_address", "text")
    .addColumn("environment", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("current_operation_id", "uuid")
    .addColumn("idempotency_key", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // A hostname names a live app; once an app is gone its name can be deployed again.
  await sql`create unique index ${sql.id(AppConstraints.liveHostname)} on apps (hostname)
    where status <> 'gone'`.execute(db);
  // The final guard against two apps claiming one container. Gone apps are left out because
  // Proxmox hands out freed VMIDs again (/cluster/nextid returns the lowest free one).
  await sql`create unique index ${sql.id(AppConstraints.liveHostVmid)} on apps (host_id, vmid)
    where vmid is not null and status <> 'gone'`.execute(db);
  await sql`create unique index ${sql.id(AppConstraints.ownerIdempotencyKey)} on apps (owner_id, idempotency_key)
    where idempotency_key is not null`.execute(db);
  await sql`create index apps_owner_created on apps (owner_id, created_at desc)`.execute(db);
  await sql`create index apps_live_host on apps (host_id) where status <> 'gone'`.execute(db);

  await db.schema
    .createTable("deployment_logs")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("app_id", "uuid", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("level", "text", (c) => c.notNull().check(sql`level in ('info', 'warn', 'error')`))
    .addColumn("step", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index deployment_logs_app on deployment_logs (app_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("deployment_logs").ifExists().execute();
  await db.schema.dropTable("apps").ifExists().execute();
  await dropMessagingTables(db);
}
