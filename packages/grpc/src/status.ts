import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  AlreadyExistsError,
  ConflictError,
  DeadlineExceededError,
  type ErrorCode,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  type ProximityError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";

const TO_GRPC: Record<ErrorCode, GrpcStatus> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  CONFLICT: GrpcStatus.ABORTED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** gRPC status for a typed error code. */
export function grpcStatusOf(code: ErrorCode): GrpcStatus {
  return TO_GRPC[code];
}

/** HTTP status for a gRPC status (google.rpc.Code mapping; ABORTED and FAILED_PRECONDITION → 409). */
export function httpStatusOfGrpc(code: GrpcStatus): number {
  switch (code) {
    case GrpcStatus.OK:
      return 200;
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return 400;
    case GrpcStatus.UNAUTHENTICATED:
      return 401;
    case GrpcStatus.PERMISSION_DENIED:
      return 403;
    case GrpcStatus.NOT_FOUND:
      return 404;
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.ABORTED:
    case GrpcStatus.FAILED_PRECONDITION:
      return 409;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return 429;
    case GrpcStatus.CANCELLED:
      return 499;
    case GrpcStatus.UNIMPLEMENTED:
      return 501;
    case GrpcStatus.UNAVAILABLE:
      return 503;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

/**
 * Rebuilds a typed error from a gRPC error received by a client. Service messages are
 * client-safe by construction, except INTERNAL/UNKNOWN ones, which are replaced.
 */
export function errorFromGrpc(err: { code?: number; details?: string }): ProximityError {
  const msg = err.details || "Request failed";
  switch (err.code) {
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return new ValidationError(msg, [], err);
    case GrpcStatus.UNAUTHENTICATED:
      return new UnauthenticatedError(msg, err);
    case GrpcStatus.PERMISSION_DENIED:
      return new PermissionDeniedError(msg, err);
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError(msg, err);
    case GrpcStatus.ALREADY_EXISTS:
      return new AlreadyExistsError(msg, err);
    case GrpcStatus.ABORTED:
    case GrpcStatus.FAILED_PRECONDITION:
      return new ConflictError(msg, err);
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return new RateLimitedError(msg, err);
    case GrpcStatus.UNAVAILABLE:
      return new UnavailableError("A backend service is unavailable", err);
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.CANCELLED:
      return new DeadlineExceededError("A backend service did not answer in time", err);
    default:
      return new InternalError("Internal error", err);
  }
}
