import { useLayoutEffect, useRef, useState } from "react";
import type { LogLine } from "../../api/types";
import { readableLogMessage } from "../../lib/log-message";
import type { Connection } from "./useAppEvents";
import { MAX_LINES } from "./useAppEvents";

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  polling: "Live updates unavailable: refreshing every few seconds",
  paused: "Paused while this tab is in the background",
  ended: "Stream ended",
};

/** Whether the stream is live, in words (the dot beside it only helps). */
export function ConnectionIndicator({ connection }: { readonly connection: Connection }) {
  return (
    <p className={`live-indicator live-${connection}`} role="status">
      <span className="live-dot" aria-hidden="true" />
      {CONNECTION_TEXT[connection]}
    </p>
  );
}

function timeOf(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString();
}

/** Within this many pixels of the end counts as "at the bottom" (rounding, sub-pixel scrolling). */
const BOTTOM_SLACK = 24;

interface LogPanelProps {
  readonly lines: readonly LogLine[];
  readonly truncated: boolean;
  readonly connection: Connection;
}

/**
 * The app's log, following new lines as they arrive unless the reader scrolled up to read an
 * earlier one; "Jump to the latest line" brings them back.
 */
export function LogPanel({ lines, truncated, connection }: LogPanelProps) {
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  // After each change of the lines: follow them down unless the reader scrolled up.
  useLayoutEffect(() => {
    const element = box.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  }, [lines]);

  const onScroll = () => {
    const element = box.current;
    if (!element) return;
    const bottom = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
    following.current = bottom;
    setAtBottom(bottom);
  };

  const jumpToLatest = () => {
    const element = box.current;
    if (!element) return;
    following.current = true;
    setAtBottom(true);
    element.scrollTop = element.scrollHeight;
  };

  return (
    <section className="panel" aria-labelledby="activity-title">
      <div className="section-header">
        <h2 id="activity-title">Activity</h2>
        <ConnectionIndicator connection={connection} />
      </div>
      {truncated ? <p className="muted">Showing the latest {MAX_LINES} lines.</p> : null}
      <div
        ref={box}
        className="log"
        role="log"
        aria-live="polite"
        aria-labelledby="activity-title"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
        tabIndex={0}
        onScroll={onScroll}
      >
        {lines.length === 0 ? (
          <p className="log-empty">
            No activity yet. Progress of deployments and other operations shows here.
          </p>
        ) : (
          lines.map((line) => (
            <div key={line.id} className={line.level === "error" ? "log-line log-line-error" : "log-line"}>
              <span className="log-time">{timeOf(line.created_at)}</span>{" "}
              <span className="log-level">{line.level.toUpperCase()}</span>{" "}
              {line.step ? <span className="log-step">[{line.step}]</span> : null}{" "}
              {readableLogMessage(line.message)}
            </div>
          ))
        )}
      </div>
      {atBottom ? null : (
        <button type="button" className="button button-quiet" onClick={jumpToLatest}>
          Jump to the latest line
        </button>
      )}
    </section>
  );
}
