import type { FastifyRequest } from "fastify";
import type { RequestOrigin } from "../app/auth-events.js";

/** Where a request came from, for the authentication event log. */
export function originOf(request: FastifyRequest): RequestOrigin {
  return { clientAddress: request.ip, requestId: request.id };
}
