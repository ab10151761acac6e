import { type Kysely, sql } from "kysely";

/** Key-management calls (SecretsAdminService) are audited in access_audit too. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table access_audit drop constraint access_audit_action_check,
            add constraint access_audit_action_check
            check (action in ('put', 'get', 'delete', 'rewrap', 'key-usage'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // NOT VALID: audit rows of admin calls are history and survive a downgrade.
  await sql`alter table access_audit drop constraint access_audit_action_check,
            add constraint access_audit_action_check
            check (action in ('put', 'get', 'delete')) not valid`.execute(db);
}
