import { PermissionDeniedError, UnauthenticatedError } from "@proximity/errors";
import type { CallContext, EndUser } from "@proximity/grpc";

/** Only the gateway speaks for end users; every user-facing RPC is restricted to it. */
export const GATEWAY_ONLY = ["api-gateway"] as const;

/** The end user the gateway passed; app RPCs are meaningless without one. */
export function requireUser(ctx: CallContext): EndUser {
  if (!ctx.user) throw new UnauthenticatedError("An end user is required");
  return ctx.user;
}

export function requireAdmin(ctx: CallContext): EndUser {
  const user = requireUser(ctx);
  if (!user.isAdmin) throw new PermissionDeniedError("Administrators only");
  return user;
}
