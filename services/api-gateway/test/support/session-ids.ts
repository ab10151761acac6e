import { createHash } from "node:crypto";
import type { GatewayDb } from "../../src/db/database.js";
import type { Session } from "./http-client.js";

/** The cookie's secret (whatever the cookie's name: `__Host-` over HTTPS, plain in dev). */
export function sessionSecretOf(session: Pick<Session, "cookie">): string {
  const match = /(?:^|;\s*)(?:__Host-)?proximity_session=([^;]+)/.exec(session.cookie);
  if (!match) throw new Error("no session cookie");
  return match[1]!;
}

/** Makes session `id` look last used `minutesAgo` minutes ago (idle past a timeout, say). */
export async function setLastSeen(db: GatewayDb, id: string, minutesAgo: number): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: new Date(Date.now() - minutesAgo * 60_000) })
    .where("id", "=", id)
    .execute();
}

/** The public id of a logged-in session, read from the database by its secret's hash. */
export async function sessionIdOf(db: GatewayDb, session: Pick<Session, "cookie">): Promise<string> {
  const idHash = createHash("sha256").update(sessionSecretOf(session), "utf8").digest("hex");
  const row = await db
    .selectFrom("sessions")
    .select("id")
    .where("id_hash", "=", idHash)
    .executeTakeFirstOrThrow();
  return row.id;
}
