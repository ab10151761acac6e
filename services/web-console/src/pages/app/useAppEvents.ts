import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App, AppStatus, LogLine } from "../../api/types";
import { appKeys } from "./app-queries";

/** The app's status as the stream reports it; `deleted` ends the stream. */
export interface StreamStatus {
  readonly status: AppStatus | "deleted";
  readonly status_message: string | null;
}

/**
 * connecting → live; reconnecting while EventSource retries by itself; polling when no stream can
 * be had (refused, e.g. too many open streams, or no EventSource): the logs are then read with
 * GET /logs every few seconds; ended once the app was deleted.
 */
export type Connection = "connecting" | "live" | "reconnecting" | "polling" | "ended";

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

/**
 * The live progress of an app: its log lines (deduplicated by id) and status from the server-sent
 * event stream GET /api/apps/{id}/events. The browser's EventSource sends the session cookie and,
 * on reconnect, Last-Event-ID, so the stream resumes where it broke. A change of status makes the
 * app (and its backups) read afresh. The stream closes on unmount and when the app is deleted.
 */
export function useAppEvents(appId: string, { enabled = true }: { enabled?: boolean } = {}): AppEvents {
  const queryClient = useQueryClient();
  const [state, setState] = useState<{ lines: readonly LogLine[]; truncated: boolean }>({
    lines: [],
    truncated: false,
  });
  const [status, setStatus] = useState<StreamStatus | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");

  useEffect(() => {
    // Another app (a clone just opened): start from an empty log.
    setState((current) =>
      current.lines.length === 0 && !current.truncated ? current : { lines: [], truncated: false },
    );
    setStatus(null);
    setConnection("connecting");
    if (!enabled) return;

    let disposed = false;
    const seen = new Set<number>();
    let lastId = 0;
    let pending: LogLine[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let lastStatusKey: string | undefined;
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
      if (seen.has(line.id)) return;
      seen.add(line.id);
      // Bounded like the lines themselves: ids older than every kept line are forgotten (a
      // reconnect replays in id order, and merge drops lines that old anyway).
      if (seen.size > 2 * MAX_LINES) {
        for (const id of [...seen].sort((a, b) => a - b).slice(0, MAX_LINES)) seen.delete(id);
      }
      lastId = Math.max(lastId, line.id);
      pending.push(line);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    };

    const onStatus = (next: StreamStatus) => {
      setStatus(next);
      if (next.status === "deleted") {
        source?.close();
        flush();
        setConnection("ended");
        return;
      }
      const key = `${next.status}\u0000${next.status_message ?? ""}`;
      if (key === lastStatusKey) return;
      lastStatusKey = key;
      // The first event repeats what the page just read; only a difference is worth a request.
      const known = queryClient.getQueryData<App>(appKeys.app(appId));
      if (known?.status === next.status && known.status_message === next.status_message) return;
      void queryClient.invalidateQueries({ queryKey: appKeys.app(appId), exact: true });
      void queryClient.invalidateQueries({ queryKey: appKeys.backups(appId) });
    };

    const poll = async () => {
      if (disposed) return;
      try {
        let after: number | undefined = lastId || undefined;
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
      const stream = new EventSource(`/api/apps/${encodeURIComponent(appId)}/events`);
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
      disposed = true;
      source?.close();
      clearTimeout(flushTimer);
      clearTimeout(pollTimer);
    };
  }, [appId, enabled, queryClient]);

  return { lines: state.lines, truncated: state.truncated, status, connection };
}
