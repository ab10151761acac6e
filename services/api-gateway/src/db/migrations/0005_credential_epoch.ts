import { type Kysely, sql } from "kysely";

/** The constraint name the epoch guard reports (see isStaleCredentialEpoch). */
const CONSTRAINT = "credential_epoch_current";

/**
 * A credential epoch per user, recorded by every session and API token at creation. A password
 * change (or deactivation) moves the user's epoch on in its transaction; a trigger refuses a
 * session or token whose epoch is not the user's current one, after waiting (FOR SHARE on the
 * user's row) for a change in progress to commit. So a login that verified the old password, or a
 * token requested with a credential the change ends, cannot leave a credential behind it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("credential_epoch", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  for (const table of ["sessions", "api_tokens"]) {
    // Rows from before belong to epoch 0, their users' current one; new rows must name theirs.
    await db.schema
      .alterTable(table)
      .addColumn("credential_epoch", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable(table)
      .alterColumn("credential_epoch", (c) => c.dropDefault())
      .execute();
  }
  await sql
    .raw(`create function credential_epoch_current() returns trigger language plpgsql
    set search_path from current as $$
    begin
      perform 1 from users where id = NEW.user_id and credential_epoch = NEW.credential_epoch for share;
      if not found then
        raise exception '%: the credentials of the user changed', TG_TABLE_NAME
          using errcode = 'check_violation', constraint = '${CONSTRAINT}';
      end if;
      return NEW;
    end $$`)
    .execute(db);
  for (const table of ["sessions", "api_tokens"]) {
    await sql
      .raw(`create trigger ${table}_credential_epoch before insert or update of user_id, credential_epoch
      on ${table} for each row execute function credential_epoch_current()`)
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["sessions", "api_tokens"]) {
    await sql.raw(`drop trigger ${table}_credential_epoch on ${table}`).execute(db);
    await db.schema.alterTable(table).dropColumn("credential_epoch").execute();
  }
  await sql`drop function credential_epoch_current()`.execute(db);
  await db.schema.alterTable("users").dropColumn("credential_epoch").execute();
}
