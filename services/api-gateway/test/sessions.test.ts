import { ConfigError } from "@proximity/config";
import { applicationsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.js";
import { touchSession } from "../src/db/session.repository.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import {
  type Auth,
  createUserAndLogin,
  issueToken,
  login,
  request,
  type Session,
} from "./support/http-client.js";
import { sessionIdOf, sessionSecretOf, setLastSeen as setSessionLastSeen } from "./support/session-ids.js";
import { openSse } from "./support/sse-client.js";

let h: Harness;
let admin: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
});
afterAll(async () => {
  await h?.stop();
});

const PASSWORD = "a-long-enough-password-123";
const me = (auth: Auth) => request(h.url, "GET", "/api/auth/me", { auth });
const setLastSeen = (id: string, minutesAgo: number) => setSessionLastSeen(h.db, id, minutesAgo);

describe("sessions - idle timeout", () => {
  it("sessions - the idle timeout is 30 minutes by default", async () => {
    const config = loadGatewayConfig({ DATABASE_URL: "postgres://127.0.0.1/x", SERVICE_KEYS_DIR: "/keys" });
    expect(config.SESSION_IDLE_MINUTES).toBe(30);
    expect(config.SESSION_TTL_HOURS).toBe(12);
    const fresh = await login(h.url, "admin", ADMIN_PASSWORD);
    await setLastSeen(await sessionIdOf(h.db, fresh), 29);
    expect((await me(fresh)).status).toBe(200);
    const idle = await login(h.url, "admin", ADMIN_PASSWORD);
    await setLastSeen(await sessionIdOf(h.db, idle), 31);
    expect((await me(idle)).status).toBe(401);
  });
});

describe("sessions - Cache-Control", () => {
  it("sessions - every API answer says no-store, errors and the login and token answers included", async () => {
    const answers = [
      await request(h.url, "POST", "/api/auth/login", {
        body: { username: "admin", password: ADMIN_PASSWORD },
      }),
      await request(h.url, "POST", "/api/auth/tokens", { auth: admin, body: { name: "cache" } }),
      await request(h.url, "GET", "/api/apps", { auth: admin }),
      await request(h.url, "GET", "/api/auth/me"),
      await request(h.url, "GET", "/api/no-such-route"),
      await request(h.url, "POST", "/api/auth/login", { body: { username: "" } }),
      await request(h.url, "GET", "/api/health"),
    ];
    expect(answers.map((a) => [a.status, a.headers.get("cache-control")])).toEqual([
      [200, "no-store"],
      [201, "no-store"],
      [200, "no-store"],
      [401, "no-store"],
      [404, "no-store"],
      [400, "no-store"],
      [answers[6]!.status, "no-store"],
    ]);
  });

  it("sessions - the interactive docs' pages and assets (public, the same for all) are not marked no-store", async () => {
    const page = await fetch(new URL("/api/docs/static/index.html", h.url));
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control") ?? "").not.toContain("no-store");
  });
});

describe("sessions - list and end your own (signed-in sessions only)", () => {
  it("sessions - the list shows my live sessions with where they came from, marks this one, and never a secret", async () => {
    const first = await createUserAndLogin(h.url, admin, "lister", { password: PASSWORD });
    const second = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "lister", password: PASSWORD },
      headers: { "user-agent": "Firefox/140.0 (test)" },
    });
    expect(second.status).toBe(200);
    const dead = await login(h.url, "lister", PASSWORD);
    await setLastSeen(await sessionIdOf(h.db, dead), 45);
    await login(h.url, "admin", ADMIN_PASSWORD); // someone else's: never listed
    const res = await request(h.url, "GET", "/api/auth/sessions", { auth: first });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 2, page: 1, per_page: 20 });
    const firstId = await sessionIdOf(h.db, first);
    const items = res.body.items as Record<string, unknown>[];
    expect(items.map((s) => s.id).sort()).toEqual(
      [firstId, await sessionIdOf(h.db, { cookie: second.headers.getSetCookie().join("; ") })].sort(),
    );
    const current = items.find((s) => s.id === firstId)!;
    const other = items.find((s) => s.id !== firstId)!;
    expect(current.current).toBe(true);
    expect(other).toMatchObject({
      current: false,
      client_address: "127.0.0.1",
      user_agent: "Firefox/140.0 (test)",
    });
    expect(Object.keys(current).sort()).toEqual(
      ["client_address", "created_at", "current", "expires_at", "id", "last_seen_at", "user_agent"].sort(),
    );
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(sessionSecretOf(first));
    expect(text).not.toContain(first.csrf);
    for (const row of await h.db.selectFrom("sessions").select(["id_hash", "csrf_hash"]).execute()) {
      expect(text).not.toContain(row.id_hash);
      expect(text).not.toContain(row.csrf_hash);
    }
  });

  it("sessions - ending one of mine works; another user's session is 404 and stays", async () => {
    const mine = await createUserAndLogin(h.url, admin, "ender", { password: PASSWORD });
    const myOther = await login(h.url, "ender", PASSWORD);
    const victim = await createUserAndLogin(h.url, admin, "not-ender", { password: PASSWORD });
    const victimId = await sessionIdOf(h.db, victim);
    const foreign = await request(h.url, "DELETE", `/api/auth/sessions/${victimId}`, { auth: mine });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: "Session not found" });
    expect((await me(victim)).status).toBe(200);
    expect((await request(h.url, "DELETE", "/api/auth/sessions/not-a-uuid", { auth: mine })).status).toBe(
      404,
    );
    expect(
      (await request(h.url, "DELETE", `/api/auth/sessions/${crypto.randomUUID()}`, { auth: mine })).status,
    ).toBe(404);
    const ended = await request(h.url, "DELETE", `/api/auth/sessions/${await sessionIdOf(h.db, myOther)}`, {
      auth: mine,
    });
    expect(ended.status).toBe(204);
    expect(ended.headers.getSetCookie()).toEqual([]);
    expect((await me(myOther)).status).toBe(401);
    expect((await me(mine)).status).toBe(200);
    // Ending the session making the request logs out and clears the cookies.
    const self = await request(h.url, "DELETE", `/api/auth/sessions/${await sessionIdOf(h.db, mine)}`, {
      auth: mine,
    });
    expect(self.status).toBe(204);
    expect(self.headers.getSetCookie().join("\n")).toMatch(/__Host-proximity_session=;/);
    expect((await me(mine)).status).toBe(401);
  });

  it("sessions - ending all my other sessions keeps this one and touches nobody else's", async () => {
    const mine = await createUserAndLogin(h.url, admin, "closer", { password: PASSWORD });
    const others = [await login(h.url, "closer", PASSWORD), await login(h.url, "closer", PASSWORD)];
    const res = await request(h.url, "DELETE", "/api/auth/sessions", { auth: mine });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 2 });
    expect((await me(mine)).status).toBe(200);
    for (const other of others) expect((await me(other)).status).toBe(401);
    expect((await me(admin)).status).toBe(200);
  });

  it("sessions - sessions that died but are not pruned yet go with the others, uncounted and unaudited; one named is 404", async () => {
    const mine = await createUserAndLogin(h.url, admin, "dead-closer", { password: PASSWORD });
    const live = await login(h.url, "dead-closer", PASSWORD);
    const idle = await login(h.url, "dead-closer", PASSWORD);
    const expired = await login(h.url, "dead-closer", PASSWORD);
    const [liveId, idleId, expiredId] = await Promise.all(
      [live, idle, expired].map((s) => sessionIdOf(h.db, s)),
    );
    await setLastSeen(idleId!, 31);
    await h.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("id", "=", expiredId!)
      .execute();
    // Named by its id, a dead session is as absent as in the listing: 404, nothing audited; it is
    // removed all the same.
    const named = await request(h.url, "DELETE", `/api/auth/sessions/${idleId}`, { auth: mine });
    expect(named.status).toBe(404);
    expect(await h.db.selectFrom("sessions").where("id", "=", idleId!).execute()).toEqual([]);

    const res = await request(h.url, "DELETE", "/api/auth/sessions", { auth: mine });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 1 });
    const left = await h.db
      .selectFrom("sessions")
      .select("id")
      .where("id", "in", [liveId!, expiredId!])
      .execute();
    expect(left).toEqual([]);
    const audited = await h.db
      .selectFrom("auth_events")
      .select("subject_id")
      .where("type", "=", "session_ended")
      .where("subject_id", "in", [liveId!, idleId!, expiredId!])
      .execute();
    expect(audited).toEqual([{ subject_id: liveId }]);
    expect((await me(mine)).status).toBe(200);
  });

  it("sessions - a use of a session that died meanwhile does not bring it back (its touch refuses it)", async () => {
    const mine = await createUserAndLogin(h.url, admin, "late-use", { password: PASSWORD });
    const id = await sessionIdOf(h.db, mine);
    const row = await h.db
      .selectFrom("sessions")
      .select("id_hash")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    await setLastSeen(id, 31);
    // As a request that looked the session up just before it went idle would touch it.
    const cutoff = new Date(Date.now() - 30 * 60_000);
    expect(await touchSession(h.db, row.id_hash, new Date(), cutoff)).toBe(false);
    expect((await me(mine)).status).toBe(401);
    // A live one is touched.
    const live = await login(h.url, "late-use", PASSWORD);
    const liveRow = await h.db
      .selectFrom("sessions")
      .select("id_hash")
      .where("id", "=", await sessionIdOf(h.db, live))
      .executeTakeFirstOrThrow();
    expect(await touchSession(h.db, liveRow.id_hash, new Date(), cutoff)).toBe(true);
    // An expired one, however recently used, is not.
    await h.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where("id_hash", "=", liveRow.id_hash)
      .execute();
    expect(await touchSession(h.db, liveRow.id_hash, new Date(), cutoff)).toBe(false);
  });

  it("sessions - API tokens cannot list or end sessions (403), nothing ends", async () => {
    const mine = await createUserAndLogin(h.url, admin, "token-holder", { password: PASSWORD });
    const token = { bearer: await issueToken(h.url, mine, { name: "rw" }) };
    const id = await sessionIdOf(h.db, mine);
    for (const [method, path] of [
      ["GET", "/api/auth/sessions"],
      ["DELETE", "/api/auth/sessions"],
      ["DELETE", `/api/auth/sessions/${id}`],
      ["DELETE", "/api/auth/sessions/not-a-uuid"],
    ] as const) {
      const res = await request(h.url, method, path, { auth: token });
      expect({ method, path, status: res.status, body: res.body }).toEqual({
        method,
        path,
        status: 403,
        body: { detail: "This needs a signed-in session; API tokens cannot do it" },
      });
    }
    expect((await me(mine)).status).toBe(200);
  });

  it("sessions - logging in while a session cookie is still sent ends that older session", async () => {
    const old = await createUserAndLogin(h.url, admin, "relogger", { password: PASSWORD });
    const oldId = await sessionIdOf(h.db, old);
    const again = await request(h.url, "POST", "/api/auth/login", {
      auth: { cookie: old.cookie, csrf: old.csrf },
      body: { username: "relogger", password: PASSWORD },
    });
    expect(again.status).toBe(200);
    expect((await me(old)).status).toBe(401);
    expect(await h.db.selectFrom("sessions").where("id", "=", oldId).execute()).toEqual([]);
    const fresh = again.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect((await me({ cookie: fresh })).status).toBe(200);
    // A failed login leaves the presented session alone.
    const failed = await request(h.url, "POST", "/api/auth/login", {
      auth: { cookie: fresh, csrf: again.body.csrf_token },
      body: { username: "relogger", password: "not-the-password" },
    });
    expect(failed.status).toBe(401);
    expect((await me({ cookie: fresh })).status).toBe(200);
  });
});

describe("sessions - cookie names", () => {
  it("sessions - over HTTPS only the __Host- cookie counts: a plain-named cookie (planted by a sibling domain) is ignored", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const planted = `proximity_session=${sessionSecretOf(session)}`;
    expect((await me({ cookie: planted })).status).toBe(401);
    expect((await me(session)).status).toBe(200);
  });

  it("sessions - COOKIE_SECURE=false is refused at start unless PROXIMITY_MODE=development", () => {
    const base = { DATABASE_URL: "postgres://127.0.0.1/x", SERVICE_KEYS_DIR: "/keys" };
    for (const mode of [undefined, "production"]) {
      const problem = (() => {
        try {
          loadGatewayConfig({ ...base, COOKIE_SECURE: "false", PROXIMITY_MODE: mode });
        } catch (err) {
          return err;
        }
      })();
      expect(problem).toBeInstanceOf(ConfigError);
      expect((problem as ConfigError).message).toContain(
        "COOKIE_SECURE: false is only allowed with PROXIMITY_MODE=development",
      );
    }
    expect(
      loadGatewayConfig({ ...base, COOKIE_SECURE: "false", PROXIMITY_MODE: "development" }).COOKIE_SECURE,
    ).toBe(false);
    expect(loadGatewayConfig(base).COOKIE_SECURE).toBe(true);
  });

  describe("sessions - insecure cookies (COOKIE_SECURE=false, plain-http development)", () => {
    let dev: Harness;
    beforeAll(async () => {
      dev = await startHarness({
        env: { COOKIE_SECURE: "false", PROXIMITY_MODE: "development", SSE_HEARTBEAT_MS: "150" },
      });
    });
    afterAll(async () => {
      await dev?.stop();
    });

    it("sessions - plain names without Secure; the __Host- name is not used, and event streams still authenticate", async () => {
      const session = await login(dev.url, "admin", ADMIN_PASSWORD);
      expect(session.setCookies.map((c) => c.split("=")[0]).sort()).toEqual([
        "proximity_csrf",
        "proximity_session",
      ]);
      for (const cookie of session.setCookies) {
        expect(cookie).not.toMatch(/; Secure/);
        expect(cookie).toMatch(/; Path=\//);
      }
      expect((await request(dev.url, "GET", "/api/auth/me", { auth: session })).status).toBe(200);
      const hostNamed = `__Host-proximity_session=${sessionSecretOf(session)}`;
      expect((await request(dev.url, "GET", "/api/auth/me", { auth: { cookie: hostNamed } })).status).toBe(
        401,
      );
      const app = dev.fakes.apps.seed({
        ownerId: session.userId,
        status: applicationsV1.AppStatus.APP_STATUS_RUNNING,
      });
      const sse = await openSse(dev.url, `/api/apps/${app.id}/events`, { auth: { cookie: session.cookie } });
      expect(sse.status).toBe(200);
      // Each heartbeat re-checks the credentials under the configured cookie name: the stream lives on.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      sse.close();
      expect(sse.events.filter((e) => e.comment === "heartbeat").length).toBeGreaterThanOrEqual(3);
    });
  });
});
