import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";
import { sessionIdOf, setLastSeen } from "./support/session-ids.js";

let h: Harness;
let admin: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
});
afterAll(async () => {
  await h?.stop();
});

const OLD = "the-old-pass-phrase";
const NEW = "a-brand-new-pass-phrase";

const me = (auth: { cookie?: string; bearer?: string }) => request(h.url, "GET", "/api/auth/me", { auth });
const loginStatus = async (username: string, password: string) =>
  (await request(h.url, "POST", "/api/auth/login", { body: { username, password } })).status;

/** A user with two sessions and an API token. */
async function userWithCredentials(username: string) {
  const current = await createUserAndLogin(h.url, admin, username, { password: OLD });
  const other = await login(h.url, username, OLD);
  const token = await issueToken(h.url, current, { name: "ci" });
  return { current, other, token };
}

describe("password - self-service change (POST /api/auth/password)", () => {
  it("password - the sessions a change reports ended are the live ones: one that died but is not pruned yet goes uncounted", async () => {
    const { current, other } = await userWithCredentials("pw-dead");
    const idle = await login(h.url, "pw-dead", OLD);
    const idleId = await sessionIdOf(h.db, idle);
    await setLastSeen(h.db, idleId, 31);
    const res = await request(h.url, "POST", "/api/auth/password", {
      auth: current,
      body: { current_password: OLD, new_password: NEW },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessions_ended: 1, tokens_revoked: 1 });
    expect((await me(other)).status).toBe(401);
    expect(await h.db.selectFrom("sessions").where("id", "=", idleId).execute()).toEqual([]);
  });

  it("password - a user changes their own password: this session stays, other sessions and every token end", async () => {
    const { current, other, token } = await userWithCredentials("pw-self");
    const res = await request(h.url, "POST", "/api/auth/password", {
      auth: current,
      body: { current_password: OLD, new_password: NEW },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessions_ended: 1, tokens_revoked: 1 });
    expect((await me(current)).status).toBe(200);
    expect((await me(other)).status).toBe(401);
    expect((await me({ bearer: token })).status).toBe(401);
    expect(await loginStatus("pw-self", OLD)).toBe(401);
    expect(await loginStatus("pw-self", NEW)).toBe(200);
  });

  it("password - a wrong current password is 400 at current_password and changes nothing", async () => {
    const { current, other, token } = await userWithCredentials("pw-wrong");
    const res = await request(h.url, "POST", "/api/auth/password", {
      auth: current,
      body: { current_password: "not-the-password", new_password: NEW },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "current_password", message: "is not correct" }]);
    expect((await me(other)).status).toBe(200);
    expect((await me({ bearer: token })).status).toBe(200);
    expect(await loginStatus("pw-wrong", OLD)).toBe(200);
  });

  it("password - the password policy applies to the new password (400 at new_password)", async () => {
    const { current } = await userWithCredentials("pw-policy");
    for (const [newPassword, message] of [
      ["short", "must be at least 12 characters"],
      ["my-pw-policy-password", "must not contain the username"],
    ]) {
      const res = await request(h.url, "POST", "/api/auth/password", {
        auth: current,
        body: { current_password: OLD, new_password: newPassword },
      });
      expect({ status: res.status, errors: res.body.errors }).toEqual({
        status: 400,
        errors: [{ field: "new_password", message }],
      });
    }
    const unknown = await request(h.url, "POST", "/api/auth/password", {
      auth: current,
      body: { current_password: OLD, new_password: NEW, password: NEW },
    });
    expect(unknown.status).toBe(400);
    expect(await loginStatus("pw-policy", OLD)).toBe(200);
  });

  it("password - an API token cannot change the password (403), even with the right current one", async () => {
    const { token } = await userWithCredentials("pw-token");
    const res = await request(h.url, "POST", "/api/auth/password", {
      auth: { bearer: token },
      body: { current_password: OLD, new_password: NEW },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "This needs a signed-in session; API tokens cannot do it" });
    expect(await loginStatus("pw-token", OLD)).toBe(200);
  });

  it("password - five wrong current passwords in the window answer 429 with Retry-After, even for the right one", async () => {
    const { current } = await userWithCredentials("pw-guess");
    const guesses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        request(h.url, "POST", "/api/auth/password", {
          auth: current,
          body: { current_password: `guess-number-${i}`, new_password: NEW },
        }),
      ),
    );
    // Counted one after the other under the user's lock: never more than five verified.
    expect(guesses.map((g) => g.status).sort()).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    const right = await request(h.url, "POST", "/api/auth/password", {
      auth: current,
      body: { current_password: OLD, new_password: NEW },
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await loginStatus("pw-guess", OLD)).toBe(200);
    const failures = await h.db
      .selectFrom("auth_events")
      .select("type")
      .where("user_id", "=", current.userId)
      .where("type", "=", "password_check_failed")
      .execute();
    expect(failures).toHaveLength(5);
  });
});

describe("password - changed by an admin (PATCH /api/users/{id})", () => {
  it("password - an admin's reset audits the live sessions it ended; with a deactivation, the reset's count still holds", async () => {
    const endedAudited = async (userId: string) =>
      (
        await h.db
          .selectFrom("auth_events")
          .select("details")
          .where("type", "=", "password_changed")
          .where("user_id", "=", userId)
          .execute()
      ).map((e) => e.details.sessions_ended);
    const reset = await userWithCredentials("pw-reset-dead");
    const idle = await login(h.url, "pw-reset-dead", OLD);
    await setLastSeen(h.db, await sessionIdOf(h.db, idle), 31);
    const res = await request(h.url, "PATCH", `/api/users/${reset.current.userId}`, {
      auth: admin,
      body: { password: NEW },
    });
    expect(res.status).toBe(200);
    expect(await endedAudited(reset.current.userId)).toEqual([2]);

    const both = await userWithCredentials("pw-reset-deactivate");
    const deactivated = await request(h.url, "PATCH", `/api/users/${both.current.userId}`, {
      auth: admin,
      body: { password: NEW, is_active: false },
    });
    expect(deactivated.status).toBe(200);
    expect(await endedAudited(both.current.userId)).toEqual([2]);
    for (const auth of [both.current, both.other]) expect((await me(auth)).status).toBe(401);
  });

  it("password - an admin setting another user's password ends all their sessions and revokes all their tokens", async () => {
    const { current, other, token } = await userWithCredentials("pw-reset");
    const res = await request(h.url, "PATCH", `/api/users/${current.userId}`, {
      auth: admin,
      body: { password: NEW },
    });
    expect(res.status).toBe(200);
    for (const auth of [current, other, { bearer: token }]) expect((await me(auth)).status).toBe(401);
    expect(await loginStatus("pw-reset", NEW)).toBe(200);
    expect((await me(admin)).status).toBe(200);
  });

  it("password - an admin changing their own password here must give the current one; their session stays", async () => {
    const first = await createUserAndLogin(h.url, admin, "pw-admin", { isAdmin: true, password: OLD });
    const second = await login(h.url, "pw-admin", OLD);
    const token = await issueToken(h.url, first, { name: "admin-ci", scopes: ["read", "write", "admin"] });
    const path = `/api/users/${first.userId}`;
    const missing = await request(h.url, "PATCH", path, { auth: first, body: { password: NEW } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: "current_password", message: "is required to change your own password" },
    ]);
    const wrong = await request(h.url, "PATCH", path, {
      auth: first,
      body: { password: NEW, current_password: "not-the-password" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ field: "current_password", message: "is not correct" }]);
    const byToken = await request(h.url, "PATCH", path, {
      auth: { bearer: token },
      body: { password: NEW, current_password: OLD },
    });
    expect(byToken.status).toBe(403);
    expect(await loginStatus("pw-admin", OLD)).toBe(200);

    const ok = await request(h.url, "PATCH", path, {
      auth: first,
      body: { password: NEW, current_password: OLD },
    });
    expect(ok.status).toBe(200);
    expect((await me(first)).status).toBe(200);
    expect((await me(second)).status).toBe(401);
    expect((await me({ bearer: token })).status).toBe(401);
    expect(await loginStatus("pw-admin", NEW)).toBe(200);
  });

  it("password - current_password without password is refused", async () => {
    const res = await request(h.url, "PATCH", `/api/users/${admin.userId}`, {
      auth: admin,
      body: { current_password: ADMIN_PASSWORD, is_admin: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: "current_password", message: "is only taken together with password" },
    ]);
  });
});
