import { insertAuthEvents } from "../db/auth-event.repository.js";
import type { GatewayDb } from "../db/database.js";
import type { Principal } from "./principal.js";

/** What the authentication event log records. */
export type AuthEventType =
  | "login_succeeded"
  | "login_failed"
  | "login_throttled"
  | "logout"
  | "session_ended"
  | "password_changed"
  | "password_check_failed"
  | "token_created"
  | "token_revoked";

/** Where the request behind an event came from. */
export interface RequestOrigin {
  readonly clientAddress: string;
  readonly requestId: string;
}

export interface AuthEvent {
  readonly type: AuthEventType;
  /** The account concerned. */
  readonly userId?: string | null;
  /** The account name (as typed, for logins). */
  readonly username?: string | null;
  /** Who acted, with the session or token used; none for logins. */
  readonly actor?: Principal | null;
  /** The session or token the event is about. */
  readonly subjectId?: string | null;
  /** Counts, reasons, names: never a secret. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Appends events to the log, in the caller's transaction when given one. */
export async function recordAuthEvents(
  db: GatewayDb,
  origin: RequestOrigin,
  events: readonly AuthEvent[],
): Promise<void> {
  await insertAuthEvents(
    db,
    events.map((e) => ({
      type: e.type,
      userId: e.userId ?? null,
      username: e.username ?? null,
      actorUserId: e.actor?.user.id ?? null,
      actorSessionId: e.actor?.session?.id ?? null,
      actorTokenId: e.actor?.token?.id ?? null,
      subjectId: e.subjectId ?? null,
      clientAddress: origin.clientAddress,
      requestId: origin.requestId,
      details: e.details ?? {},
    })),
  );
}
