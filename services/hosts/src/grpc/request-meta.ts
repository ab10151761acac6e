import { PermissionDeniedError } from "@proximity/errors";
import type { CallContext } from "@proximity/grpc";
import type { RequestMeta } from "../app/ports.js";

/** Host management is for administrators, acting through the gateway. */
export function requireAdmin(ctx: CallContext): void {
  if (!ctx.user?.isAdmin) throw new PermissionDeniedError("Administrator rights required");
}

export function requestMeta(ctx: CallContext): RequestMeta {
  return { traceparent: ctx.traceparent, log: ctx.log };
}
