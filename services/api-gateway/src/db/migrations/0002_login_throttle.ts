import { type Kysely, sql } from "kysely";

/**
 * Login throttling by reservation (app/login-throttle.ts): one row per throttled key instead of
 * one row per failure, and the sources (account, address) that signed in recently, which the
 * per-account delay lets through. Replaces `login_attempts`, whose check-then-insert could not
 * hold under parallel attempts; its rows only mattered for 15 minutes, so none are carried over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("login_attempts").execute();

  await db.schema
    .createTable("login_throttle")
    .addColumn("scope", "text", (c) => c.notNull().check(sql`scope in ('pair', 'address', 'account')`))
    // sha256 (hex) of the scope's key material: bounded length, no usernames or addresses at rest.
    .addColumn("key_hash", "text", (c) => c.notNull())
    // Attempts not (yet) proven good since the row was last forgotten; a success gives one back.
    .addColumn("attempts", "integer", (c) => c.notNull().check(sql`attempts >= 0`))
    .addColumn("next_allowed_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("login_throttle_pkey", ["scope", "key_hash"])
    .execute();
  // Pruning deletes by age through this index.
  await db.schema
    .createIndex("login_throttle_updated_at_idx")
    .on("login_throttle")
    .column("updated_at")
    .execute();

  await db.schema
    .createTable("login_known_sources")
    // sha256 (hex) of account and address key.
    .addColumn("source_hash", "text", (c) => c.primaryKey())
    .addColumn("last_success_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("login_known_sources_last_success_at_idx")
    .on("login_known_sources")
    .column("last_success_at")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("login_known_sources").execute();
  await db.schema.dropTable("login_throttle").execute();
  await db.schema
    .createTable("login_attempts")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("username_key", "text", (c) => c.notNull())
    .addColumn("client_address", "text", (c) => c.notNull())
    .addColumn("attempted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("login_attempts_username_idx")
    .on("login_attempts")
    .columns(["username_key", "attempted_at"])
    .execute();
  await db.schema
    .createIndex("login_attempts_address_idx")
    .on("login_attempts")
    .columns(["client_address", "attempted_at"])
    .execute();
}
