import { PermissionDeniedError, UnauthenticatedError } from "@proximity/errors";
import type { CallContext, EndUser } from "@proximity/grpc";

/** The gateway speaks for end users; every user-facing RPC is restricted to it. */
export const GATEWAY_ONLY = ["api-gateway"] as const;

/** The identity of operator tooling (proximityctl): calls for no end user. */
export const OPERATOR = "sre";

/** The archive-operation RPCs: the backups service, on behalf of an end user (or an app's owner). */
export const BACKUPS_ONLY = ["backups"] as const;

/** Callers whose end user (metadata) is honoured: the gateway and the backups service. */
export const USER_TRUSTED_CALLERS = ["api-gateway", "backups"] as const;

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
