import { useState } from "react";
import type { App } from "../../api/types";

/** What of an app a note depends on: which app, its status, the operation on it, its last change. */
export type AppMoment = Pick<App, "id" | "status" | "current_operation" | "updated_at">;

interface Note {
  readonly text: string;
  /** The app as it was when the note was said, or as its requested operation last showed it. */
  readonly at: AppMoment;
  readonly operation: string | null;
}

const sameMoment = (a: AppMoment, b: AppMoment) =>
  a.id === b.id &&
  a.status === b.status &&
  a.current_operation === b.current_operation &&
  a.updated_at === b.updated_at;

/**
 * True when `app` was read before `at`: the action's answer can reach the note before the page's
 * copy of the app (the cache tells its readers a moment later), and a read started before the
 * action can answer after it. Neither is the app moving on.
 */
function readBefore(app: AppMoment, at: AppMoment): boolean {
  if (app.id !== at.id || app.updated_at === null || at.updated_at === null) return false;
  return Date.parse(app.updated_at) < Date.parse(at.updated_at);
}

/** What becomes of `note` now that the app is `app`: kept, carried on with its operation, or gone. */
function follow(note: Note, app: AppMoment): Note | null {
  if (sameMoment(note.at, app) || readBefore(app, note.at)) return note;
  if (app.id === note.at.id && note.operation !== null && app.current_operation === note.operation)
    return { ...note, at: app };
  return null;
}

export interface ActionNote {
  /** The note to show now; "" when there is none. */
  readonly text: string;
  /**
   * Says `text` ("Stop requested.") about the app as `at` shows it (the action's answer, else the
   * app as shown now); it lasts while the app stays so or while `operation` runs on it.
   */
  say(text: string, operation: string | null, at?: AppMoment): void;
  clear(): void;
}

/**
 * A note about an action the person asked for. It belongs to the app as it was then: it stays while
 * the app is unchanged or while the operation it asked for runs (the status line shows that
 * progress), and goes for good once the app has moved on — the operation settled, another one
 * started, or the app changed otherwise — so a "Stop requested." never outlives the stop.
 */
export function useActionNote(app: AppMoment): ActionNote {
  const [note, setNote] = useState<Note | null>(null);
  const current = note && follow(note, app);
  // React's pattern for state that follows a prop: adjusted while rendering, without an effect
  // (and without a frame showing the stale note).
  if (current !== note) setNote(current);
  return {
    text: current?.text ?? "",
    say: (text, operation, at = app) => setNote({ text, operation, at }),
    clear: () => setNote(null),
  };
}
