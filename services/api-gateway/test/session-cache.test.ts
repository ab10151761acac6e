import { notificationsOf } from "@proximity/db";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayDb } from "../src/db/database.js";
import { deleteDeadSessions } from "../src/db/session.repository.js";
import {
  ADMIN_PASSWORD,
  type Harness,
  startHarness,
  untilListeningForCredentialChanges,
} from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

let h: Harness;
let admin: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  await untilListeningForCredentialChanges(h);
});
afterAll(async () => {
  await h?.stop();
});

const me = (session: Session) => request(h.url, "GET", "/api/auth/me", { auth: session });
const endSessionsOf = (db: GatewayDb, userId: string) =>
  sql`delete from sessions where user_id = ${userId}`.execute(db);

/** Ends the user's sessions with triggers off: the database sends no notice of it. */
async function endSilently(userId: string): Promise<void> {
  await h.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await endSessionsOf(trx, userId);
  });
}

describe("session cache - resolved session cookies", () => {
  it("session cache - a resolved session is served from the replica's cache until the database notices a change", async () => {
    const alice = await createUserAndLogin(h.url, admin, "session-cached");
    expect((await me(alice)).status).toBe(200);
    await endSilently(alice.userId);
    // Not looked up again: the end made without a notice is not seen...
    expect((await me(alice)).status).toBe(200);
    // ...until a notice on the channel empties the cache.
    await sql`select pg_notify('gateway_credentials', '')`.execute(h.db);
    await eventually(async () => (await me(alice)).status === 401, { what: "the ended session refused" });
  });

  // What another replica's change looks like to this one: a committed statement, no request here.
  const changes: [string, (userId: string) => Promise<unknown>][] = [
    ["session ended (a logout elsewhere)", (user) => endSessionsOf(h.db, user)],
    [
      "session expired",
      (user) =>
        sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user}`.execute(
          h.db,
        ),
    ],
    [
      "account deactivated",
      (user) => sql`update users set is_active = false where id = ${user}`.execute(h.db),
    ],
    [
      "password changed elsewhere (credential epoch moved on)",
      (user) =>
        sql`update users set credential_epoch = credential_epoch + 1 where id = ${user}`.execute(h.db),
    ],
    ["sessions truncated", () => sql`truncate sessions`.execute(h.db)],
  ];
  it.each(changes)("session cache - a change made elsewhere is heard at once: %s", async (name, change) => {
    const user = await createUserAndLogin(h.url, admin, `session-${name.replace(/\W+/g, "-").slice(0, 40)}`);
    expect((await me(user)).status).toBe(200);
    await change(user.userId);
    await eventually(async () => (await me(user)).status === 401, {
      timeoutMs: 2_000,
      what: `${name} heard`,
    });
    if (name === "sessions truncated") admin = await login(h.url, "admin", ADMIN_PASSWORD);
  });

  it("session cache - a logout answered by this replica refuses the cookie on the very next request", async () => {
    const bob = await createUserAndLogin(h.url, admin, "session-logout-here");
    expect((await me(bob)).status).toBe(200);
    expect((await request(h.url, "POST", "/api/auth/logout", { auth: bob })).status).toBeLessThan(300);
    expect((await me(bob)).status).toBe(401);
  });

  it("session cache - ending one's other sessions here refuses them on their very next request", async () => {
    const first = await createUserAndLogin(h.url, admin, "session-others");
    const second = await login(h.url, "session-others", "a-long-enough-password-123");
    expect((await me(first)).status).toBe(200);
    const ended = await request(h.url, "DELETE", "/api/auth/sessions", { auth: second });
    expect(ended.status).toBeLessThan(300);
    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(200);
  });

  it("session cache - the database notices an end or a change of a session, never a recorded use", async () => {
    const carol = await createUserAndLogin(h.url, admin, "session-notices");
    let notices = 0;
    let listening = false;
    const stop = notificationsOf(h.db)!.listen(
      "gateway_credentials",
      () => notices++,
      (l) => {
        listening = l;
      },
    );
    try {
      await eventually(async () => listening, { what: "the test listening" });
      await sql`update sessions set last_seen_at = now() where user_id = ${carol.userId}`.execute(h.db);
      await sql`delete from sessions where user_id = ${carol.userId} and false`.execute(h.db);
      // Notices arrive in commit order: one from the statements above would come before this one's.
      await sql`update sessions set csrf_hash = csrf_hash where user_id = ${carol.userId}`.execute(h.db);
      await eventually(async () => notices > 0, { what: "the notice of a changed session" });
      await new Promise((r) => setTimeout(r, 200));
      expect(notices).toBe(1);
    } finally {
      await stop();
    }
  });
});

describe("dead sessions", () => {
  it("dead sessions - a login leaves them (no notice per login); the pruner deletes those expired or idle, in batches, and no live one", async () => {
    const dave = await createUserAndLogin(h.url, admin, "dead-sessions");
    await login(h.url, "dead-sessions", "a-long-enough-password-123");
    await login(h.url, "dead-sessions", "a-long-enough-password-123");
    await sql`update sessions set expires_at = now() - interval '1 second'
      where id = (select id from sessions where user_id = ${dave.userId} order by created_at limit 1)`.execute(
      h.db,
    );
    await sql`update sessions set last_seen_at = now() - interval '2 hours'
      where id = (select id from sessions where user_id = ${dave.userId} order by created_at desc limit 1)`.execute(
      h.db,
    );
    const count = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from sessions where user_id = ${dave.userId}`.execute(h.db)
      ).rows[0]!.n;
    const live = await login(h.url, "dead-sessions", "a-long-enough-password-123");
    expect(await count()).toBe(4);
    const idleCutoff = new Date(Date.now() - 30 * 60_000);
    expect(await deleteDeadSessions(h.db, idleCutoff, 1)).toBe(1);
    expect(await deleteDeadSessions(h.db, idleCutoff, 100)).toBeGreaterThanOrEqual(1);
    expect(await count()).toBe(2);
    expect((await me(live)).status).toBe(200);
  });
});
