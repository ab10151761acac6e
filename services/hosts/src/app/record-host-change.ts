import type { Transaction } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { appendHostAudit } from "../db/host-audit.repository.js";
import type { HostAuditAction } from "../db/host-audit.table.js";
import { auditDiff, auditedHost, auditTraceId } from "../domain/host-audit.js";
import type { CredentialUpdate, HostSettings } from "../domain/new-host.js";
import type { ChangeMeta } from "./ports.js";

/**
 * Audits a change of a host in the transaction that makes it: the settings that changed with
 * their values before and after (every setting for a creation or deletion), the credentials that
 * were replaced (by name), the actor and the trace. An update that changes nothing is not recorded.
 */
export async function recordHostChange(
  trx: Transaction<HostsDatabase>,
  change: {
    readonly action: HostAuditAction;
    readonly hostId: string;
    readonly hostName: string;
    readonly before: HostSettings | null;
    readonly after: HostSettings | null;
    readonly credentials?: CredentialUpdate;
  },
  meta: ChangeMeta,
): Promise<void> {
  const credentialsReplaced = [
    ...(change.credentials?.apiSecret !== undefined ? ["api_secret"] : []),
    ...(change.credentials?.ssh !== undefined ? ["ssh"] : []),
  ];
  let before: Record<string, unknown> | null = change.before && { ...auditedHost(change.before) };
  let after: Record<string, unknown> | null = change.after && { ...auditedHost(change.after) };
  if (change.before && change.after) {
    ({ before, after } = auditDiff(auditedHost(change.before), auditedHost(change.after)));
    if (Object.keys(after).length === 0 && credentialsReplaced.length === 0) return;
  }
  await appendHostAudit(trx, {
    hostId: change.hostId,
    hostName: change.hostName,
    action: change.action,
    actor: meta.actor,
    traceId: auditTraceId(meta.traceparent),
    before,
    after,
    credentialsReplaced,
  });
}
