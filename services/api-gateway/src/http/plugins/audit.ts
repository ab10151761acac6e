import type { FastifyInstance } from "fastify";
import type { GatewayDb } from "../../db/database.js";
import { insertAuditEntry } from "../../db/request-audit.repository.js";
import { isUnsafeMethod } from "../../domain/access.js";

/**
 * Records every unsafe request (who, route pattern, status, request id) after it is answered.
 * Writes still running at shutdown are awaited on close, before the pool goes away.
 */
export function installRequestAudit(app: FastifyInstance, db: GatewayDb): void {
  const pending = new Set<Promise<void>>();
  app.addHook("onResponse", async (request, reply) => {
    if (!isUnsafeMethod(request.method)) return;
    const write = insertAuditEntry(db, {
      userId: request.principal?.user.id ?? null,
      method: request.method,
      route: request.routeOptions.url ?? "(unmatched)",
      status: reply.statusCode,
      requestId: request.id,
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
