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

/** Appends one row (the audit trail is insert-only). */
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
