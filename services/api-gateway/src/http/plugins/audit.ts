import type { FastifyInstance, FastifyRequest } from "fastify";
import type { GatewayDb } from "../../db/database.js";
import { insertAuditEntry } from "../../db/request-audit.repository.js";
import { isUnsafeMethod } from "../../domain/access.js";
import type { FieldChange } from "../../domain/field-diff.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The field diff of an admin change, set by its handler for the audit row (see recordChanges). */
    auditChanges: readonly FieldChange[] | null;
  }
}

/** Gives the request's audit row the field diff of the change it made (admin changes). */
export function recordChanges(request: FastifyRequest, changes: readonly FieldChange[]): void {
  request.auditChanges = changes;
}

/** Path parameter values that look like ids are kept as sent; anything else is not echoed into the trail. */
const SHOWABLE_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The route's concrete targets: its path parameters (`{"id": "…"}`). */
export function targetIdsOf(request: FastifyRequest): Record<string, string> {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const targets: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!SHOWABLE_ID.test(name)) continue;
    targets[name] = typeof value === "string" && SHOWABLE_ID.test(value) ? value : "(not an id)";
  }
  return targets;
}

/**
 * Records every unsafe request of an authenticated caller after it is answered: the actor (user,
 * and the session or token used), the route pattern and its concrete target ids, the status, the
 * request id and, for admin changes, the field diff their handler recorded. Never bodies. The
 * trail is insert-only (pruned past its retention).
 *
 * Requests refused before anyone was identified (401, an unknown route, the per-address rate
 * limit's 429) are not recorded: they name no actor, and anyone could append them by the
 * thousand. Logins are in the authentication event log, and every request is in the logs.
 * Writes still running at shutdown are awaited on close, before the pool goes away.
 */
export function installRequestAudit(app: FastifyInstance, db: GatewayDb): void {
  app.decorateRequest("auditChanges", null);
  const pending = new Set<Promise<void>>();
  app.addHook("onResponse", async (request, reply) => {
    const principal = request.principal;
    if (!principal || !isUnsafeMethod(request.method)) return;
    const write = insertAuditEntry(db, {
      userId: principal.user.id,
      sessionId: principal.session?.id ?? null,
      tokenId: principal.token?.id ?? null,
      clientAddress: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? "(unmatched)",
      targetIds: targetIdsOf(request),
      status: reply.statusCode,
      requestId: request.id,
      // Only a change that happened is recorded (a handler may fail after computing it).
      changes: reply.statusCode < 400 ? request.auditChanges : null,
    }).catch((err: unknown) => {
      // The response is already sent; a lost audit row must be visible to operators.
      request.log.error({ err }, "request audit write failed");
    });
    pending.add(write);
    await write.finally(() => pending.delete(write));
  });
  app.addHook("onClose", async () => {
    await Promise.allSettled(pending);
  });
}
