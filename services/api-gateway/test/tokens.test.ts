import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";
import { sessionIdOf } from "./support/session-ids.js";

let h: Harness;
let admin: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
});
afterAll(async () => {
  await h?.stop();
});

const deploy = { catalog_id: "nginx", hostname: "web-1" };

describe("tokens - bearer API tokens", () => {
  it("tokens - a token is shown once as pxm_<id>_<secret> and only its hash is stored", async () => {
    const res = await request(h.url, "POST", "/api/auth/tokens", { auth: admin, body: { name: "ci" } });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(new RegExp(`^pxm_${res.body.id}_[A-Za-z0-9_-]{43}$`));
    expect(res.body.scopes).toEqual(["read", "write"]);
    const secret = res.body.token.split("_").slice(2).join("_");
    const row = await h.db
      .selectFrom("api_tokens")
      .selectAll()
      .where("id", "=", res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(secret);
    // Independently computed (not via the code under test): the stored value is SHA-256(secret), hex.
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).toBe(createHash("sha256").update(secret, "utf8").digest("hex"));
    const list = await request(h.url, "GET", "/api/auth/tokens", { auth: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.find((t: { id: string }) => t.id === res.body.id)).toMatchObject({ name: "ci" });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body.items[0]).not.toHaveProperty("token");
  });

  it("tokens - a bearer token may POST without CSRF and the backend sees its user, admin only with the admin scope", async () => {
    const token = await issueToken(h.url, admin, { name: "automation" });
    h.fakes.reset();
    const res = await request(h.url, "POST", "/api/apps", { auth: { bearer: token }, body: deploy });
    expect(res.status).toBe(202);
    // The default scopes are read and write: an admin's such token acts as a plain user.
    expect(h.fakes.callsTo("deployApp")[0]?.user).toEqual({ id: admin.userId, isAdmin: false });
    const adminToken = await issueToken(h.url, admin, {
      name: "automation-admin",
      scopes: ["read", "write", "admin"],
    });
    h.fakes.reset();
    const asAdmin = await request(h.url, "POST", "/api/apps", {
      auth: { bearer: adminToken },
      body: { ...deploy, hostname: "web-admin" },
    });
    expect(asAdmin.status).toBe(202);
    expect(h.fakes.callsTo("deployApp")[0]?.user).toEqual({ id: admin.userId, isAdmin: true });
  });

  it("tokens - a read-only token can GET but not POST", async () => {
    const token = await issueToken(h.url, admin, { name: "reader", scopes: ["read"] });
    h.fakes.reset();
    const get = await request(h.url, "GET", "/api/apps", { auth: { bearer: token } });
    expect(get.status).toBe(200);
    const post = await request(h.url, "POST", "/api/apps", { auth: { bearer: token }, body: deploy });
    expect(post.status).toBe(403);
    expect(post.body.detail).toMatch(/write/);
    expect(h.fakes.callsTo("deployApp")).toHaveLength(0);
  });

  it("tokens - an admin's token without the admin scope cannot use admin routes", async () => {
    const token = await issueToken(h.url, admin, { name: "no-admin", scopes: ["read", "write"] });
    const res = await request(h.url, "GET", "/api/users", { auth: { bearer: token } });
    expect(res.status).toBe(403);
    const scoped = await issueToken(h.url, admin, { name: "admin", scopes: ["read", "admin"] });
    expect((await request(h.url, "GET", "/api/users", { auth: { bearer: scoped } })).status).toBe(200);
  });

  it("tokens - a revoked token is 401", async () => {
    const created = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "short-lived" },
    });
    const token = created.body.token;
    expect((await request(h.url, "GET", "/api/apps", { auth: { bearer: token } })).status).toBe(200);
    const revoke = await request(h.url, "DELETE", `/api/auth/tokens/${created.body.id}`, { auth: admin });
    expect(revoke.status).toBe(204);
    const after = await request(h.url, "GET", "/api/apps", { auth: { bearer: token } });
    expect(after.status).toBe(401);
    expect(after.body.detail).toBe("Invalid or expired API token");
  });

  it("tokens - an expired token is 401", async () => {
    const created = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "expiring", expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(created.status).toBe(201);
    await h.db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", created.body.id)
      .execute();
    const res = await request(h.url, "GET", "/api/apps", { auth: { bearer: created.body.token } });
    expect(res.status).toBe(401);
  });

  it("tokens - a token with a tampered secret is 401", async () => {
    const token = await issueToken(h.url, admin, { name: "tamper" });
    const tampered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect((await request(h.url, "GET", "/api/apps", { auth: { bearer: tampered } })).status).toBe(401);
    expect((await request(h.url, "GET", "/api/apps", { auth: { bearer: "garbage" } })).status).toBe(401);
  });

  it("tokens - expiry in the past is refused with 400", async () => {
    const res = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "past", expires_at: "2001-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "expires_at", message: "must be in the future" }]);
  });

  it("tokens - non-admins cannot mint admin-scoped tokens nor revoke others' tokens", async () => {
    const user = await createUserAndLogin(h.url, admin, "token-user");
    const res = await request(h.url, "POST", "/api/auth/tokens", {
      auth: user,
      body: { name: "x", scopes: ["admin"] },
    });
    expect(res.status).toBe(403);
    const adminToken = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "mine" },
    });
    const revoke = await request(h.url, "DELETE", `/api/auth/tokens/${adminToken.body.id}`, { auth: user });
    expect(revoke.status).toBe(404);
    expect(
      (await request(h.url, "GET", "/api/apps", { auth: { bearer: adminToken.body.token } })).status,
    ).toBe(200);
  });
});

const DAY_MS = 86_400_000;
/** Milliseconds between an ISO time and now + `days`. */
const offFromNowPlus = (iso: string, days: number) =>
  Math.abs(Date.parse(iso) - (Date.now() + days * DAY_MS));

describe("tokens - lifetime", () => {
  it("tokens - a token created without expires_at gets the default lifetime (90 days), never none", async () => {
    const res = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "default-life" },
    });
    expect(res.status).toBe(201);
    expect(res.body.expires_at).not.toBeNull();
    expect(offFromNowPlus(res.body.expires_at, 90)).toBeLessThan(60_000);
  });

  it("tokens - expires_at beyond the maximum (365 days) is 400 and nothing is stored", async () => {
    const before = await h.db.selectFrom("api_tokens").select("id").execute();
    const res = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "forever", expires_at: new Date(Date.now() + 366 * DAY_MS).toISOString() },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "expires_at", message: "must be at most 365 days from now" }]);
    expect(await h.db.selectFrom("api_tokens").select("id").execute()).toHaveLength(before.length);
  });

  it("tokens - a token made with a token never outlives it, and records which token made it", async () => {
    const parentExpiry = new Date(Date.now() + 2 * 3_600_000);
    const parent = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "ci-parent", expires_at: parentExpiry.toISOString() },
    });
    expect(parent.body.created_by_session_id).toBe(await sessionIdOf(h.db, admin));
    expect(parent.body.created_by_token_id).toBeNull();
    const byToken = { bearer: parent.body.token };
    const child = await request(h.url, "POST", "/api/auth/tokens", {
      auth: byToken,
      body: { name: "child" },
    });
    expect(child.status).toBe(201);
    expect(child.body.expires_at).toBe(parentExpiry.toISOString());
    expect(child.body).toMatchObject({ created_by_token_id: parent.body.id, created_by_session_id: null });
    const longer = await request(h.url, "POST", "/api/auth/tokens", {
      auth: byToken,
      body: { name: "longer", expires_at: new Date(parentExpiry.getTime() + 60_000).toISOString() },
    });
    expect(longer.status).toBe(400);
    expect(longer.body.errors).toEqual([
      { field: "expires_at", message: "must not be later than the expiry of the token used to create it" },
    ]);
    const wider = await request(h.url, "POST", "/api/auth/tokens", {
      auth: { bearer: child.body.token },
      body: { name: "wider", scopes: ["read", "write", "admin"] },
    });
    expect(wider.status).toBe(403);
  });

  it("tokens - revoking a token revokes the tokens made with it (at any depth), not its siblings", async () => {
    const parent = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "leaked" },
    });
    const child = await request(h.url, "POST", "/api/auth/tokens", {
      auth: { bearer: parent.body.token },
      body: { name: "made-by-leaked" },
    });
    const grandchild = await request(h.url, "POST", "/api/auth/tokens", {
      auth: { bearer: child.body.token },
      body: { name: "made-by-child" },
    });
    const sibling = await issueToken(h.url, admin, { name: "sibling" });
    const revoke = await request(h.url, "DELETE", `/api/auth/tokens/${parent.body.id}`, { auth: admin });
    expect(revoke.status).toBe(204);
    for (const token of [parent.body.token, child.body.token, grandchild.body.token]) {
      expect((await request(h.url, "GET", "/api/apps", { auth: { bearer: token } })).status).toBe(401);
    }
    expect((await request(h.url, "GET", "/api/apps", { auth: { bearer: sibling } })).status).toBe(200);
  });
});

describe("tokens - listing", () => {
  it("tokens - the list shows live tokens by default; ?state=all adds revoked and expired ones", async () => {
    const user = await createUserAndLogin(h.url, admin, "token-lister");
    const live = await request(h.url, "POST", "/api/auth/tokens", { auth: user, body: { name: "live" } });
    const revoked = await request(h.url, "POST", "/api/auth/tokens", {
      auth: user,
      body: { name: "revoked" },
    });
    const expired = await request(h.url, "POST", "/api/auth/tokens", {
      auth: user,
      body: { name: "expired" },
    });
    await request(h.url, "DELETE", `/api/auth/tokens/${revoked.body.id}`, { auth: user });
    await h.db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", expired.body.id)
      .execute();
    const byDefault = await request(h.url, "GET", "/api/auth/tokens", { auth: user });
    expect(byDefault.body).toMatchObject({ total: 1, page: 1, per_page: 20 });
    expect(byDefault.body.items.map((t: { id: string }) => t.id)).toEqual([live.body.id]);
    const all = await request(h.url, "GET", "/api/auth/tokens?state=all", { auth: user });
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((t: { name: string }) => t.name).sort()).toEqual([
      "expired",
      "live",
      "revoked",
    ]);
  });

  it("tokens - the list is paged in the database and bounded", async () => {
    const user = await createUserAndLogin(h.url, admin, "token-pager");
    for (let i = 0; i < 5; i++) await issueToken(h.url, user, { name: `t${i}` });
    const page2 = await request(h.url, "GET", "/api/auth/tokens?per_page=2&page=2", { auth: user });
    expect(page2.body).toMatchObject({ total: 5, page: 2, per_page: 2 });
    expect(page2.body.items).toHaveLength(2);
    const pages = await Promise.all(
      [1, 2, 3].map((page) =>
        request(h.url, "GET", `/api/auth/tokens?per_page=2&page=${page}`, { auth: user }),
      ),
    );
    const ids = pages.flatMap((p) => p.body.items.map((t: { id: string }) => t.id));
    expect(new Set(ids).size).toBe(5);
    const tooMany = await request(h.url, "GET", "/api/auth/tokens?per_page=101", { auth: user });
    expect(tooMany.status).toBe(400);
    const badState = await request(h.url, "GET", "/api/auth/tokens?state=revoked", { auth: user });
    expect(badState.status).toBe(400);
  });
});

describe("tokens - cap of live tokens per user (API_TOKENS_PER_USER=3)", () => {
  let capped: Harness;
  let cappedAdmin: Session;
  beforeAll(async () => {
    capped = await startHarness({ env: { API_TOKENS_PER_USER: "3" } });
    cappedAdmin = await login(capped.url, "admin", ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await capped?.stop();
  });

  it("tokens - parallel requests cannot pass the cap: exactly 3 are made, the rest 409 with the reason", async () => {
    const user = await createUserAndLogin(capped.url, cappedAdmin, "capped-user");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(capped.url, "POST", "/api/auth/tokens", { auth: user, body: { name: `p${i}` } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, ...Array(7).fill(409)]);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body).toEqual({
      detail: "You already have 3 live API tokens, the most allowed (3); revoke one first",
    });
    const rows = await capped.db
      .selectFrom("api_tokens")
      .select("id")
      .where("user_id", "=", user.userId)
      .execute();
    expect(rows).toHaveLength(3);
    // The cap is per user: the admin still gets theirs.
    expect(
      (await request(capped.url, "POST", "/api/auth/tokens", { auth: cappedAdmin, body: { name: "a" } }))
        .status,
    ).toBe(201);
  });

  it("tokens - revoked and expired tokens do not count against the cap", async () => {
    const user = await createUserAndLogin(capped.url, cappedAdmin, "capped-again");
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(
        (await request(capped.url, "POST", "/api/auth/tokens", { auth: user, body: { name: `t${i}` } })).body,
      );
    }
    expect(
      (await request(capped.url, "POST", "/api/auth/tokens", { auth: user, body: { name: "x" } })).status,
    ).toBe(409);
    await request(capped.url, "DELETE", `/api/auth/tokens/${made[0].id}`, { auth: user });
    await capped.db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", made[1].id)
      .execute();
    for (const name of ["y", "z"]) {
      expect(
        (await request(capped.url, "POST", "/api/auth/tokens", { auth: user, body: { name } })).status,
      ).toBe(201);
    }
    expect(
      (await request(capped.url, "POST", "/api/auth/tokens", { auth: user, body: { name: "w" } })).status,
    ).toBe(409);
  });
});

describe("tokens - configuration", () => {
  it("tokens - a default lifetime longer than the maximum is a configuration error", () => {
    expect(() =>
      loadGatewayConfig({
        DATABASE_URL: "postgres://127.0.0.1/x",
        SERVICE_KEYS_DIR: "/keys",
        API_TOKEN_DEFAULT_DAYS: "400",
      }),
    ).toThrow(/API_TOKEN_DEFAULT_DAYS: must not be greater than API_TOKEN_MAX_DAYS/);
    const defaults = loadGatewayConfig({ DATABASE_URL: "postgres://127.0.0.1/x", SERVICE_KEYS_DIR: "/keys" });
    expect(defaults).toMatchObject({
      API_TOKEN_DEFAULT_DAYS: 90,
      API_TOKEN_MAX_DAYS: 365,
      API_TOKENS_PER_USER: 50,
    });
  });
});
