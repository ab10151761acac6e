import { type ErrorCode, type FieldError, ProximityError, toProximityError } from "@proximity/errors";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The one error body of the API. */
export interface ErrorBody {
  detail: string;
  errors?: FieldError[];
}

const STATUS_OF: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  INTERNAL: 500,
};

/** Safe texts for fastify's own client errors (their messages may quote the input). */
const FRAMEWORK_DETAIL: Record<number, string> = {
  400: "Invalid request",
  404: "Not found",
  405: "Method not allowed",
  406: "Not acceptable",
  413: "Request body too large",
  414: "Request path too long",
  415: "Unsupported media type",
};

function fieldOf(context: string | undefined, path: string): string {
  const field = path.replace(/^\//, "").replaceAll("/", ".");
  return field || context || "request";
}

/** Fastify's errors for a body that is not JSON at all (said plainly, without the parser's text). */
const INVALID_JSON_CODES = new Set(["FST_ERR_CTP_INVALID_JSON_BODY", "FST_ERR_CTP_EMPTY_JSON_BODY"]);

/** Schema violations, as validation.ts reports them (fastify sets `validation` and its context). */
function isValidationError(
  error: FastifyError | Error,
): error is FastifyError & { validation: NonNullable<FastifyError["validation"]> } {
  const validation = (error as FastifyError).validation;
  return Array.isArray(validation) && validation.length > 0;
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(body);
}

function sendTyped(error: ProximityError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = STATUS_OF[error.code];
  if (status >= 500) request.log.error({ err: error }, "request failed");
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
  const detail = error.code === "INTERNAL" ? "Internal error" : error.message;
  const body: ErrorBody = error.fieldErrors.length ? { detail, errors: [...error.fieldErrors] } : { detail };
  return send(reply, status, body);
}

function handleError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isValidationError(error)) {
    const errors = error.validation.map((v) => ({
      field: fieldOf(error.validationContext, v.instancePath),
      message: v.message ?? "is invalid",
    }));
    // A path parameter is no field the caller filled in: say the path is what is wrong.
    const detail = error.validationContext === "params" ? "Invalid request path" : "Invalid request";
    return send(reply, 400, { detail, errors });
  }
  if (error instanceof ProximityError) return sendTyped(error, request, reply);
  if (INVALID_JSON_CODES.has((error as FastifyError).code)) {
    return send(reply, 400, { detail: "The request body is not valid JSON" });
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return send(reply, status, { detail: FRAMEWORK_DETAIL[status] ?? "Invalid request" });
  }
  // A database error the gateway's own queries met because of a value (defence in depth: the
  // schemas should have refused it) is still the caller's 400; anything else is a bare 500.
  return sendTyped(toProximityError(error), request, reply);
}

/**
 * Fastify's errors raised before routing (a path that is not valid percent-encoding, a path
 * parameter over the router's length limit), for the `frameworkErrors` option: said like every
 * other client error, without the framework's own body, which names its error code and quotes
 * the path.
 */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, "request failed before routing");
    send(reply, 500, { detail: "Internal error" });
    return;
  }
  send(reply, status, { detail: FRAMEWORK_DETAIL[status] ?? "Invalid request" });
}

/**
 * Every failure leaves as `{"detail": …}`: typed errors with their client-safe message, schema
 * violations with a field list, anything else as a bare 500. Stack traces, SQL and upstream
 * internals only reach the log. `page`, when given, may answer an unknown path first (the web
 * console's own URLs); it returns false to leave it a 404.
 */
export function installErrorHandling(
  app: FastifyInstance,
  page?: (request: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    if (page?.(request, reply)) return;
    send(reply, 404, { detail: "Not found" });
  });
}
