import { counter, histogram } from "@proximity/metrics";
import type { FastifyInstance } from "fastify";

/** HTTP requests answered, by route pattern (never the raw URL, which holds ids), method and status. */
export const httpRequests = counter({
  name: "proximity_http_requests_total",
  help: "HTTP requests answered by the gateway, by route pattern, method and status",
  labelNames: ["route", "method", "status"],
});

/** Time from receiving a request to its answer, by route pattern and method. */
export const httpRequestDuration = histogram({
  name: "proximity_http_request_duration_seconds",
  help: "Time the gateway took to answer, by route pattern and method",
  labelNames: ["route", "method"],
});

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** What a request that matched no route is counted under (its URL could be anything). */
export const UNMATCHED_ROUTE = "(unmatched)";

/**
 * Counts every answered request. Labels stay bounded: the route is the pattern fastify matched
 * (`/api/apps/:id`), a request that matched none is one series, and an unusual method is OTHER.
 */
export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = METHODS.has(request.method) ? request.method : "OTHER";
    httpRequests.inc({ route, method, status: String(reply.statusCode) });
    httpRequestDuration.observe({ route, method }, reply.elapsedTime / 1000);
  });
}
