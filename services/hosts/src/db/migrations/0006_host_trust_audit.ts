import { createAppendOnlyGuard, dropAppendOnlyGuard } from "@proximity/db";
import { type Kysely, sql } from "kysely";

/**
 * The database's own record of every change to where a host is reached and how it is trusted
 * (issue 9, review M2). host_audit is written by the service's code; this trail is written by
 * triggers on `hosts` and `nodes`, so a change made by direct SQL (a leaked runtime role, an
 * operator's psql) leaves a row too. Each row holds the trust-relevant columns before and after,
 * the login role (`session_user`, which a session cannot change), the transaction id, and the
 * actor and trace id the service declares for its own transactions (`proximity.actor`,
 * `proximity.trace_id`, set local to the transaction): null there means nobody declared one, i.e.
 * the change did not come through the service.
 *
 * Only the triggers write it: a guard refuses an INSERT that is not made from inside a trigger
 * (`pg_trigger_depth()`; the runtime role cannot create triggers or functions), and the
 * append-only guard refuses UPDATE, DELETE and TRUNCATE to every role. The functions run with the
 * search_path of this migration (the schema), whatever the session sets. Disabling the triggers
 * takes the table's owner, never the runtime role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("host_trust_audit")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn("tx_id", "bigint", (c) => c.notNull())
    .addColumn("db_user", "text", (c) => c.notNull())
    .addColumn("actor", "text")
    .addColumn("trace_id", "text")
    .addColumn("table_name", "text", (c) => c.notNull().check(sql`table_name in ('hosts', 'nodes')`))
    .addColumn("operation", "text", (c) =>
      c.notNull().check(sql`operation in ('INSERT', 'UPDATE', 'DELETE')`),
    )
    .addColumn("host_id", "uuid", (c) => c.notNull())
    .addColumn("node_name", "text")
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .execute();
  await db.schema
    .createIndex("host_trust_audit_host_id")
    .on("host_trust_audit")
    .columns(["host_id", "id"])
    .execute();
  await createAppendOnlyGuard(db, { table: "host_trust_audit" });
  await sql`create function host_trust_audit_triggers_only() returns trigger language plpgsql as $$
    begin
      if pg_trigger_depth() < 2 then
        raise exception 'host_trust_audit is written by its triggers only' using errcode = 'insufficient_privilege';
      end if;
      return NEW;
    end $$`.execute(db);
  await sql`create trigger host_trust_audit_triggers_only before insert on host_trust_audit
    for each row execute function host_trust_audit_triggers_only()`.execute(db);

  // What a row says about trust; a change of anything else (status, stats, timestamps) is not recorded.
  await sql`create function host_trust_snapshot(h hosts) returns jsonb language sql stable as $$
    select jsonb_build_object(
      'id', h.id, 'name', h.name, 'address', h.address, 'port', h.port, 'auth_mode', h.auth_mode,
      'username', h.username, 'tls_fingerprint', h.tls_fingerprint,
      'tls_ca_pem_sha256', encode(sha256(convert_to(h.tls_ca_pem, 'UTF8')), 'hex'),
      'insecure_http', h.insecure_http, 'ssh_username', h.ssh_username,
      'api_secret_name', h.api_secret_name, 'ssh_secret_name', h.ssh_secret_name)
    $$`.execute(db);
  await sql`create function node_trust_snapshot(n nodes) returns jsonb language sql stable as $$
    select jsonb_build_object(
      'host_id', n.host_id, 'name', n.name, 'ssh_host', n.ssh_host, 'ssh_port', n.ssh_port,
      'ssh_host_key_fingerprint', n.ssh_host_key_fingerprint, 'trust_on_first_use', n.trust_on_first_use)
    $$`.execute(db);
  await sql`create function record_host_trust_change() returns trigger language plpgsql
    set search_path from current as $$
    declare
      before_row jsonb;
      after_row jsonb;
      row_host uuid;
      row_node text;
    begin
      if TG_TABLE_NAME = 'hosts' then
        if TG_OP <> 'INSERT' then before_row := host_trust_snapshot(OLD); end if;
        if TG_OP <> 'DELETE' then after_row := host_trust_snapshot(NEW); end if;
      else
        if TG_OP <> 'INSERT' then before_row := node_trust_snapshot(OLD); end if;
        if TG_OP <> 'DELETE' then after_row := node_trust_snapshot(NEW); end if;
      end if;
      if TG_OP = 'UPDATE' and before_row = after_row then return null; end if;
      row_host := ((coalesce(after_row, before_row)) ->> (case when TG_TABLE_NAME = 'hosts' then 'id' else 'host_id' end))::uuid;
      row_node := case when TG_TABLE_NAME = 'nodes' then coalesce(after_row, before_row) ->> 'name' end;
      insert into host_trust_audit
        (tx_id, db_user, actor, trace_id, table_name, operation, host_id, node_name, before, after)
      values (txid_current(), session_user, nullif(current_setting('proximity.actor', true), ''),
        nullif(current_setting('proximity.trace_id', true), ''), TG_TABLE_NAME, TG_OP, row_host,
        row_node, before_row, after_row);
      return null;
    end $$`.execute(db);
  for (const table of ["hosts", "nodes"])
    await sql`create trigger ${sql.raw(`${table}_trust_audit`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function record_host_trust_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["hosts", "nodes"])
    await sql`drop trigger if exists ${sql.raw(`${table}_trust_audit`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists record_host_trust_change()`.execute(db);
  await sql`drop function if exists node_trust_snapshot(nodes)`.execute(db);
  await sql`drop function if exists host_trust_snapshot(hosts)`.execute(db);
  await sql`drop trigger if exists host_trust_audit_triggers_only on host_trust_audit`.execute(db);
  await sql`drop function if exists host_trust_audit_triggers_only()`.execute(db);
  await dropAppendOnlyGuard(db, "host_trust_audit");
  await db.schema.dropTable("host_trust_audit").execute();
}
