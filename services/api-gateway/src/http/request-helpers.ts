import { NotFoundError, UnauthenticatedError } from "@proximity/errors";
import type { CallOptions } from "@proximity/grpc";
import type { FastifyRequest } from "fastify";
import type { Principal } from "../app/principal.js";

/** The caller of a protected route (the authentication hook already refused anonymous ones). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError();
  return request.principal;
}

/**
 * Per-call context for the services: end user (with the request's admin rights, see
 * Principal.isAdmin, not the account's flag), trace and request id.
 */
export function callOptions(request: FastifyRequest): CallOptions {
  const { user, isAdmin } = principalOf(request);
  return {
    user: { id: user.id, isAdmin },
    traceparent: request.traceparent,
    requestId: request.id,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids that are not UUIDs name nothing: 404, like an id that does not exist. */
export function requireUuid(id: string): string {
  if (!UUID.test(id)) throw new NotFoundError("Not found");
  return id.toLowerCase();
}

/** A message field proto3 leaves optional but the service always sets; its absence is a bug (500). */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the backend answered without ${what}`);
  return value;
}
