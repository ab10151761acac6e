import { ConfigError } from "@proximity/config";
import { eventually, testLogger } from "@proximity/testing";
import { CompiledQuery, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthEventPruner } from "../src/app/auth-event-retention.js";
import { createRequestAuditPruner } from "../src/app/request-audit-retention.js";
import { loadGatewayConfig } from "../src/config.js";
import { pruneAuthEventsQuery } from "../src/db/auth-event.repository.js";
import { pruneRequestAudit, pruneRequestAuditQuery } from "../src/db/request-audit.repository.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { type Auth, createUserAndLogin, login, request, type Session } from "./support/http-client.js";
import { sessionIdOf } from "./support/session-ids.js";

let h: Harness;
let admin: Session;
let adminSessionId: string;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  adminSessionId = await sessionIdOf(h.db, admin);
});
afterAll(async () => {
  await h?.stop();
});

const PASSWORD = "a-long-enough-password-123";
let requestNo = 0;

/** Sends a request with a fresh request id and returns its answer and (once written) its audit row. */
async function audited(method: string, path: string, auth: Auth, body?: unknown) {
  const requestId = `audit-${process.pid}-${++requestNo}`;
  const res = await request(h.url, method, path, { auth, body, headers: { "x-request-id": requestId } });
  const row = await eventually(() =>
    h.db.selectFrom("request_audit").selectAll().where("request_id", "=", requestId).executeTakeFirst(),
  );
  return { res, row };
}

/** Authentication events of a user (or a typed account name), oldest first. */
const eventsOf = (where: { userId?: string; username?: string }) =>
  h.db
    .selectFrom("auth_events")
    .selectAll()
    .$if(where.userId !== undefined, (q) => q.where("user_id", "=", where.userId!))
    .$if(where.username !== undefined, (q) => q.where("username", "=", where.username!))
    .orderBy("id")
    .execute();

describe("audit - request trail: actor, targets, outcome", () => {
  it("audit - a cookie request records the user and the session used (public id, never the secret)", async () => {
    const { res, row } = await audited("POST", "/api/catalog/reload", admin);
    expect(res.status).toBe(200);
    expect(row).toMatchObject({
      user_id: admin.userId,
      session_id: adminSessionId,
      token_id: null,
      client_address: "127.0.0.1",
      method: "POST",
      route: "/api/catalog/reload",
      target_ids: {},
      status: 200,
      changes: null,
    });
  });

  it("audit - a bearer request records the token used", async () => {
    const created = await request(h.url, "POST", "/api/auth/tokens", {
      auth: admin,
      body: { name: "audited" },
    });
    const { row } = await audited("POST", "/api/catalog/reload", { bearer: created.body.token });
    expect(row).toMatchObject({ user_id: admin.userId, session_id: null, token_id: created.body.id });
  });

  it("audit - the concrete target ids and the outcome are recorded, refusals included", async () => {
    const user = await createUserAndLogin(h.url, admin, "audit-target", { password: PASSWORD });
    const denied = await audited("DELETE", `/api/users/${user.userId}`, user);
    expect(denied.row).toMatchObject({
      user_id: user.userId,
      route: "/api/users/:id",
      target_ids: { id: user.userId },
      status: 403,
      changes: null,
    });
    const self = await audited("DELETE", `/api/users/${admin.userId}`, admin);
    expect(self.row).toMatchObject({ target_ids: { id: admin.userId }, status: 409, changes: null });
    const odd = await audited("DELETE", "/api/users/%3Cscript%3E", admin);
    expect(odd.row).toMatchObject({ target_ids: { id: "(not an id)" }, status: 404 });
  });
});

describe("audit - only identified callers are recorded", () => {
  /** Audit rows of requests whose id starts with `prefix`. */
  const rowsOf = (prefix: string) =>
    h.db.selectFrom("request_audit").select("request_id").where("request_id", "like", `${prefix}%`).execute();

  /** Waits until an authenticated write's row is there: the writes before it have had their turn. */
  async function settle(prefix: string) {
    const { row } = await audited("POST", "/api/catalog/reload", admin);
    expect(row).toMatchObject({ user_id: admin.userId, status: 200 });
    await new Promise((r) => setTimeout(r, 200));
    return rowsOf(prefix);
  }

  it("audit - 60 anonymous writes (unknown route, refused as unauthenticated) add no row; a signed-in write still does", async () => {
    const prefix = `anonymous-${process.pid}-`;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        request(h.url, "POST", i % 2 ? "/api/no-such-route" : "/api/catalog/reload", {
          body: { junk: i },
          headers: { "x-request-id": `${prefix}${i}` },
        }),
      ),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([401, 404]));
    expect(await settle(prefix)).toEqual([]);
    // They are in the log, with where they came from.
    const logged = h.logLines
      .map((line) => JSON.parse(line))
      .filter((entry) => String(entry.requestId).startsWith(prefix) && entry.msg === "request completed");
    expect(logged).toHaveLength(60);
    expect(logged.every((entry) => entry.clientAddress === "127.0.0.1")).toBe(true);
  });

  describe("audit - behind the per-address rate limit", () => {
    let limited: Harness;
    beforeAll(async () => {
      // One trusted proxy: the test plays it, so each client below has its own address and budget.
      limited = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: "5", TRUST_PROXY: "1" } });
    });
    afterAll(async () => {
      await limited?.stop();
    });

    const auditedIds = async (prefix: string) =>
      (
        await limited.db
          .selectFrom("request_audit")
          .select("request_id")
          .where("request_id", "like", `${prefix}%`)
          .orderBy("id")
          .execute()
      ).map((r) => r.request_id);

    it("audit - 60 anonymous writes the rate limiter refuses (429) add no row; a signed-in write is recorded", async () => {
      const prefix = `limited-${process.pid}-`;
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) {
        const res = await request(limited.url, "POST", "/api/no-such-route", {
          headers: { "x-request-id": `${prefix}${i}`, "x-forwarded-for": "198.51.100.99" },
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(55);
      // A signed-in client at another address: its write is recorded.
      const signedIn = await request(limited.url, "POST", "/api/auth/login", {
        body: { username: "admin", password: ADMIN_PASSWORD },
        headers: { "x-forwarded-for": "198.51.100.100" },
      });
      expect(signedIn.status).toBe(200);
      const cookie = signedIn.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const write = await request(limited.url, "POST", "/api/catalog/reload", {
        auth: { cookie, csrf: signedIn.body.csrf_token },
        headers: { "x-request-id": `${prefix}signed-in`, "x-forwarded-for": "198.51.100.100" },
      });
      expect(write.status).toBe(200);
      await eventually(async () => (await auditedIds(prefix)).length > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(await auditedIds(prefix)).toEqual([`${prefix}signed-in`]);
    });
  });
});

describe("audit - field diff of admin changes (no secret values)", () => {
  it("audit - user create, update and delete record which fields changed; the password only by name", async () => {
    const created = await audited("POST", "/api/users", admin, { username: "diffed", password: PASSWORD });
    expect(created.res.status).toBe(201);
    expect(created.row.changes).toEqual([
      { field: "username", after: "diffed" },
      { field: "is_admin", after: false },
      { field: "is_active", after: true },
      { field: "password", secret: true },
    ]);
    const id = created.res.body.id;
    const promoted = await audited("PATCH", `/api/users/${id}`, admin, { is_admin: true, is_active: true });
    expect(promoted.row).toMatchObject({ target_ids: { id }, status: 200 });
    expect(promoted.row.changes).toEqual([{ field: "is_admin", before: false, after: true }]);
    const newPassword = "an-entirely-new-password";
    const reset = await audited("PATCH", `/api/users/${id}`, admin, { password: newPassword });
    expect(reset.row.changes).toEqual([{ field: "password", secret: true }]);
    const deleted = await audited("DELETE", `/api/users/${id}`, admin);
    expect(deleted.row.changes).toEqual([
      { field: "username", before: "diffed" },
      { field: "is_admin", before: true },
      { field: "is_active", before: true },
    ]);
    const trail = JSON.stringify(await h.db.selectFrom("request_audit").selectAll().execute());
    expect(trail).not.toContain(PASSWORD);
    expect(trail).not.toContain(newPassword);
  });

  it("audit - host create, update and delete record the field diff; credentials by name only", async () => {
    const secrets = { api_secret: "api-secret-do-not-log", ssh_password: "ssh-password-do-not-log" };
    const body = {
      name: "audited-host",
      address: "10.0.0.2",
      auth_mode: "api_token",
      username: "root@pam!proximity",
      ...secrets,
      nodes: [{ name: "pve1", ssh_host: "10.0.0.2", ssh_host_key_fingerprint: `SHA256:${"B".repeat(43)}` }],
    };
    const created = await audited("POST", "/api/proxmox/hosts", admin, body);
    expect(created.res.status).toBe(201);
    const changes = created.row.changes as { field: string; after?: unknown; secret?: true }[];
    expect(changes.find((c) => c.field === "address")).toEqual({ field: "address", after: "10.0.0.2" });
    expect(changes.filter((c) => c.secret)).toEqual([
      { field: "api_secret", secret: true },
      { field: "ssh_password", secret: true },
    ]);
    const id = created.res.body.id;
    const updated = await audited("PUT", `/api/proxmox/hosts/${id}`, admin, {
      address: "10.0.0.3",
      api_secret: "another-secret-do-not-log",
    });
    expect(updated.res.status).toBe(200);
    expect(updated.row).toMatchObject({ route: "/api/proxmox/hosts/:id", target_ids: { id } });
    expect(updated.row.changes).toEqual([
      { field: "address", before: "10.0.0.2", after: "10.0.0.3" },
      { field: "api_secret", secret: true },
    ]);
    const deleted = await audited("DELETE", `/api/proxmox/hosts/${id}`, admin);
    expect(deleted.res.status).toBe(204);
    expect(deleted.row.changes).toContainEqual({ field: "address", before: "10.0.0.3" });
    expect((deleted.row.changes as { after?: unknown }[]).every((c) => !("after" in c))).toBe(true);
    const trail = JSON.stringify(await h.db.selectFrom("request_audit").selectAll().execute());
    for (const value of [...Object.values(secrets), "another-secret-do-not-log"])
      expect(trail).not.toContain(value);
  });

  it("audit - a failed change records no diff", async () => {
    h.fakes.fail("updateHost", "CONFLICT", "Host is busy");
    const host = h.fakes.hosts.seed();
    const { res, row } = await audited("PUT", `/api/proxmox/hosts/${host.id}`, admin, { port: 8443 });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(row).toMatchObject({ target_ids: { id: host.id }, status: res.status, changes: null });
    h.fakes.reset();
  });
});

describe("audit - authentication events", () => {
  it("audit - logins (success and failure, with the account name and address) and logout are logged", async () => {
    const user = await createUserAndLogin(h.url, admin, "evented", { password: PASSWORD });
    const sessionId = await sessionIdOf(h.db, user);
    const failed = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "EVENTED", password: "not-the-password" },
    });
    expect(failed.status).toBe(401);
    const unknown = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "nobody-at-all", password: "not-the-password" },
    });
    expect(unknown.status).toBe(401);
    expect((await request(h.url, "POST", "/api/auth/logout", { auth: user })).status).toBe(204);

    expect(await eventsOf({ username: "nobody-at-all" })).toEqual([
      expect.objectContaining({ type: "login_failed", user_id: null, client_address: "127.0.0.1" }),
    ]);
    const events = await eventsOf({ userId: user.userId });
    expect(events.map((e) => [e.type, e.username, e.subject_id])).toEqual([
      ["login_succeeded", "evented", sessionId],
      ["logout", "evented", sessionId],
    ]);
    expect(events[1]).toMatchObject({ actor_user_id: user.userId, actor_session_id: sessionId });
    expect(await eventsOf({ username: "EVENTED" })).toEqual([
      expect.objectContaining({
        type: "login_failed",
        client_address: "127.0.0.1",
        request_id: expect.any(String),
      }),
    ]);
  });

  it("audit - token creation and revocation, session ends and password changes are logged with their actor", async () => {
    const user = await createUserAndLogin(h.url, admin, "evented-2", { password: PASSWORD });
    const userSession = await sessionIdOf(h.db, user);
    const other = await login(h.url, "evented-2", PASSWORD);
    const otherSession = await sessionIdOf(h.db, other);
    const token = await request(h.url, "POST", "/api/auth/tokens", { auth: user, body: { name: "logged" } });
    await request(h.url, "DELETE", `/api/auth/tokens/${token.body.id}`, { auth: user });
    await request(h.url, "DELETE", `/api/auth/sessions/${otherSession}`, { auth: user });
    await request(h.url, "POST", "/api/auth/password", {
      auth: user,
      body: { current_password: "wrong-password-here", new_password: "the-next-pass-phrase" },
    });
    await request(h.url, "POST", "/api/auth/password", {
      auth: user,
      body: { current_password: PASSWORD, new_password: "the-next-pass-phrase" },
    });
    await request(h.url, "PATCH", `/api/users/${user.userId}`, { auth: admin, body: { password: PASSWORD } });

    const events = (await eventsOf({ userId: user.userId })).filter((e) => e.type !== "login_succeeded");
    expect(
      events.map((e) => ({
        type: e.type,
        subject: e.subject_id,
        actor: e.actor_user_id,
        details: e.details,
      })),
    ).toEqual([
      {
        type: "token_created",
        subject: token.body.id,
        actor: user.userId,
        details: expect.objectContaining({ scopes: ["read", "write"] }),
      },
      { type: "token_revoked", subject: token.body.id, actor: user.userId, details: {} },
      {
        type: "session_ended",
        subject: otherSession,
        actor: user.userId,
        details: { reason: "ended_by_user" },
      },
      { type: "password_check_failed", subject: null, actor: user.userId, details: {} },
      {
        type: "password_changed",
        subject: null,
        actor: user.userId,
        details: { by: "self", sessions_ended: 0, tokens_revoked: 0 },
      },
      {
        type: "password_changed",
        subject: null,
        actor: admin.userId,
        details: { by: "admin", sessions_ended: 1, tokens_revoked: 0 },
      },
    ]);
    expect(
      events.every(
        (e) => e.actor_session_id === (e.actor_user_id === admin.userId ? adminSessionId : userSession),
      ),
    ).toBe(true);
    const log = JSON.stringify(await h.db.selectFrom("auth_events").selectAll().execute());
    for (const secret of [PASSWORD, "the-next-pass-phrase", "wrong-password-here", token.body.token]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe("audit - retention of the audit trails", () => {
  const base = { DATABASE_URL: "postgres://127.0.0.1/x", SERVICE_KEYS_DIR: "/keys" };
  const configProblem = (env: Record<string, string>) => {
    try {
      loadGatewayConfig({ ...base, ...env });
    } catch (err) {
      return err;
    }
  };

  it("audit - events are kept 90 days by default", () => {
    const config = loadGatewayConfig(base);
    expect(config.AUTH_EVENT_RETENTION_DAYS).toBe(90);
  });

  it("audit - a retention under the 90 days the database keeps is refused at start, for both trails", () => {
    for (const name of ["AUTH_EVENT_RETENTION_DAYS", "REQUEST_AUDIT_RETENTION_DAYS"]) {
      const problem = configProblem({ [name]: "30" });
      expect(problem).toBeInstanceOf(ConfigError);
      expect((problem as ConfigError).message).toContain(`${name}: must be at least 90`);
      expect(loadGatewayConfig({ ...base, [name]: "90" })).toMatchObject({ [name]: 90 });
    }
  });

  it("audit - the periodic job deletes events past the retention and keeps the rest", async () => {
    const insertAged = (type: string, daysAgo: number) =>
      sql`insert into auth_events (type, at) values (${type}, now() - make_interval(days => ${daysAgo}))`.execute(
        h.db,
      );
    await insertAged("aged_out", 91);
    await insertAged("aged_out", 400);
    await insertAged("still_kept", 89);
    const pruner = createAuthEventPruner({
      db: h.db,
      retentionDays: 90,
      intervalMs: 50,
      logger: testLogger("auth-event-pruner"),
    });
    pruner.start();
    try {
      await eventually(async () => {
        const left = await h.db
          .selectFrom("auth_events")
          .select("type")
          .where("type", "=", "aged_out")
          .execute();
        return left.length === 0;
      });
    } finally {
      await pruner.stop();
    }
    expect(
      await h.db.selectFrom("auth_events").select("type").where("type", "=", "still_kept").execute(),
    ).toHaveLength(1);
  });

  it("audit - request audit rows are kept 365 days by default; the periodic job deletes older ones and keeps the rest", async () => {
    expect(loadGatewayConfig(base).REQUEST_AUDIT_RETENTION_DAYS).toBe(365);
    const insertAged = (requestId: string, daysAgo: number) =>
      sql`insert into request_audit (user_id, method, route, status, request_id, at)
        values (${admin.userId}, 'POST', '/aged', 200, ${requestId}, now() - make_interval(days => ${daysAgo}))`.execute(
        h.db,
      );
    await insertAged("aged-out-1", 366);
    await insertAged("aged-out-2", 900);
    await insertAged("aged-kept", 364);
    const pruner = createRequestAuditPruner({
      db: h.db,
      retentionDays: 365,
      intervalMs: 50,
      logger: testLogger("request-audit-pruner"),
    });
    pruner.start();
    try {
      await eventually(async () => {
        const left = await h.db
          .selectFrom("request_audit")
          .select("request_id")
          .where("request_id", "like", "aged-out-%")
          .execute();
        return left.length === 0;
      });
    } finally {
      await pruner.stop();
    }
    expect(
      await h.db
        .selectFrom("request_audit")
        .select("request_id")
        .where("request_id", "=", "aged-kept")
        .execute(),
    ).toHaveLength(1);
  });

  it("audit - the database refuses to delete request audit rows younger than 90 days, or to change any", async () => {
    await sql`insert into request_audit (user_id, method, route, status, request_id, at)
      values (${admin.userId}, 'POST', '/young', 200, 'young-row', now() - interval '60 days')`.execute(h.db);
    await expect(pruneRequestAudit(h.db, 30, 100)).rejects.toMatchObject({ code: "42501" });
    await expect(
      h.db.updateTable("request_audit").set({ status: 500 }).where("request_id", "=", "young-row").execute(),
    ).rejects.toMatchObject({ code: "42501" });
    expect(
      await h.db.selectFrom("request_audit").select("status").where("request_id", "=", "young-row").execute(),
    ).toEqual([{ status: 200 }]);
  });

  it("audit - the request audit prune statement can use the index on the row time", async () => {
    const plan = await h.db.connection().execute(async (conn) => {
      await sql`set enable_seqscan = off`.execute(conn);
      try {
        const prune = pruneRequestAuditQuery(conn, 365, 5000).compile();
        const { rows } = await conn.executeQuery<{ "QUERY PLAN": string }>(
          CompiledQuery.raw(`explain ${prune.sql}`, [...prune.parameters]),
        );
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      } finally {
        await sql`reset enable_seqscan`.execute(conn);
      }
    });
    expect(plan).toContain("request_audit_at_idx");
  });

  it("audit - the prune statement can use the index on the event time", async () => {
    const plan = await h.db.connection().execute(async (conn) => {
      await sql`set enable_seqscan = off`.execute(conn);
      try {
        const prune = pruneAuthEventsQuery(conn, 90, 5000).compile();
        const { rows } = await conn.executeQuery<{ "QUERY PLAN": string }>(
          CompiledQuery.raw(`explain ${prune.sql}`, [...prune.parameters]),
        );
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      } finally {
        await sql`reset enable_seqscan`.execute(conn);
      }
    });
    expect(plan).toContain("auth_events_at_idx");
  });
});
