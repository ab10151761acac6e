import {
  AlreadyExistsError,
  ConflictError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import type { ApplicationsPeer, OnBehalfOf } from "../infra/applications-peer.js";

/**
 * Gives the app's claim back after our side could not be recorded (nothing was sent to the
 * provisioner), or when it is unknown whether the claim was taken. Best effort: if this fails
 * too, the applications service's operation deadline frees the app.
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

/** Answers of the applications service that took nothing. */
const REFUSALS = [
  ConflictError,
  NotFoundError,
  ValidationError,
  PermissionDeniedError,
  UnauthenticatedError,
  AlreadyExistsError,
  RateLimitedError,
];

/**
 * Whether a failed claim is a refusal by the applications service (it answered, and took
 * nothing): busy or a state that forbids it, unknown app, bad request, not allowed. Anything else
 * (deadline exceeded, unavailable, cancelled, internal, an answer we could not read) leaves it
 * unknown whether the claim was taken, so it is to be given back: giving back an operation the
 * applications service never recorded does nothing.
 */
export function isRefusal(err: unknown): boolean {
  // mapApplicationsError wraps a refusal of this service itself in an InternalError.
  if (err instanceof InternalError) return REFUSALS.some((type) => err.cause instanceof type);
  return REFUSALS.some((type) => err instanceof type);
}
