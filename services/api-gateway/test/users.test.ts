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

describe("users - administration", () => {
  it("users - create, get, list with pagination", async () => {
    const created = await request(h.url, "POST", "/api/users", {
      auth: admin,
      body: { username: "Alice", password: "wonderland-secret-pw" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: "Alice", is_admin: false, is_active: true });
    expect(created.body).not.toHaveProperty("password_hash");
    const one = await request(h.url, "GET", `/api/users/${created.body.id}`, { auth: admin });
    expect(one.body.id).toBe(created.body.id);
    const page = await request(h.url, "GET", "/api/users?per_page=1&page=1", { auth: admin });
    expect(page.body).toMatchObject({ total: 2, page: 1, per_page: 1 });
    expect(page.body.items).toHaveLength(1);
  });

  it("users - the password policy and case-insensitive uniqueness are enforced", async () => {
    const short = await request(h.url, "POST", "/api/users", {
      auth: admin,
      body: { username: "bob", password: "short" },
    });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ field: "password", message: "must be at least 12 characters" }]);
    const dup = await request(h.url, "POST", "/api/users", {
      auth: admin,
      body: { username: "ALICE", password: "another-long-password" },
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ detail: "Username is already taken" });
  });

  it("users - admins cannot delete, demote or deactivate themselves", async () => {
    const path = `/api/users/${admin.userId}`;
    expect((await request(h.url, "DELETE", path, { auth: admin })).status).toBe(409);
    expect((await request(h.url, "PATCH", path, { auth: admin, body: { is_admin: false } })).status).toBe(
      409,
    );
    expect((await request(h.url, "PATCH", path, { auth: admin, body: { is_active: false } })).status).toBe(
      409,
    );
    const me = await request(h.url, "GET", "/api/auth/me", { auth: admin });
    expect(me.body).toMatchObject({ is_admin: true, is_active: true });
  });

  it("users - deactivating a user ends their sessions and revokes their tokens; login is refused", async () => {
    const carol = await createUserAndLogin(h.url, admin, "carol", { password: "xmas-song-password" });
    const token = await issueToken(h.url, carol, { name: "carol-ci" });
    const res = await request(h.url, "PATCH", `/api/users/${carol.userId}`, {
      auth: admin,
      body: { is_active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);
    expect((await request(h.url, "GET", "/api/auth/me", { auth: carol })).status).toBe(401);
    expect((await request(h.url, "GET", "/api/apps", { auth: { bearer: token } })).status).toBe(401);
    const relogin = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "carol", password: "xmas-song-password" },
    });
    expect(relogin.status).toBe(401);
    expect(await h.db.selectFrom("sessions").where("user_id", "=", carol.userId).execute()).toHaveLength(0);
  });

  it("users - a new password ends the user's sessions and the new one works", async () => {
    const dave = await createUserAndLogin(h.url, admin, "dave", { password: "first-pass-phrase" });
    const res = await request(h.url, "PATCH", `/api/users/${dave.userId}`, {
      auth: admin,
      body: { password: "second-pass-phrase" },
    });
    expect(res.status).toBe(200);
    expect((await request(h.url, "GET", "/api/auth/me", { auth: dave })).status).toBe(401);
    await expect(login(h.url, "dave", "second-pass-phrase")).resolves.toMatchObject({ userId: dave.userId });
  });

  it("users - an empty PATCH is 400 and an unknown user 404", async () => {
    const empty = await request(h.url, "PATCH", `/api/users/${admin.userId}`, { auth: admin, body: {} });
    expect(empty.status).toBe(400);
    const unknown = await request(h.url, "DELETE", `/api/users/${crypto.randomUUID()}`, { auth: admin });
    expect(unknown.status).toBe(404);
  });

  it("users - deleting a user removes their sessions", async () => {
    const erin = await createUserAndLogin(h.url, admin, "erin");
    expect((await request(h.url, "DELETE", `/api/users/${erin.userId}`, { auth: admin })).status).toBe(204);
    expect((await request(h.url, "GET", "/api/auth/me", { auth: erin })).status).toBe(401);
    expect((await request(h.url, "GET", `/api/users/${erin.userId}`, { auth: admin })).status).toBe(404);
  });

  it("users - a user who still owns apps cannot be deleted (409, the account stays)", async () => {
    const fay = await createUserAndLogin(h.url, admin, "fay");
    h.fakes.apps.seed({ ownerId: fay.userId });
    const res = await request(h.url, "DELETE", `/api/users/${fay.userId}`, { auth: admin });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe("The user still owns 1 app; delete them before deleting the account");
    expect((await request(h.url, "GET", "/api/auth/me", { auth: fay })).status).toBe(200);
  });
});
