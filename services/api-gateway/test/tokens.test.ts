import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";

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

  it("tokens - a bearer token may POST without CSRF and the backend sees its user", async () => {
    const token = await issueToken(h.url, admin, { name: "automation" });
    h.fakes.reset();
    const res = await request(h.url, "POST", "/api/apps", { auth: { bearer: token }, body: deploy });
    expect(res.status).toBe(202);
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
