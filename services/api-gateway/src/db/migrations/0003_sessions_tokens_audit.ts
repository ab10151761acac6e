import { createAppendOnlyGuard, dropAppendOnlyGuard } from "@proximity/db";
import { type Kysely, sql } from "kysely";

/**
 * Session ids a user can see and end, bounded API tokens that remember what created them, the
 * request audit's actor, targets and field diff, and the append-only authentication event log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A public id per session (listed and ended by it, recorded as the actor) beside the secret's hash.
  await db.schema
    .alterTable("sessions")
    .addColumn("id", "uuid", (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn("client_address", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("sessions_id_key").on("sessions").column("id").unique().execute();

  // Every token expires now: tokens made before this had none, and get the default lifetime from today.
  await sql`update api_tokens set expires_at = now() + interval '90 days' where expires_at is null`.execute(
    db,
  );
  await db.schema
    .alterTable("api_tokens")
    .alterColumn("expires_at", (c) => c.setNotNull())
    .addColumn("created_by_session_id", "uuid")
    .addColumn("created_by_token_id", "uuid")
    .execute();
  // The per-user cap counts live tokens; revocation cascades to tokens a token created.
  await db.schema
    .createIndex("api_tokens_live_idx")
    .on("api_tokens")
    .columns(["user_id", "expires_at"])
    .where(sql.ref("revoked_at"), "is", null)
    .execute();
  await db.schema
    .createIndex("api_tokens_created_by_token_idx")
    .on("api_tokens")
    .column("created_by_token_id")
    .execute();

  await db.schema
    .alterTable("request_audit")
    .addColumn("session_id", "uuid")
    .addColumn("token_id", "uuid")
    .addColumn("client_address", "text")
    .addColumn("target_ids", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("changes", "jsonb")
    .execute();
  // The request audit is append-only for every role: no UPDATE, DELETE or TRUNCATE.
  await createAppendOnlyGuard(db, { table: "request_audit" });

  // Append-only: the code only inserts, except the retention prune (auth_events_at_idx).
  await db.schema
    .createTable("auth_events")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("user_id", "uuid")
    .addColumn("username", "text")
    .addColumn("actor_user_id", "uuid")
    .addColumn("actor_session_id", "uuid")
    .addColumn("actor_token_id", "uuid")
    .addColumn("subject_id", "uuid")
    .addColumn("client_address", "text")
    .addColumn("request_id", "text")
    .addColumn("details", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex("auth_events_at_idx").on("auth_events").column("at").execute();
  await db.schema
    .createIndex("auth_events_user_idx")
    .on("auth_events")
    .columns(["user_id", "type", "at"])
    .execute();
  // For every role: no UPDATE or TRUNCATE, and DELETE only of events past the 90 days the log keeps.
  await createAppendOnlyGuard(db, { table: "auth_events", keep: { column: "at", interval: "90 days" } });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropAppendOnlyGuard(db, "auth_events");
  await db.schema.dropTable("auth_events").execute();
  await dropAppendOnlyGuard(db, "request_audit");
  await db.schema
    .alterTable("request_audit")
    .dropColumn("changes")
    .dropColumn("target_ids")
    .dropColumn("client_address")
    .dropColumn("token_id")
    .dropColumn("session_id")
    .execute();
  await db.schema.dropIndex("api_tokens_created_by_token_idx").execute();
  await db.schema.dropIndex("api_tokens_live_idx").execute();
  await db.schema
    .alterTable("api_tokens")
    .dropColumn("created_by_token_id")
    .dropColumn("created_by_session_id")
    .alterColumn("expires_at", (c) => c.dropNotNull())
    .execute();
  await db.schema.dropIndex("sessions_id_key").execute();
  await db.schema
    .alterTable("sessions")
    .dropColumn("user_agent")
    .dropColumn("client_address")
    .dropColumn("id")
    .execute();
}
