import type { FastifyRequest } from "fastify";
import type { GatewayClients } from "../clients.js";
import { callOptions, principalOf } from "./request-helpers.js";

/**
 * Before another service is asked about an app (its backups, its backup policy), a non-admin must
 * be shown the app by the applications service: GetApp as the caller, so another user's app is 404
 * exactly like an unknown one. Admins go straight on: the backups service lets them reach the
 * backups of deleted apps, which the applications service no longer knows. "Admin" is the
 * request's admin rights (an admin's token without the admin scope is shown the app first too).
 */
export async function requireAppAccess(
  clients: Pick<GatewayClients, "applications">,
  request: FastifyRequest,
  appId: string,
): Promise<void> {
  if (principalOf(request).isAdmin) return;
  await clients.applications.getApp({ id: appId }, callOptions(request));
}
