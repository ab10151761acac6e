import { UnauthenticatedError } from "@proximity/errors";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { authenticateRequest } from "../../app/authenticate-request.js";
import { sessionCookieOf } from "../cookies.js";
import type { HttpDeps } from "../deps.js";
import { bearerOf } from "../plugins/authentication.js";
import { callOptions, principalOf, requireUuid } from "../request-helpers.js";
import { idParams } from "../schemas/common.schema.js";
import { FEED_PAGE_SIZE, feedAppEvents } from "../sse/app-event-feed.js";
import { openEventStream } from "../sse/event-stream.js";
import type { StreamRegistry } from "../sse/stream-registry.js";

/** Sent back by EventSource on reconnect: the id of the last `log` event it received. */
const eventsHeaders = z.looseObject({
  "last-event-id": z
    .string()
    .regex(/^\d{1,15}$/, "must be a log id")
    .optional(),
});

/**
 * Where a new stream starts: a client that closed its stream (a hidden tab) and opens a new one
 * cannot set Last-Event-ID, so it names the last line it holds here. The header, sent by
 * EventSource's own reconnects of this stream, is newer and wins. 0, like the header's 0, is the
 * whole log.
 */
const eventsQuery = z.object({
  after_id: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

const EVENTS_DESCRIPTION = [
  "Server-sent events (text/event-stream) of the app's live progress:",
  "`event: log` (id = log id, data = a log line as in /logs) for each new line,",
  "`event: status` (data `{status, status_message}`) first and whenever the status changes,",
  'and `: heartbeat` comments. When the app is deleted a final status event `{"status": "deleted"}`',
  "ends the stream. Reconnecting clients resume after `Last-Event-ID`; a new stream may start after",
  "`after_id` (the header wins when both are given). At most",
  "SSE_MAX_STREAMS_PER_USER streams per user are open on each gateway replica (beyond: 429).",
].join(" ");

/** GET /api/apps/{id}/events: the app's progress as server-sent events. */
export function appEventsRoutes(deps: HttpDeps, streams: StreamRegistry): FastifyPluginAsyncZod {
  const { applications } = deps.clients;
  const settings = deps.eventStreams;
  return async (app) => {
    app.get(
      "/api/apps/:id/events",
      {
        schema: {
          tags: ["apps"],
          summary: "Live progress of an app (server-sent events)",
          description: EVENTS_DESCRIPTION,
          params: idParams,
          querystring: eventsQuery,
          headers: eventsHeaders,
          produces: ["text/event-stream"],
        },
      },
      async (request, reply) => {
        const appId = requireUuid(request.params.id);
        const principal = principalOf(request);
        const slot = streams.reserve(principal.user.id);
        try {
          // Ownership before the stream opens, so others' apps are a plain JSON 404.
          await applications.getApp({ id: appId }, callOptions(request));
        } catch (err) {
          slot.release();
          throw err;
        }
        const credentials = {
          bearer: bearerOf(request),
          sessionId: sessionCookieOf(request, deps.cookieSecure),
        };
        const stream = openEventStream(reply);
        slot.attach(stream);
        request.log.info({ appId }, "event stream opened");
        stream.onClose(() => request.log.info({ appId }, "event stream closed"));
        feedAppEvents({
          stream,
          readPage: (afterId) =>
            applications.listAppLogs(
              { appId, afterId, beforeId: 0, limit: FEED_PAGE_SIZE },
              callOptions(request),
            ),
          stillAuthorized: async () => {
            // A re-check, not a use: an open stream must not keep an idle session alive.
            const current = await authenticateRequest(deps.db, deps.sessions, credentials, {
              touch: false,
            }).catch((err: unknown) => {
              if (err instanceof UnauthenticatedError) return null;
              throw err;
            });
            // Changed admin rights end the stream too: its polls run with the rights it opened with.
            return current?.user.id === principal.user.id && current.isAdmin === principal.isAdmin;
          },
          afterId: Number(request.headers["last-event-id"] ?? request.query.after_id ?? 0),
          pollIntervalMs: settings.pollIntervalMs,
          heartbeatMs: settings.heartbeatMs,
          log: request.log,
        });
        return reply;
      },
    );
  };
}
