import { UnauthenticatedError } from "@proximity/errors";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateRequest } from "../src/app/authenticate-request.js";
import { issueApiToken } from "../src/app/issue-api-token.js";
import { login as loginUseCase } from "../src/app/login.js";
import type { Principal } from "../src/app/principal.js";
import { createSessionStore, type SessionStore } from "../src/app/session-store.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";
import { sessionSecretOf } from "./support/session-ids.js";

/**
 * Credentials in flight across a password change (or their own ending): a login that verified the
 * old password, or a token requested with a session or token that has since ended, must not leave
 * a credential behind. The use-cases run here in the test process on the gateway's database, so a
 * login can be held between its password check and its session insert.
 */
let h: Harness;
let admin: Session;
let sessions: SessionStore;

const OLD = "the-old-pass-phrase";
const NEW = "a-brand-new-pass-phrase";
const ORIGIN = { clientAddress: "203.0.113.90", requestId: "credential-epoch-test" };
const POLICY = { defaultDays: 90, maxDays: 365, maxLivePerUser: 50 };

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  sessions = createSessionStore(h.db, { ttlMs: 3_600_000, idleMs: 30 * 60_000 });
});
afterAll(async () => {
  await h?.stop();
});

const changePassword = (session: Session) =>
  request(h.url, "POST", "/api/auth/password", {
    auth: session,
    body: { current_password: OLD, new_password: NEW },
  });

/** The principal a request with this session would have had, resolved now. */
async function principalOfSession(session: Session): Promise<Principal> {
  const principal = await authenticateRequest(h.db, sessions, { sessionId: sessionSecretOf(session) });
  if (!principal) throw new Error("the session does not authenticate");
  return principal;
}

const sessionsOf = (userId: string) =>
  h.db.selectFrom("sessions").select(["id", "credential_epoch"]).where("user_id", "=", userId).execute();
const liveTokensOf = (userId: string) =>
  h.db
    .selectFrom("api_tokens")
    .select(["id", "credential_epoch"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();
const epochOf = async (userId: string) =>
  (
    await h.db
      .selectFrom("users")
      .select("credential_epoch")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow()
  ).credential_epoch;

const issue = (principal: Principal) =>
  issueApiToken(h.db, principal, { name: "in-flight", scopes: ["read"], expiresAt: null }, POLICY, ORIGIN);

describe("credential epoch - logins in flight", () => {
  it("credential epoch - a login that checked the old password before the change committed gets no session", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-login", { password: OLD });
    let reached!: () => void;
    const atInsert = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The session store as login() uses it, held between the password check and the insert.
    const held: SessionStore = {
      ...sessions,
      start: async (sessionUser, origin) => {
        reached();
        await released;
        return sessions.start(sessionUser, origin);
      },
    };
    const inFlight = loginUseCase(h.db, held, {
      username: "epoch-login",
      password: OLD,
      clientAddress: ORIGIN.clientAddress,
    }).then(
      () => "signed in",
      (err: unknown) => (err instanceof UnauthenticatedError ? "refused" : err),
    );
    await atInsert;
    expect((await changePassword(user)).status).toBe(200);
    release();
    expect(await inFlight).toBe("refused");
    // Only the session that changed the password is left, under the new epoch.
    expect(await sessionsOf(user.userId)).toEqual([expect.objectContaining({ credential_epoch: 1 })]);
    expect(await epochOf(user.userId)).toBe(1);
  });

  it("credential epoch - many logins with the old password racing a change leave no session of the old epoch", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-race", { password: OLD });
    const attempts = Array.from({ length: 6 }, () =>
      request(h.url, "POST", "/api/auth/login", { body: { username: "epoch-race", password: OLD } }),
    );
    const change = changePassword(user);
    const results = await Promise.all([...attempts, change]);
    expect(results.at(-1)!.status).toBe(200);
    // Signed in before the change (its session then ended), refused after it, or throttled.
    expect(results.filter((r) => ![200, 401, 429].includes(r.status))).toEqual([]);
    const epoch = await epochOf(user.userId);
    expect(epoch).toBe(1);
    const stale = (await sessionsOf(user.userId)).filter((s) => s.credential_epoch !== epoch);
    expect(stale).toEqual([]);
  });

  it("credential epoch - the database refuses a session or token that names an old epoch", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-db", { password: OLD });
    expect((await changePassword(user)).status).toBe(200);
    const insertSession = sql`insert into sessions (id_hash, user_id, csrf_hash, expires_at, credential_epoch)
      values ('stale-session', ${user.userId}, 'c', now() + interval '1 hour', 0)`.execute(h.db);
    await expect(insertSession).rejects.toMatchObject({
      code: "23514",
      constraint: "credential_epoch_current",
    });
    const insertToken =
      sql`insert into api_tokens (id, user_id, name, scopes, secret_hash, expires_at, credential_epoch)
      values (gen_random_uuid(), ${user.userId}, 'stale', '{read}', 'h', now() + interval '1 day', 0)`.execute(
        h.db,
      );
    await expect(insertToken).rejects.toMatchObject({
      code: "23514",
      constraint: "credential_epoch_current",
    });
  });
});

describe("credential epoch - token issues in flight", () => {
  it("credential epoch - a token requested by a session that ended meanwhile is refused (401) and not made", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-logout", { password: OLD });
    const principal = await principalOfSession(user);
    expect((await request(h.url, "POST", "/api/auth/logout", { auth: user })).status).toBe(204);
    await expect(issue(principal)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await liveTokensOf(user.userId)).toEqual([]);
  });

  it("credential epoch - a token requested before a password change is refused even by the session that made the change", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-kept", { password: OLD });
    const before = await principalOfSession(user);
    expect((await changePassword(user)).status).toBe(200);
    await expect(issue(before)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await liveTokensOf(user.userId)).toEqual([]);
    // The same session, authenticated after the change, may.
    const after = await principalOfSession(user);
    expect(after.credentialEpoch).toBe(1);
    await expect(issue(after)).resolves.toMatchObject({ row: { credential_epoch: 1 } });
  });

  it("credential epoch - a token requested with a token revoked meanwhile is refused and not made", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-revoked", { password: OLD });
    const parent = await issueToken(h.url, user, { name: "parent", scopes: ["read", "write"] });
    const principal = await authenticateRequest(h.db, sessions, { bearer: parent });
    const parentId = parent.split("_")[1]!;
    expect((await request(h.url, "DELETE", `/api/auth/tokens/${parentId}`, { auth: user })).status).toBe(204);
    await expect(issue(principal!)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await liveTokensOf(user.userId)).toEqual([]);
  });

  it("credential epoch - an admin's password reset refuses the tokens its user's old credentials were still asking for", async () => {
    const user = await createUserAndLogin(h.url, admin, "epoch-reset", { password: OLD });
    const token = await issueToken(h.url, user, { name: "ci", scopes: ["read", "write"] });
    const principal = await authenticateRequest(h.db, sessions, { bearer: token });
    const reset = await request(h.url, "PATCH", `/api/users/${user.userId}`, {
      auth: admin,
      body: { password: NEW },
    });
    expect(reset.status).toBe(200);
    await expect(issue(principal!)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await liveTokensOf(user.userId)).toEqual([]);
    expect(await sessionsOf(user.userId)).toEqual([]);
  });
});
