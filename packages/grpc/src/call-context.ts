import type { Metadata } from "@grpc/grpc-js";

/** Metadata keys used between Proximity services. */
export const MetadataKeys = {
  authorization: "authorization",
  traceparent: "traceparent",
  requestId: "x-request-id",
  /** JSON field errors; binary ("-bin") because messages may hold any Unicode text. */
  fieldErrors: "x-field-errors-bin",
} as const;

/**
 * The end user a call is made for. It travels inside the signed call token (`sub`, `adm`), never
 * as free metadata, and a callee honours it only from the callers it trusts with end users.
 */
export interface EndUser {
  readonly id: string;
  readonly isAdmin: boolean;
}

/** Per-call options of a Proximity gRPC client. */
export interface CallOptions {
  readonly user?: EndUser;
  /**
   * The trace to continue when no span is active (the client span is then its child); with an
   * active span, the call continues the active span's trace.
   */
  readonly traceparent?: string;
  readonly requestId?: string;
  /** Overrides the client's default deadline. */
  readonly deadlineMs?: number;
}

/**
 * Writes the per-call context (the call token, the client span's traceparent, the request id)
 * into outgoing metadata.
 */
export function writeCallMetadata(
  md: Metadata,
  token: string,
  traceparent: string,
  options: CallOptions | undefined,
): void {
  md.set(MetadataKeys.authorization, `Bearer ${token}`);
  md.set(MetadataKeys.traceparent, traceparent);
  if (options?.requestId) md.set(MetadataKeys.requestId, options.requestId);
}

/** First string value of a metadata key. */
export function metadataString(md: Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === "string" ? v : v?.toString("utf8");
}
