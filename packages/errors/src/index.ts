/**
 * Typed errors shared by every service. Domain code throws these; only the edges (gRPC handlers,
 * the HTTP gateway) map them to wire statuses. `message` is always safe to show to a client:
 * internals belong in `cause`, which is logged, never returned.
 */

/** Stable machine-readable error codes (they map 1:1 onto gRPC status codes at the edge). */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "CONFLICT"
  | "RESOURCE_EXHAUSTED"
  | "UNAVAILABLE"
  | "DEADLINE_EXCEEDED"
  | "INTERNAL";

/** A field-level validation problem, returned to clients as `errors: [{field, message}]`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Base class: a client-safe message plus a stable code. */
export class ProximityError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors: readonly FieldError[];

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; fieldErrors?: FieldError[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fieldErrors = options?.fieldErrors ?? [];
  }
}

/** Bad input (HTTP 400). */
export class ValidationError extends ProximityError {
  constructor(message: string, fieldErrors: FieldError[] = [], cause?: unknown) {
    super("INVALID_ARGUMENT", message, { fieldErrors, cause });
  }
}

/** Missing or invalid credentials (HTTP 401). */
export class UnauthenticatedError extends ProximityError {
  constructor(message = "Not authenticated", cause?: unknown) {
    super("UNAUTHENTICATED", message, { cause });
  }
}

/** Authenticated but not allowed (HTTP 403). */
export class PermissionDeniedError extends ProximityError {
  constructor(message = "Not allowed", cause?: unknown) {
    super("PERMISSION_DENIED", message, { cause });
  }
}

/** Unknown resource, or one the caller may not see (HTTP 404). */
export class NotFoundError extends ProximityError {
  constructor(message = "Not found", cause?: unknown) {
    super("NOT_FOUND", message, { cause });
  }
}

/** A unique value is taken (HTTP 409). */
export class AlreadyExistsError extends ProximityError {
  constructor(message: string, cause?: unknown) {
    super("ALREADY_EXISTS", message, { cause });
  }
}

/** The resource's state forbids the request (HTTP 409). */
export class ConflictError extends ProximityError {
  constructor(message: string, cause?: unknown) {
    super("CONFLICT", message, { cause });
  }
}

/** A state machine refused a transition (HTTP 409). */
export class InvalidTransitionError extends ConflictError {
  readonly from: string;
  readonly to: string;

  constructor(entity: string, from: string, to: string) {
    super(`Cannot change ${entity} from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/** Throttled (HTTP 429). */
export class RateLimitedError extends ProximityError {
  constructor(message = "Too many requests, try again later", cause?: unknown) {
    super("RESOURCE_EXHAUSTED", message, { cause });
  }
}

/** A dependency is down or the breaker is open (HTTP 503); callers may retry. */
export class UnavailableError extends ProximityError {
  constructor(message = "A dependency is unavailable", cause?: unknown) {
    super("UNAVAILABLE", message, { cause });
  }
}

/** A deadline passed (HTTP 504); callers may retry. */
export class DeadlineExceededError extends ProximityError {
  constructor(message = "The operation timed out", cause?: unknown) {
    super("DEADLINE_EXCEEDED", message, { cause });
  }
}

/** A bug or an unexpected failure (HTTP 500); the message stays generic. */
export class InternalError extends ProximityError {
  constructor(message = "Internal error", cause?: unknown) {
    super("INTERNAL", message, { cause });
  }
}

/** True for errors worth retrying (dependency down, timeout). */
export function isTransient(err: unknown): boolean {
  return err instanceof ProximityError && (err.code === "UNAVAILABLE" || err.code === "DEADLINE_EXCEEDED");
}

/**
 * PostgreSQL data exceptions (SQLSTATE class 22) that only a value can cause: a NUL character in
 * `text` (22021) or `jsonb` (22P05), text that is not a number, date or UUID (22P02, 22007), a
 * value out of its type's range (22003, 22008), too long (22001), or a LIKE pattern or regular
 * expression the database cannot read (22025, 22019, 2201B). Division by zero and the like stay
 * internal: no input of a well-behaved request causes them.
 */
const INPUT_DATA_EXCEPTIONS: ReadonlySet<string> = new Set([
  "22001",
  "22003",
  "22007",
  "22008",
  "22019",
  "2201B",
  "22021",
  "22025",
  "22P02",
  "22P05",
]);

/** True for a database error (node-postgres `DatabaseError`) caused by a value the caller sent. */
export function isInputDataError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  return typeof code === "string" && typeof severity === "string" && INPUT_DATA_EXCEPTIONS.has(code);
}

/**
 * Returns `err` when it is a ProximityError; a database error caused by a value (see
 * `isInputDataError`) becomes a ValidationError, as a defence in depth behind the edges' own
 * validation; anything else an InternalError. Either way the message is generic and the original
 * error only the `cause` (logged, never returned).
 */
export function toProximityError(err: unknown): ProximityError {
  if (err instanceof ProximityError) return err;
  if (isInputDataError(err)) return new ValidationError("Invalid input: a value is not acceptable", [], err);
  return new InternalError("Internal error", err);
}
