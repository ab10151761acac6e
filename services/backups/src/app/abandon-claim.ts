import type { Logger } from "@proximity/logger";
import type { ApplicationsPeer, OnBehalfOf } from "../infra/applications-peer.js";

/**
 * Gives the app's claim back after our side could not be recorded (nothing was sent to the
 * provisioner). Best effort: if this fails too, the applications service's operation deadline
 * frees the app.
 */
export async function abandonClaim(
  applications: ApplicationsPeer,
  operationId: string,
  reason: string,
  as: OnBehalfOf,
  log: Logger,
): Promise<void> {
  try {
    await applications.abandonArchiveOperation(operationId, reason, as);
  } catch (err) {
    log.warn({ err, operationId }, "could not give the app's claim back; its deadline will free it");
  }
}
