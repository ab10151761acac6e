import type { Kysely, Transaction } from "kysely";
import type { HostsDatabase } from "./database.js";
import type { HostAuditAction, HostAuditRow } from "./host-audit.table.js";

export interface HostAuditEntry {
  readonly hostId: string;
  readonly hostName: string;
  readonly action: HostAuditAction;
  readonly actor: string;
  readonly traceId: string;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly credentialsReplaced: readonly string[];
}

/**
 * Appends one entry, in the transaction of the change it records (both commit or neither). The
 * trail has no update or delete here, and the table refuses them (migration 0005).
 */
export async function appendHostAudit(trx: Transaction<HostsDatabase>, e: HostAuditEntry): Promise<void> {
  await trx
    .insertInto("host_audit")
    .values({
      host_id: e.hostId,
      host_name: e.hostName,
      action: e.action,
      actor: e.actor,
      trace_id: e.traceId,
      before: e.before === null ? null : JSON.stringify(e.before),
      after: e.after === null ? null : JSON.stringify(e.after),
      credentials_replaced: [...e.credentialsReplaced],
    })
    .execute();
}

/** A host's audit trail, oldest first. */
export async function listHostAudit(db: Kysely<HostsDatabase>, hostId: string): Promise<HostAuditRow[]> {
  return db.selectFrom("host_audit").selectAll().where("host_id", "=", hostId).orderBy("id").execute();
}
