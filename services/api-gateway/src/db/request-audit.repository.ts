import { sql } from "kysely";
import type { FieldChange } from "../domain/field-diff.js";
import type { GatewayDb } from "./database.js";

export interface AuditEntry {
  readonly userId: string | null;
  /** Public id of the session used, when the caller came with a cookie. */
  readonly sessionId: string | null;
  /** Id of the API token used, when the caller came with a bearer token. */
  readonly tokenId: string | null;
  readonly clientAddress: string | null;
  readonly method: string;
  readonly route: string;
  readonly targetIds: Readonly<Record<string, string>>;
  readonly status: number;
  readonly requestId: string;
  readonly changes: readonly FieldChange[] | null;
}

/** Appends one row (the trail is insert-only; only pruneRequestAudit deletes, past the retention). */
export async function insertAuditEntry(db: GatewayDb, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("request_audit")
    .values({
      user_id: entry.userId,
      session_id: entry.sessionId,
      token_id: entry.tokenId,
      client_address: entry.clientAddress,
      method: entry.method,
      route: entry.route,
      target_ids: JSON.stringify(entry.targetIds),
      status: entry.status,
      request_id: entry.requestId,
      changes: entry.changes ? JSON.stringify(entry.changes) : null,
    })
    .execute();
}

/**
 * Deletes up to `batchSize` rows older than `retentionDays`, oldest first, through
 * `request_audit_at_idx`; the number deleted. The trail's guard (migration 0004) refuses to
 * delete rows younger than 90 days, whatever the caller asks.
 */
export async function pruneRequestAudit(
  db: GatewayDb,
  retentionDays: number,
  batchSize: number,
): Promise<number> {
  const result = await pruneRequestAuditQuery(db, retentionDays, batchSize).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The prune statement itself (tests EXPLAIN it). */
export function pruneRequestAuditQuery(db: GatewayDb, retentionDays: number, batchSize: number) {
  const cutoff = sql<Date>`now() - make_interval(days => ${retentionDays})`;
  return db
    .deleteFrom("request_audit")
    .where(
      "id",
      "in",
      db.selectFrom("request_audit").select("id").where("at", "<", cutoff).orderBy("at").limit(batchSize),
    );
}
