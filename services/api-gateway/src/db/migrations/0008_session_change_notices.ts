import { type Kysely, sql } from "kysely";

/**
 * Every replica keeps the sessions it resolved (app/session-cache.ts) and must forget them the
 * moment one ends or changes: these triggers send the notice of migration 0007
 * (`credential_change_notice()`, channel `<schema>_credentials`) when a session is deleted (logout,
 * ended by its user, a password change or a deactivation ending the others, dead ones cleared) or
 * a column a resolved session depends on changes. PostgreSQL delivers it when the change commits.
 * Row-level, so a statement that changes no session sends nothing, and one notice per transaction
 * reaches the listeners however many rows changed (PostgreSQL folds identical notices). Recording a
 * use (`last_seen_at`) sends none. Dead sessions are cleared every few minutes, not at each login
 * (app/dead-session-pruner.ts): each clearing empties the replicas' caches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger sessions_change
    after update of id_hash, user_id, csrf_hash, credential_epoch, expires_at or delete on sessions
    for each row execute function credential_change_notice()`.execute(db);
  await sql`create trigger sessions_truncate after truncate on sessions
    for each statement execute function credential_change_notice()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger sessions_truncate on sessions`.execute(db);
  await sql`drop trigger sessions_change on sessions`.execute(db);
}
