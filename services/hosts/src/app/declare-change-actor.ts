import type { Transaction } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { declareTrustAuditActor } from "../db/host-trust-audit.repository.js";
import { auditTraceId } from "../domain/host-audit.js";
import type { RequestMeta } from "./ports.js";

/** Who the trust audit names for host changes a host check makes (pinning a key on first use). */
export const HOST_CHECK_ACTOR = "system:host-check";

/**
 * Tells the database's trust audit (the triggers on hosts and nodes) who makes this transaction's
 * changes: the end user, `system:bootstrap` or `system:host-check`, and the trace. First thing in
 * every transaction of this service that changes a host or a node.
 */
export async function declareChangeActor(
  trx: Transaction<HostsDatabase>,
  meta: RequestMeta & { readonly actor: string },
): Promise<void> {
  await declareTrustAuditActor(trx, { actor: meta.actor, traceId: auditTraceId(meta.traceparent) });
}
