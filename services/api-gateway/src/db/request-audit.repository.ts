import type { GatewayDb } from "./database.js";

export interface AuditEntry {
  readonly userId: string | null;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly requestId: string;
}

export async function insertAuditEntry(db: GatewayDb, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("request_audit")
    .values({
      user_id: entry.userId,
      method: entry.method,
      route: entry.route,
      status: entry.status,
      request_id: entry.requestId,
    })
    .execute();
}
