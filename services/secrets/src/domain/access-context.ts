import { ValidationError } from "@proximity/errors";

/**
 * Who accesses a secret and on whose account: besides the attempt itself, what the access audit
 * records so that a read can be tied to the deploy or check that caused it.
 */
export interface AccessContext {
  /** The calling service identity (from its verified certificate and call token). */
  readonly caller: string;
  /** The W3C trace id of the call ("" when the caller sent no usable traceparent). */
  readonly traceId: string;
  /** The operation the caller says the access is part of, or null. */
  readonly operationId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * The access context of a call. The operation id is the caller's word (it cannot be verified
 * here), so it is only accepted in its one shape, a UUID: anything else is a ValidationError.
 */
export function accessContext(caller: string, traceparent: string, operationId = ""): AccessContext {
  if (operationId !== "" && !UUID.test(operationId))
    throw new ValidationError("Invalid operation id", [{ field: "operation_id", message: "must be a UUID" }]);
  const traceId = traceparent.split("-")[1] ?? "";
  return {
    caller,
    traceId: TRACE_ID.test(traceId) ? traceId : "",
    operationId: operationId === "" ? null : operationId.toLowerCase(),
  };
}
