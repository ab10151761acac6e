import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  type Harness,
  startHarness,
  untilListeningForCredentialChanges,
} from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";

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

const me = (bearer: string) => request(h.url, "GET", "/api/auth/me", { auth: { bearer } });
const idOf = (token: string) => token.split("_")[1]!;

/** A change made with triggers off: the database sends no notice of it. */
async function revokeSilently(tokenId: string): Promise<void> {
  await h.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await trx.updateTable("api_tokens").set({ revoked_at: new Date() }).where("id", "=", tokenId).execute();
  });
}

describe("token cache - verified API tokens", () => {
  it("token cache - a verified token is served from the replica's cache until the database notices a change", async () => {
    const token = await issueToken(h.url, admin, { name: "cached" });
    expect((await me(token)).status).toBe(200);
    await revokeSilently(idOf(token));
    // Not looked up again: the revocation made without a notice is not seen...
    expect((await me(token)).status).toBe(200);
    // ...until a notice on the channel empties the cache.
    await sql`select pg_notify('gateway_credentials', '')`.execute(h.db);
    await eventually(async () => (await me(token)).status === 401, { what: "the revoked token refused" });
  });

  it("token cache - a revocation by another replica (any committed change) is heard at once", async () => {
    const token = await issueToken(h.url, admin, { name: "elsewhere" });
    expect((await me(token)).status).toBe(200);
    await h.db
      .updateTable("api_tokens")
      .set({ revoked_at: new Date() })
      .where("id", "=", idOf(token))
      .execute();
    await eventually(async () => (await me(token)).status === 401, {
      timeoutMs: 2_000,
      what: "the revoked token refused",
    });
  });

  // What another replica's change looks like to this one: a committed statement, no request here.
  // Each must reach the cache through the triggers (an untouched column would leave it stale).
  const changes: [string, (token: string, userId: string) => Promise<unknown>][] = [
    [
      "admin rights taken",
      (_t, user) => h.db.updateTable("users").set({ is_admin: false }).where("id", "=", user).execute(),
    ],
    [
      "account deactivated",
      (_t, user) => h.db.updateTable("users").set({ is_active: false }).where("id", "=", user).execute(),
    ],
    [
      "credential epoch moved on",
      (_t, user) =>
        sql`update users set credential_epoch = credential_epoch + 1 where id = ${user}`.execute(h.db),
    ],
    ["account deleted", (_t, user) => h.db.deleteFrom("users").where("id", "=", user).execute()],
    ["token deleted", (t) => h.db.deleteFrom("api_tokens").where("id", "=", idOf(t)).execute()],
    [
      "token scopes narrowed",
      (t) =>
        h.db
          .updateTable("api_tokens")
          .set({ scopes: ["read"] })
          .where("id", "=", idOf(t))
          .execute(),
    ],
    [
      "token expired",
      (t) =>
        h.db
          .updateTable("api_tokens")
          .set({ expires_at: new Date(Date.now() - 1_000) })
          .where("id", "=", idOf(t))
          .execute(),
    ],
  ];
  it.each(changes)("token cache - a change made elsewhere is heard at once: %s", async (name, change) => {
    const username = `cache-${name.replace(/\W+/g, "-")}`;
    const user = await createUserAndLogin(h.url, admin, username, { isAdmin: true });
    const token = await issueToken(h.url, user, { name, scopes: ["read", "write", "admin"] });
    const asAdmin = () => request(h.url, "GET", "/api/users", { auth: { bearer: token } });
    expect((await asAdmin()).status).toBe(200);
    await change(token, user.userId);
    await eventually(async () => (await asAdmin()).status !== 200, {
      timeoutMs: 2_000,
      what: `${name} heard`,
    });
  });

  it("token cache - revoking through this replica refuses the token on the very next request", async () => {
    const token = await issueToken(h.url, admin, { name: "revoked-here" });
    expect((await me(token)).status).toBe(200);
    const revoked = await request(h.url, "DELETE", `/api/auth/tokens/${idOf(token)}`, { auth: admin });
    expect(revoked.status).toBe(204);
    expect((await me(token)).status).toBe(401);
  });

  it("token cache - losing admin rights or the account takes effect on the next request of a cached token", async () => {
    const bob = await createUserAndLogin(h.url, admin, "cache-bob", { isAdmin: true });
    const token = await issueToken(h.url, bob, { name: "admin-token", scopes: ["read", "write", "admin"] });
    expect((await request(h.url, "GET", "/api/users", { auth: { bearer: token } })).status).toBe(200);
    const demoted = await request(h.url, "PATCH", `/api/users/${bob.userId}`, {
      auth: admin,
      body: { is_admin: false },
    });
    expect(demoted.status).toBe(200);
    expect((await request(h.url, "GET", "/api/users", { auth: { bearer: token } })).status).toBe(403);
    const deactivated = await request(h.url, "PATCH", `/api/users/${bob.userId}`, {
      auth: admin,
      body: { is_active: false },
    });
    expect(deactivated.status).toBe(200);
    expect((await me(token)).status).toBe(401);
  });

  it("token cache - the right token id with a wrong secret is refused even while the token is cached", async () => {
    const token = await issueToken(h.url, admin, { name: "guessed" });
    expect((await me(token)).status).toBe(200);
    const forged = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect((await me(forged)).status).toBe(401);
    expect((await me(token)).status).toBe(200);
  });
});
