import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { login, request } from "./support/http-client.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("auth - login", () => {
  it("auth - login sets an HttpOnly Secure SameSite=Strict __Host- session cookie and a readable __Host- CSRF cookie", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    // __Host-: browsers keep them only Secure, Path=/ and without Domain (no cookie tossing).
    expect(session.setCookies.map((c) => c.split("=")[0]).sort()).toEqual([
      "__Host-proximity_csrf",
      "__Host-proximity_session",
    ]);
    const sessionCookie = session.setCookies.find((c) => c.startsWith("__Host-proximity_session="))!;
    const csrfCookie = session.setCookies.find((c) => c.startsWith("__Host-proximity_csrf="))!;
    for (const cookie of [sessionCookie, csrfCookie]) expect(cookie).not.toMatch(/Domain=/i);
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; Secure/);
    expect(sessionCookie).toMatch(/; SameSite=Strict/);
    expect(sessionCookie).toMatch(/; Path=\//);
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/; Secure/);
    expect(csrfCookie).toMatch(/; Path=\//);
    expect(csrfCookie).toContain(`__Host-proximity_csrf=${session.csrf}`);
  });

  it("auth - stores only hashes of the session id and CSRF token", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const sessionId = /proximity_session=([^;]+)/.exec(session.cookie)![1]!;
    const rows = await h.db.selectFrom("sessions").select(["id_hash", "csrf_hash"]).execute();
    const stored = rows.flatMap((r) => [r.id_hash, r.csrf_hash]);
    expect(stored).not.toContain(sessionId);
    expect(stored).not.toContain(session.csrf);
    expect(stored.every((v) => /^[0-9a-f]{64}$/.test(v))).toBe(true);
  });

  it("auth - usernames match case-insensitively", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "ADMIN", password: ADMIN_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: "admin", is_admin: true });
    expect(res.body.user).not.toHaveProperty("password_hash");
  });

  it("auth - wrong password and unknown user get the same 401 body", async () => {
    const wrong = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "admin", password: "nope-nope-nope" },
    });
    const unknown = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "nobody-here", password: "nope-nope-nope" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ detail: "Invalid username or password" });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("auth - bad input is 400 with the field list", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", { body: { username: "" } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("Invalid request");
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["password", "username"]);
  });
});

describe("auth - sessions and CSRF", () => {
  it("auth - me answers the signed-in user and anonymous gets 401", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const me = await request(h.url, "GET", "/api/auth/me", { auth: session });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe("admin");
    const anonymous = await request(h.url, "GET", "/api/auth/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: "Not authenticated" });
  });

  it("auth - POST with the session cookie but without or with a wrong CSRF token is 403 and forwards nothing", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    h.fakes.reset();
    const body = { catalog_id: "nginx", hostname: "web-1" };
    const missing = await request(h.url, "POST", "/api/apps", { auth: { cookie: session.cookie }, body });
    const wrong = await request(h.url, "POST", "/api/apps", {
      auth: { cookie: session.cookie, csrf: "x".repeat(43) },
      body,
    });
    for (const res of [missing, wrong]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: "CSRF token missing or invalid" });
    }
    expect(h.fakes.calls).toHaveLength(0);
    const ok = await request(h.url, "POST", "/api/apps", { auth: session, body });
    expect(ok.status).toBe(202);
  });

  it("auth - one session's CSRF token does not work with another session", async () => {
    const first = await login(h.url, "admin", ADMIN_PASSWORD);
    const second = await login(h.url, "admin", ADMIN_PASSWORD);
    const res = await request(h.url, "POST", "/api/catalog/reload", {
      auth: { cookie: first.cookie, csrf: second.csrf },
    });
    expect(res.status).toBe(403);
  });

  it("auth - logout ends the session and clears the cookies", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const out = await request(h.url, "POST", "/api/auth/logout", { auth: session });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join("\n")).toMatch(
      /__Host-proximity_session=;.*Expires=Thu, 01 Jan 1970/,
    );
    const after = await request(h.url, "GET", "/api/auth/me", { auth: session });
    expect(after.status).toBe(401);
  });

  it("auth - an expired session is refused", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    await h.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const res = await request(h.url, "GET", "/api/auth/me", { auth: session });
    expect(res.status).toBe(401);
  });

  it("auth - an idle session is refused", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    await h.db
      .updateTable("sessions")
      .set({ last_seen_at: new Date(Date.now() - 3 * 3_600_000) })
      .execute();
    const res = await request(h.url, "GET", "/api/auth/me", { auth: session });
    expect(res.status).toBe(401);
  });

  it("auth - unsafe requests leave an audit row with route pattern and status, never bodies", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const res = await request(h.url, "POST", "/api/catalog/reload", {
      auth: session,
      headers: { "x-request-id": "audit-check-1" },
    });
    expect(res.status).toBe(200);
    // The row is written after the response is sent.
    const row = await eventually(() =>
      h.db
        .selectFrom("request_audit")
        .selectAll()
        .where("request_id", "=", "audit-check-1")
        .executeTakeFirst(),
    );
    expect(row).toMatchObject({
      user_id: session.userId,
      method: "POST",
      route: "/api/catalog/reload",
      status: 200,
    });
  });
});
