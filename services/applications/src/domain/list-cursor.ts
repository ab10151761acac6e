/**
 * The keyset cursor of the app list: the position (created_at, id) of the last app of a page, in
 * the list's order (newest first, then id descending). It is opaque to clients (base64url) and
 * only a position: which apps a viewer sees is decided by the query from the viewer, never from
 * the cursor, so a forged or another user's cursor can at most start the viewer's own list
 * elsewhere. Decoding is strict (version, exact timestamp and uuid shapes, bounded length): a
 * cursor that is not one we made is refused rather than guessed at.
 */

/** A position in the list. `createdAt` keeps PostgreSQL's microseconds (a JS Date would lose them). */
export interface ListPosition {
  /** UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  readonly createdAt: string;
  readonly id: string;
}

const VERSION = "1";
const MAX_CURSOR_LENGTH = 128;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeListCursor(position: ListPosition): string {
  return Buffer.from(`${VERSION}|${position.createdAt}|${position.id}`, "utf8").toString("base64url");
}

/** The position a cursor names; null when it is not a cursor of this list. */
export function decodeListCursor(cursor: string): ListPosition | null {
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return null;
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (parts.length !== 3) return null;
  const [version, createdAt, id] = parts as [string, string, string];
  if (version !== VERSION || !TIMESTAMP.test(createdAt) || !UUID.test(id)) return null;
  // A real instant only: JavaScript accepts 2024-02-31 or 24:00:00 (PostgreSQL refuses them), so
  // the date must print back to the same seconds; year 0 is not one PostgreSQL knows either.
  const parsed = new Date(createdAt);
  if (Number.isNaN(parsed.getTime()) || parsed.getUTCFullYear() < 1) return null;
  if (parsed.toISOString().slice(0, 19) !== createdAt.slice(0, 19)) return null;
  return { createdAt, id };
}
