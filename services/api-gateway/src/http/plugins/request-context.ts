import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  contextFromTraceparent,
  ensureIds,
  noopTracer,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  traceIdOf,
  traceparentOf,
} from "@proximity/telemetry";
import type { FastifyInstance, FastifyRequest } from "fastify";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify `genReqId`: a caller's `x-request-id` when it is sane (no log injection), else a UUID. */
export function requestIdFrom(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The server span of each request, ended when its response is sent (or the client goes away). */
const spans = new WeakMap<FastifyRequest, Span>();

/**
 * Request ids and tracing: echoes the request id, opens a server span per request (named by the
 * route pattern, under the caller's trace when it sent a valid traceparent, else a new trace),
 * gives the request that span's traceparent (the gRPC calls made for it are its children) and a child
 * logger carrying both, and logs one line per request (method, route pattern, status, duration,
 * client address) without URL, headers or body, which may hold ids, cookies or secrets. That line
 * is the record of requests refused before anyone was identified (the request audit keeps only
 * identified callers').
 */
export function installRequestContext(app: FastifyInstance, tracer: Tracer = noopTracer): void {
  app.decorateRequest("traceparent", "");
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    const incoming = request.headers.traceparent;
    const route = request.routeOptions.url;
    const span = ensureIds(
      tracer.startSpan(
        route ? `${request.method} ${route}` : request.method,
        {
          kind: SpanKind.SERVER,
          // Never the URL itself: paths and queries may hold ids or tokens.
          attributes: { "http.request.method": request.method, ...(route ? { "http.route": route } : {}) },
        },
        contextFromTraceparent(typeof incoming === "string" ? incoming : undefined),
      ),
    );
    spans.set(request, span);
    request.traceparent = traceparentOf(span) ?? "";
    request.log = request.log.child({ traceId: traceIdOf(request.traceparent) });
  });
  app.addHook("onRequestAbort", async (request) => {
    spans.get(request)?.setStatus({ code: SpanStatusCode.ERROR, message: "client aborted" }).end();
    spans.delete(request);
  });
  app.addHook("onResponse", async (request, reply) => {
    const span = spans.get(request);
    spans.delete(request);
    span?.setAttribute("http.response.status_code", reply.statusCode);
    if (reply.statusCode >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
    span?.end();
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
