import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** fastify `genReqId`: a caller's `x-request-id` when it is sane (no log injection), else a UUID. */
export function requestIdFrom(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** A new span under the caller's trace when it sent a valid traceparent, else a new trace. */
function traceparentFor(incoming: string | string[] | undefined): string {
  const traceId =
    (typeof incoming === "string" && TRACEPARENT.exec(incoming)?.[1]) || randomBytes(16).toString("hex");
  return `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
}

/**
 * Request ids and tracing: echoes the request id, gives every request a traceparent and a child
 * logger carrying both, and logs one line per request (method, route pattern, status, duration,
 * client address) without URL, headers or body, which may hold ids, cookies or secrets. That line
 * is the record of requests refused before anyone was identified (the request audit keeps only
 * identified callers').
 */
export function installRequestContext(app: FastifyInstance): void {
  app.decorateRequest("traceparent", "");
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    request.traceparent = traceparentFor(request.headers.traceparent);
    request.log = request.log.child({ traceId: request.traceparent.split("-")[1] });
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? "(unmatched)",
        status: reply.statusCode,
        clientAddress: request.ip,
        durationMs: Math.round(reply.elapsedTime),
      },
      "request completed",
    );
  });
}
