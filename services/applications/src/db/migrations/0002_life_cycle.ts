import { type Kysely, sql } from "kysely";
import { STATUSES_0001 } from "./0001_apps_and_deployment_logs.js";

/** Statuses as of this migration (frozen here: the domain list may grow in later migrations). */
export const STATUSES_0002 = [...STATUSES_0001, "restarting", "adopting"] as const;
export const KINDS_0002 = [
  "deploy",
  "start",
  "stop",
  "restart",
  "update",
  "delete",
  "clone",
  "adopt",
] as const;

const list = (values: readonly string[]) => sql.join(values.map((v) => sql.lit(v)));

/** The in-flight status each kind leaves an app in, to backfill operations running at upgrade time. */
const BACKFILL_KIND = sql`case status
  when 'deploying' then 'deploy' when 'starting' then 'start' when 'stopping' then 'stop'
  when 'updating' then 'update' when 'cloning' then 'clone' when 'removing' then 'delete' end`;

/**
 * The whole life cycle: operations with deadlines (one per app at a time), published ports unique
 * per host, per-user quotas, host retirement, secret environment names, adoption.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table apps drop constraint apps_status_check`.execute(db);
  await sql`alter table apps add constraint apps_status_check check (status in (${list(STATUSES_0002)}))`.execute(
    db,
  );
  await db.schema
    .alterTable("apps")
    .addColumn("public_port", "integer")
    .addColumn("secret_env", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("current_operation", "text", (c) => c.check(sql`current_operation in (${list(KINDS_0002)})`))
    .addColumn("adopted", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("adopted_config", "jsonb")
    .execute();

  await db.schema
    .createTable("app_operations")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("app_id", "uuid", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("source_app_id", "uuid", (c) => c.references("apps.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in (${list(KINDS_0002)})`))
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("running").check(sql`status in ('running', 'succeeded', 'failed', 'timed_out')`),
    )
    .addColumn("requested_by", "text", (c) => c.notNull())
    .addColumn("options", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("deadline_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("finished_at", "timestamptz")
    .addColumn("reason", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  // A second guard behind apps.current_operation_id: never two running operations settling one app.
  await sql`create unique index app_operations_one_running on app_operations (app_id) where status = 'running'`.execute(
    db,
  );
  await sql`create index app_operations_deadline on app_operations (deadline_at) where status = 'running'`.execute(
    db,
  );
  await sql`create index app_operations_app on app_operations (app_id, created_at desc)`.execute(db);

  // Operations already running at upgrade time get a row, so their results still settle the app.
  await sql`insert into app_operations (id, app_id, kind, requested_by, deadline_at)
    select current_operation_id, id, ${BACKFILL_KIND}, owner_id, now() + interval '30 minutes'
    from apps where current_operation_id is not null and status in
      ('deploying', 'starting', 'stopping', 'updating', 'cloning', 'removing')`.execute(db);
  await sql`update apps set current_operation = ${BACKFILL_KIND} where current_operation_id is not null
    and status in ('deploying', 'starting', 'stopping', 'updating', 'cloning', 'removing')`.execute(db);
  await sql`update apps set current_operation_id = null where current_operation is null`.execute(db);
  await sql`alter table apps add constraint apps_current_operation_kind
    check ((current_operation_id is null) = (current_operation is null))`.execute(db);

  await db.schema
    .createTable("port_allocations")
    .addColumn("host_id", "text", (c) => c.notNull())
    .addColumn("port", "integer", (c) => c.notNull().check(sql`port between 1 and 65535`))
    .addColumn("app_id", "uuid", (c) => c.notNull().unique().references("apps.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("port_allocations_pkey", ["host_id", "port"])
    .execute();

  await db.schema
    .createTable("user_quotas")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    .addColumn("max_apps", "integer", (c) => c.check(sql`max_apps >= 0`))
    .addColumn("live_apps", "integer", (c) => c.notNull().defaultTo(0).check(sql`live_apps >= 0`))
    .execute();
  await sql`insert into user_quotas (user_id, live_apps)
    select owner_id, count(*) from apps where status <> 'gone' group by owner_id`.execute(db);

  await db.schema
    .createTable("placement_hosts")
    .addColumn("host_id", "text", (c) => c.primaryKey())
    .addColumn("retired_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("placement_hosts").ifExists().execute();
  await db.schema.dropTable("user_quotas").ifExists().execute();
  await db.schema.dropTable("port_allocations").ifExists().execute();
  await db.schema.dropTable("app_operations").ifExists().execute();
  await sql`alter table apps drop constraint if exists apps_current_operation_kind`.execute(db);
  await db.schema
    .alterTable("apps")
    .dropColumn("public_port")
    .dropColumn("secret_env")
    .dropColumn("current_operation")
    .dropColumn("adopted")
    .dropColumn("adopted_config")
    .execute();
  // Statuses 0001 does not know become `error`, the status a user can act on (retry or delete).
  await sql`update apps set status = 'error', status_message = 'Status lost in a schema downgrade'
    where status not in (${list(STATUSES_0001)})`.execute(db);
  await sql`alter table apps drop constraint apps_status_check`.execute(db);
  await sql`alter table apps add constraint apps_status_check check (status in (${list(STATUSES_0001)}))`.execute(
    db,
  );
}
