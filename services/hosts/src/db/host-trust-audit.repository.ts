import { type Kysely, sql, type Transaction } from "kysely";
import type { HostsDatabase } from "./database.js";
import type { HostTrustAuditRow } from "./host-trust-audit.table.js";

/**
 * Names who makes the changes of this transaction for the trust audit the triggers write
 * (migration 0006). Local to the transaction, so it never leaks to the next user of the pooled
 * connection; call it before the transaction's first change of `hosts` or `nodes`.
 */
export async function declareTrustAuditActor(
  trx: Transaction<HostsDatabase>,
  who: { readonly actor: string; readonly traceId: string },
): Promise<void> {
  await sql`select set_config('proximity.actor', ${who.actor}, true),
    set_config('proximity.trace_id', ${who.traceId}, true)`.execute(trx);
}

/** A host's trust audit (the triggers' record), oldest first. */
export async function listHostTrustAudit(
  db: Kysely<HostsDatabase>,
  hostId: string,
): Promise<HostTrustAuditRow[]> {
  return db.selectFrom("host_trust_audit").selectAll().where("host_id", "=", hostId).orderBy("id").execute();
}
