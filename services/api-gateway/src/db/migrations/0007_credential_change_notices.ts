import { type Kysely, sql } from "kysely";

/** The channel `<schema>_credentials`: see CREDENTIAL_CHANGES_CHANNEL_SUFFIX. */
const SUFFIX = "_credentials";

/**
 * Every replica keeps the API tokens it verified (app/token-cache.ts) and must forget them the
 * moment a token or its user changes. These triggers notify `<schema>_credentials` when one does,
 * whichever statement changed it (revocation, deletion, truncation, a password change moving the
 * credential epoch on, deactivation, admin rights, a rename): PostgreSQL delivers the notice when
 * the change commits. Only the columns a verified token's principal depends on fire them: recording a
 * token's last use does not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create function credential_change_notice() returns trigger
    language plpgsql set search_path from current as $$
    begin
      perform pg_notify(current_schema() || ${sql.lit(SUFFIX)}, '');
      return null;
    end $$`.execute(db);
  await sql`create trigger users_credential_change
    after update of username, is_admin, is_active, credential_epoch or delete on users
    for each statement execute function credential_change_notice()`.execute(db);
  await sql`create trigger api_tokens_credential_change
    after update of user_id, scopes, secret_hash, credential_epoch, expires_at, revoked_at or delete
    on api_tokens for each statement execute function credential_change_notice()`.execute(db);
  for (const table of ["users", "api_tokens"])
    await sql`create trigger ${sql.raw(`${table}_credential_truncate`)} after truncate on ${sql.raw(table)}
      for each statement execute function credential_change_notice()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["users", "api_tokens"])
    await sql`drop trigger ${sql.raw(`${table}_credential_truncate`)} on ${sql.raw(table)}`.execute(db);
  await sql`drop trigger api_tokens_credential_change on api_tokens`.execute(db);
  await sql`drop trigger users_credential_change on users`.execute(db);
  await sql`drop function credential_change_notice()`.execute(db);
}
