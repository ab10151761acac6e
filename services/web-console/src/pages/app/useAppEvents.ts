import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App, AppStatus, LogLine } from "../../api/types";
import { useSession } from "../../auth/session";
import { usePageAway } from "../../lib/usePageAway";
import { appKeys } from "./app-queries";

/** The app's status as the stream reports it; `deleted` ends the stream. */
export interface StreamStatus {
  readonly status: AppStatus | "deleted";
  readonly status_message: string | null;
}

/**
 * connecting → live; reconnecting while EventSource retries by itself; polling when no stream can
 * be had (refused, e.g. too many open streams, or no EventSource): the logs are then read with
 * GET /logs every few seconds; paused while the tab is hidden or the session is being renewed;
 * ended once the app was deleted.
 */
export type Connection = "connecting" | "live" | "reconnecting" | "polling" | "paused" | "ended";

export interface AppEvents {
  readonly lines: readonly LogLine[];
  /** Older lines were dropped to keep the page light. */
  readonly truncated: boolean;
  readonly status: StreamStatus | null;
  readonly connection: Connection;
}

/** Lines kept in memory; the stream replays an app's whole log, which can be long. */
export const MAX_LINES = 2_000;
const FLUSH_MS = 50;
const POLL_MS = 3_000;
const POLL_PAGE = 500;
/** EventSource.CLOSED, written out so a stand-in without the constants works too. */
const CLOSED = 2;
/**
 * How long a hidden tab keeps its stream: a glance at another tab keeps it, a tab left in the
 * background gives its place back (a user may hold only a few streams at once).
 */
export const HIDDEN_GRACE_MS = 30_000;

function parseJson(data: unknown): unknown {
  if (typeof data !== "string") return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function asLogLine(value: unknown): LogLine | undefined {
  const line = value as Partial<LogLine> | null | undefined;
  if (!line || typeof line.id !== "number" || typeof line.message !== "string") return undefined;
  return {
    id: line.id,
    level: typeof line.level === "string" ? line.level : "info",
    step: typeof line.step === "string" ? line.step : "",
    message: line.message,
    created_at: typeof line.created_at === "string" ? line.created_at : null,
  };
}

function asStatus(value: unknown): StreamStatus | undefined {
  const status = value as Partial<StreamStatus> | null | undefined;
  if (!status || typeof status.status !== "string") return undefined;
  return {
    status: status.status,
    status_message: typeof status.status_message === "string" ? status.status_message : null,
  };
}

/** Adds new lines in id order, keeping the newest MAX_LINES. */
function merge(
  current: readonly LogLine[],
  added: readonly LogLine[],
): { lines: LogLine[]; dropped: boolean } {
  const lines = [...current, ...added];
  const last = current.at(-1);
  if (last && added.some((line) => line.id < last.id)) lines.sort((a, b) => a.id - b.id);
  const dropped = lines.length > MAX_LINES;
  return { lines: dropped ? lines.slice(-MAX_LINES) : lines, dropped };
}

/** What the page has read of one app's stream, kept while the stream is paused. */
interface StreamMemory {
  readonly appId: string;
  readonly seen: Set<number>;
  lastId: number;
  lastStatusKey: string | undefined;
}

const freshMemory = (appId: string): StreamMemory => ({
  appId,
  seen: new Set(),
  lastId: 0,
  lastStatusKey: undefined,
});

/**
 * The live progress of an app: its log lines (deduplicated by id) and status from the server-sent
 * event stream GET /api/apps/{id}/events. The browser's EventSource sends the session cookie and,
 * on its own reconnects, Last-Event-ID, so the stream resumes where it broke. A change of status
 * makes the app (and its backups) read afresh. The stream closes on unmount, when the app is
 * deleted, while the tab has been hidden a while and while the session is renewed; it then opens
 * again after the last line it holds (`after_id`), without reading the log from the start.
 */
export function useAppEvents(appId: string, { enabled = true }: { enabled?: boolean } = {}): AppEvents {
  const queryClient = useQueryClient();
  const away = usePageAway(HIDDEN_GRACE_MS);
  const sessionEnded = useSession().state.status === "ended";
  const [state, setState] = useState<{ lines: readonly LogLine[]; truncated: boolean }>({
    lines: [],
    truncated: false,
  });
  const [status, setStatus] = useState<StreamStatus | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const memory = useRef<StreamMemory>(freshMemory(appId));

  // Another app (a clone just opened): start from an empty log.
  if (memory.current.appId !== appId) memory.current = freshMemory(appId);
  useEffect(() => {
    setState((current) =>
      current.lines.length === 0 && !current.truncated ? current : { lines: [], truncated: false },
    );
    setStatus(null);
  }, [appId]);

  const paused = away || sessionEnded;
  useEffect(() => {
    if (!enabled) {
      setConnection("connecting");
      return;
    }
    if (paused) {
      setConnection((current) => (current === "ended" ? current : "paused"));
      return;
    }
    const known = memory.current;
    if (known.lastStatusKey?.startsWith("deleted\u0000")) return;
    setConnection("connecting");

    let disposed = false;
    let pending: LogLine[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | undefined;

    // Lines come in bursts (a reconnect replays hundreds): one render per burst, not per line.
    const flush = () => {
      flushTimer = undefined;
      if (disposed || pending.length === 0) return;
      const added = pending;
      pending = [];
      setState((current) => {
        const { lines, dropped } = merge(current.lines, added);
        return { lines, truncated: current.truncated || dropped };
      });
    };
    const addLine = (line: LogLine) => {
      if (known.seen.has(line.id)) return;
      known.seen.add(line.id);
      // Bounded like the lines themselves: ids older than every kept line are forgotten (a
      // reconnect replays in id order, and merge drops lines that old anyway).
      if (known.seen.size > 2 * MAX_LINES) {
        for (const id of [...known.seen].sort((a, b) => a - b).slice(0, MAX_LINES)) known.seen.delete(id);
      }
      known.lastId = Math.max(known.lastId, line.id);
      pending.push(line);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    };

    const onStatus = (next: StreamStatus) => {
      setStatus(next);
      const key = `${next.status}\u0000${next.status_message ?? ""}`;
      const changed = key !== known.lastStatusKey;
      known.lastStatusKey = key;
      if (next.status === "deleted") {
        source?.close();
        flush();
        setConnection("ended");
        return;
      }
      if (!changed) return;
      // The first event repeats what the page just read; only a difference is worth a request.
      const app = queryClient.getQueryData<App>(appKeys.app(appId));
      if (app?.status === next.status && app.status_message === next.status_message) return;
      void queryClient.invalidateQueries({ queryKey: appKeys.app(appId), exact: true });
      void queryClient.invalidateQueries({ queryKey: appKeys.backups(appId) });
    };

    const poll = async () => {
      if (disposed) return;
      try {
        let after: number | undefined = known.lastId || undefined;
        for (;;) {
          const page = await unwrap(
            api.GET("/api/apps/{id}/logs", {
              params: { path: { id: appId }, query: { limit: POLL_PAGE, after_id: after } },
            }),
          );
          if (disposed) return;
          for (const line of page.items) addLine(line);
          if (page.next_after_id === undefined) break;
          after = page.next_after_id;
        }
      } catch {
        // The app query shows why (gone, signed out, service down); keep trying quietly.
      }
      if (!disposed) pollTimer = setTimeout(poll, POLL_MS);
    };
    const startPolling = () => {
      setConnection("polling");
      void poll();
    };

    if (typeof EventSource === "undefined") {
      startPolling();
    } else {
      const resumeAfter = known.lastId ? `?after_id=${known.lastId}` : "";
      const stream = new EventSource(`/api/apps/${encodeURIComponent(appId)}/events${resumeAfter}`);
      source = stream;
      stream.addEventListener("open", () => !disposed && setConnection("live"));
      stream.addEventListener("log", (event) => {
        const line = asLogLine(parseJson((event as MessageEvent).data));
        if (line && !disposed) addLine(line);
      });
      stream.addEventListener("status", (event) => {
        const next = asStatus(parseJson((event as MessageEvent).data));
        if (next && !disposed) onStatus(next);
      });
      stream.addEventListener("error", () => {
        if (disposed) return;
        if (stream.readyState === CLOSED) {
          // Refused for good (429, 404, signed out): EventSource will not retry; read the logs instead.
          stream.close();
          startPolling();
        } else {
          setConnection("reconnecting");
        }
      });
    }

    return () => {
      // Lines already received are kept (the next stream starts after them): shown before leaving.
      clearTimeout(flushTimer);
      flush();
      disposed = true;
      source?.close();
      clearTimeout(pollTimer);
    };
  }, [appId, enabled, paused, queryClient]);

  return { lines: state.lines, truncated: state.truncated, status, connection };
}
