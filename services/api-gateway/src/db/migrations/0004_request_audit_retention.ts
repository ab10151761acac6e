import { createAppendOnlyGuard, dropAppendOnlyGuard } from "@proximity/db";
import type { Kysely } from "kysely";

/**
 * The request audit gets a retention like the authentication event log: it stays append-only
 * (no UPDATE or TRUNCATE for any role), and DELETE is allowed only for rows older than 90 days,
 * the shortest REQUEST_AUDIT_RETENTION_DAYS accepts (the prune deletes past the configured one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await dropAppendOnlyGuard(db, "request_audit");
  await createAppendOnlyGuard(db, { table: "request_audit", keep: { column: "at", interval: "90 days" } });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropAppendOnlyGuard(db, "request_audit");
  await createAppendOnlyGuard(db, { table: "request_audit" });
}
