import { PermissionDeniedError } from "@proximity/errors";
import type { CallContext } from "@proximity/grpc";
import type { ChangeMeta } from "../app/ports.js";

/** Host management is for administrators, acting through the gateway. */
export function requireAdmin(ctx: CallContext): void {
  if (!ctx.user?.isAdmin) throw new PermissionDeniedError("Administrator rights required");
}

/** Operator tooling (identity `sre`) calls for no end user; through the gateway, administrators only. */
export function requireAdminOrOperator(ctx: CallContext): void {
  if (ctx.caller !== OPERATOR) requireAdmin(ctx);
}

/** The identity of operator tooling (proximityctl). */
export const OPERATOR = "sre";

/** The use-cases' view of the call; the actor is the end user (the admin) behind it. */
export function requestMeta(ctx: CallContext): ChangeMeta {
  return { traceparent: ctx.traceparent, log: ctx.log, actor: ctx.user?.id ?? ctx.caller };
}
