import { NotFoundError } from "@proximity/errors";
import { applicationsV1 } from "@proximity/proto";
import { statusNameOf, toAppLogJson } from "../schemas/app.schema.js";
import { emptyToNull } from "../schemas/common.schema.js";
import type { EventStream } from "./event-stream.js";

/** Log lines asked for per poll; a full page is followed by another poll at once (catching up). */
export const FEED_PAGE_SIZE = 500;

export interface AppEventFeedOptions {
  readonly stream: EventStream;
  /** ListAppLogs as the caller: lines after `afterId` plus the app's current status. */
  readonly readPage: (afterId: number) => Promise<applicationsV1.ListAppLogsResponse>;
  /** Re-checks the caller's credentials; false ends the stream (logout, revoked token). */
  readonly stillAuthorized: () => Promise<boolean>;
  /** Last log id the client already has (Last-Event-ID), 0 for all. */
  readonly afterId: number;
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  readonly log: { warn(details: object, message: string): void };
}

/**
 * Feeds an open event stream with an app's progress by polling the applications service:
 * `log` events (id = log id, so a reconnecting EventSource resumes with Last-Event-ID) and a
 * `status` event first and whenever status or message change. When the app is gone (NOT_FOUND)
 * a final `status` event with status "deleted" is sent and the stream ends. Transient failures
 * are logged and retried on the next poll.
 */
export function feedAppEvents(options: AppEventFeedOptions): void {
  const { stream, log } = options;
  let afterId = options.afterId;
  let lastStatus: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Logged once per outage, not once per poll.
  let failing = false;

  const sendStatus = (status: string, message: string | null) => {
    const key = JSON.stringify([status, message]);
    if (key === lastStatus) return;
    lastStatus = key;
    stream.send({ event: "status", data: { status, status_message: message } });
  };

  const poll = async () => {
    let delay = options.pollIntervalMs;
    try {
      const page = await options.readPage(afterId);
      failing = false;
      if (stream.closed) return;
      for (const line of page.items) {
        stream.send({ event: "log", id: line.id, data: toAppLogJson(line) });
        afterId = Math.max(afterId, line.id);
      }
      // UNSPECIFIED: the service did not report a status with this page; say nothing rather than guess.
      if (page.status !== applicationsV1.AppStatus.APP_STATUS_UNSPECIFIED) {
        sendStatus(statusNameOf(page.status), emptyToNull(page.statusMessage));
      }
      if (page.items.length >= FEED_PAGE_SIZE) delay = 0;
    } catch (err) {
      if (err instanceof NotFoundError) {
        sendStatus("deleted", "The app no longer exists");
        stream.close();
        return;
      }
      if (!failing) log.warn({ err }, "event stream poll failed; retrying");
      failing = true;
    }
    if (!stream.closed) timer = setTimeout(poll, delay);
  };

  const heartbeat = setInterval(() => {
    stream.comment("heartbeat");
    options.stillAuthorized().then(
      (ok) => {
        if (!ok) stream.close();
      },
      (err: unknown) => log.warn({ err }, "event stream credential check failed; keeping the stream"),
    );
  }, options.heartbeatMs);

  stream.onClose(() => {
    clearTimeout(timer);
    clearInterval(heartbeat);
  });
  void poll();
}
