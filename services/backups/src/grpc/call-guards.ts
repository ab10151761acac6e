import { PermissionDeniedError } from "@proximity/errors";
import type { CallContext, EndUser } from "@proximity/grpc";
import type { Caller } from "../app/deps.js";

/** Only the gateway speaks for end users; every BackupsService RPC is restricted to it. */
export const GATEWAY_ONLY = ["api-gateway"] as const;

/**
 * The end user the gateway passed; backup RPCs are meaningless without one (a refusal, not
 * UNAUTHENTICATED: the gateway would read that as its user's session being invalid).
 */
export function requireUser(ctx: CallContext): EndUser {
  if (!ctx.user) throw new PermissionDeniedError("An end user is required");
  return ctx.user;
}

/** The use-cases' view of the call. */
export function callerOf(ctx: CallContext): Caller {
  return { user: requireUser(ctx), traceparent: ctx.traceparent, requestId: ctx.requestId, log: ctx.log };
}
