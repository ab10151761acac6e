/**
 * The access matrix, generated from the gateway's own route table (the OpenAPI document lists
 * every registered route): each route × {anonymous, owner, other user, admin, revoked token,
 * expired token, read-only token on a write, cookie session without CSRF on a write, an admin's
 * token without the admin scope} → the expected status. The rule of every route is declared once in ROUTE_RULES below; a route the
 * table does not know, or a rule whose route is gone, fails the suite. Requests are valid ones on
 * real resources of the fake backends (an app and its backup owned by "owner", a host, users,
 * sessions and tokens in the gateway's own database), so a refusal can only come from the access
 * rules. Owner, other user and admin call as browsers do (session cookie and CSRF token); the
 * token columns use the owner's (or on admin routes the admin's) API tokens; an admin's token
 * without the admin scope must act as a plain user that is not the owner, on every route.
 */
import { randomUUID } from "node:crypto";
import { applicationsV1 } from "@proximity/proto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredScopes } from "../src/domain/access.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import {
  type Auth,
  createUserAndLogin,
  issueToken,
  login,
  request,
  type Session,
} from "./support/http-client.js";
import { openSse } from "./support/sse-client.js";

type Access = "public" | "user" | "admin";

/** A route of the OpenAPI document, e.g. `POST /api/apps/{id}/action`. */
interface Operation {
  readonly route: string;
  readonly method: string;
  readonly template: string;
  readonly access: Access;
  readonly tags: readonly string[];
}

/** What one valid request of a route is made of, on a fixture. */
interface Sample {
  readonly path: string;
  readonly body?: unknown;
}

/** Fresh resources for one request: the fakes reset and seeded, gateway rows made on demand. */
interface Fixture {
  readonly app: applicationsV1.App;
  readonly backup: { readonly id: string };
  readonly host: { readonly id: string };
  /** The owner of the app, and of the sessions and tokens the samples name. */
  readonly owner: Principal;
  /** A plain user nobody else touches (created once, or anew with `fresh`). */
  victim(options?: { fresh?: boolean }): Promise<string>;
  /** A new token of the owner's, to revoke. */
  ownerTokenId(): Promise<string>;
  /** A new session of the owner's (another browser), to end. */
  ownerSessionId(): Promise<string>;
}

/**
 * A route's rule: its access level (as the route declares it), the status of a valid request by
 * the owner of the resources, another plain user and an admin, and how to make that request.
 * Anonymous, revoked and expired credentials, read-only tokens and cookies without CSRF follow
 * from the access level and the method (see `expectedStatus`).
 */
interface RouteRule {
  readonly access: Access;
  readonly owner: number;
  readonly other: number;
  readonly admin: number;
  readonly request: (f: Fixture) => Sample | Promise<Sample>;
  /**
   * A successful call uses up the caller's credentials (ends their session, revokes their tokens,
   * or logs in over the session a browser still sends): it is made by a new user of the role.
   */
  readonly consumesCaller?: true;
  /** Only a signed-in session may call it: any API token gets 403. */
  readonly sessionOnly?: true;
}

/** Anyone; credentials change nothing. */
const open = (ok: number) => ({ access: "public", owner: ok, other: ok, admin: ok }) as const;
/** Any signed-in user, on their own things (another user's view is their own, not the owner's). */
const signedIn = (ok: number) => ({ access: "user", owner: ok, other: ok, admin: ok }) as const;
/** One app's (or token's) owner and admins; another user learns nothing (404). */
const ownerOrAdmin = (ok: number) => ({ access: "user", owner: ok, other: 404, admin: ok }) as const;
/** The caller's own things only: admins included, another's is 404. */
const ownerOnly = (ok: number) => ({ access: "user", owner: ok, other: 404, admin: 404 }) as const;
/** Admins only. */
const adminOnly = (ok: number) => ({ access: "admin", owner: 403, other: 403, admin: ok }) as const;

const appPath = (f: Fixture, rest = "") => `/api/apps/${f.app.id}${rest}`;
const backupPath = (f: Fixture, rest = "") => appPath(f, `/backups/${f.backup.id}${rest}`);

/** The rule of every route. A new route needs its line here, or the first test fails. */
const ROUTE_RULES: Record<string, RouteRule> = {
  "GET /api/health": { ...open(200), request: () => ({ path: "/api/health" }) },
  "POST /api/auth/login": {
    ...open(200),
    consumesCaller: true,
    request: (f) => ({ path: "/api/auth/login", body: { username: f.owner.username, password: PASSWORD } }),
  },
  "POST /api/auth/logout": {
    ...signedIn(204),
    consumesCaller: true,
    request: () => ({ path: "/api/auth/logout" }),
  },
  "POST /api/auth/password": {
    ...signedIn(200),
    consumesCaller: true,
    sessionOnly: true,
    request: () => ({
      path: "/api/auth/password",
      body: { current_password: PASSWORD, new_password: "another-long-enough-password-456" },
    }),
  },
  "GET /api/auth/sessions": {
    ...signedIn(200),
    sessionOnly: true,
    request: () => ({ path: "/api/auth/sessions" }),
  },
  "DELETE /api/auth/sessions": {
    ...signedIn(200),
    consumesCaller: true,
    sessionOnly: true,
    request: () => ({ path: "/api/auth/sessions" }),
  },
  "DELETE /api/auth/sessions/{id}": {
    ...ownerOnly(204),
    sessionOnly: true,
    request: async (f) => ({ path: `/api/auth/sessions/${await f.ownerSessionId()}` }),
  },
  "GET /api/auth/me": { ...signedIn(200), request: () => ({ path: "/api/auth/me" }) },
  "POST /api/auth/tokens": {
    ...signedIn(201),
    request: () => ({ path: "/api/auth/tokens", body: { name: "matrix", scopes: ["read"] } }),
  },
  "GET /api/auth/tokens": { ...signedIn(200), request: () => ({ path: "/api/auth/tokens?per_page=5" }) },
  "DELETE /api/auth/tokens/{id}": {
    ...ownerOnly(204),
    request: async (f) => ({ path: `/api/auth/tokens/${await f.ownerTokenId()}` }),
  },
  "GET /api/users": { ...adminOnly(200), request: () => ({ path: "/api/users?page=1" }) },
  "POST /api/users": {
    ...adminOnly(201),
    request: () => ({
      path: "/api/users",
      body: { username: `made-${randomUUID().slice(0, 8)}`, password: PASSWORD },
    }),
  },
  "GET /api/users/{id}": {
    ...adminOnly(200),
    request: async (f) => ({ path: `/api/users/${await f.victim()}` }),
  },
  "PATCH /api/users/{id}": {
    ...adminOnly(200),
    request: async (f) => ({ path: `/api/users/${await f.victim()}`, body: { is_active: true } }),
  },
  "DELETE /api/users/{id}": {
    ...adminOnly(204),
    request: async (f) => ({ path: `/api/users/${await f.victim({ fresh: true })}` }),
  },
  "GET /api/users/{id}/quota": {
    ...adminOnly(200),
    request: async (f) => ({ path: `/api/users/${await f.victim()}/quota` }),
  },
  "PUT /api/users/{id}/quota": {
    ...adminOnly(200),
    request: async (f) => ({ path: `/api/users/${await f.victim()}/quota`, body: { max_apps: 3 } }),
  },
  "GET /api/catalog": { ...signedIn(200), request: () => ({ path: "/api/catalog?search=ng" }) },
  "GET /api/catalog/categories": { ...signedIn(200), request: () => ({ path: "/api/catalog/categories" }) },
  "GET /api/catalog/{app_id}": { ...signedIn(200), request: () => ({ path: "/api/catalog/nginx" }) },
  "POST /api/catalog/reload": { ...adminOnly(200), request: () => ({ path: "/api/catalog/reload" }) },
  "GET /api/apps": { ...signedIn(200), request: () => ({ path: "/api/apps?status=running" }) },
  "POST /api/apps": {
    ...signedIn(202),
    request: () => ({ path: "/api/apps", body: { catalog_id: "nginx", hostname: "matrix-web" } }),
  },
  "GET /api/apps/{id}": { ...ownerOrAdmin(200), request: (f) => ({ path: appPath(f) }) },
  "DELETE /api/apps/{id}": { ...ownerOrAdmin(202), request: (f) => ({ path: appPath(f, "?backups=keep") }) },
  "GET /api/apps/{id}/logs": {
    ...ownerOrAdmin(200),
    request: (f) => ({ path: appPath(f, "/logs?limit=10") }),
  },
  "GET /api/apps/{id}/events": { ...ownerOrAdmin(200), request: (f) => ({ path: appPath(f, "/events") }) },
  "POST /api/apps/{id}/action": {
    ...ownerOrAdmin(202),
    request: (f) => ({ path: appPath(f, "/action"), body: { action: "restart" } }),
  },
  "POST /api/apps/{id}/clone": {
    ...ownerOrAdmin(202),
    request: (f) => ({ path: appPath(f, "/clone"), body: { new_hostname: "copy-1" } }),
  },
  "GET /api/apps/discover": {
    ...adminOnly(200),
    request: (f) => ({ path: `/api/apps/discover?host_id=${f.host.id}` }),
  },
  "POST /api/apps/adopt": {
    ...adminOnly(202),
    request: (f) => ({ path: "/api/apps/adopt", body: { host_id: f.host.id, node: "pve1", vmid: 150 } }),
  },
  "GET /api/backups": { ...signedIn(200), request: () => ({ path: "/api/backups?per_page=5" }) },
  "GET /api/apps/{id}/backups": {
    ...ownerOrAdmin(200),
    request: (f) => ({ path: appPath(f, "/backups?status=completed") }),
  },
  "POST /api/apps/{id}/backups": {
    ...ownerOrAdmin(202),
    request: (f) => ({ path: appPath(f, "/backups"), body: { mode: "stop", compression: "gzip" } }),
  },
  "GET /api/apps/{id}/backups/{backup_id}": {
    ...ownerOrAdmin(200),
    request: (f) => ({ path: backupPath(f) }),
  },
  "DELETE /api/apps/{id}/backups/{backup_id}": {
    ...ownerOrAdmin(202),
    request: (f) => ({ path: backupPath(f) }),
  },
  "POST /api/apps/{id}/backups/{backup_id}/restore": {
    ...ownerOrAdmin(202),
    request: (f) => ({ path: backupPath(f, "/restore"), body: {} }),
  },
  "GET /api/apps/{id}/backup-policy": {
    ...ownerOrAdmin(200),
    request: (f) => ({ path: appPath(f, "/backup-policy") }),
  },
  "PUT /api/apps/{id}/backup-policy": {
    ...ownerOrAdmin(200),
    request: (f) => ({
      path: appPath(f, "/backup-policy"),
      body: { enabled: true, schedule: "0 4 * * *", keep_daily: 7 },
    }),
  },
  "GET /api/proxmox/hosts": { ...adminOnly(200), request: () => ({ path: "/api/proxmox/hosts" }) },
  "POST /api/proxmox/hosts": {
    ...adminOnly(201),
    request: () => ({
      path: "/api/proxmox/hosts",
      body: {
        name: `pve-${randomUUID().slice(0, 8)}`,
        address: "10.0.0.9",
        auth_mode: "api_token",
        username: "root@pam!proximity",
        api_secret: "secret",
        ssh_username: "root",
        ssh_password: "pw",
        tls_fingerprint: Array.from({ length: 32 }, () => "AB").join(":"),
        nodes: [{ name: "pve1", ssh_host: "10.0.0.9", trust_on_first_use: true }],
      },
    }),
  },
  "GET /api/proxmox/hosts/{id}": {
    ...adminOnly(200),
    request: (f) => ({ path: `/api/proxmox/hosts/${f.host.id}` }),
  },
  "PUT /api/proxmox/hosts/{id}": {
    ...adminOnly(200),
    request: (f) => ({ path: `/api/proxmox/hosts/${f.host.id}`, body: { backup_storage: "local" } }),
  },
  "DELETE /api/proxmox/hosts/{id}": {
    ...adminOnly(204),
    request: (f) => ({ path: `/api/proxmox/hosts/${f.host.id}` }),
  },
  "POST /api/proxmox/hosts/{id}/test": {
    ...adminOnly(202),
    request: (f) => ({ path: `/api/proxmox/hosts/${f.host.id}/test` }),
  },
  "POST /api/proxmox/hosts/{id}/sync-nodes": {
    ...adminOnly(202),
    request: (f) => ({ path: `/api/proxmox/hosts/${f.host.id}/sync-nodes` }),
  },
  "GET /api/proxmox/nodes": {
    ...adminOnly(200),
    request: (f) => ({ path: `/api/proxmox/nodes?host_id=${f.host.id}` }),
  },
};

/** The columns of the matrix. */
const COLUMNS = [
  "anonymous",
  "owner",
  "other user",
  "admin",
  "revoked token",
  "expired token",
  "read-only token",
  "cookie without CSRF",
  "admin's token without admin scope",
] as const;
type Column = (typeof COLUMNS)[number];

/**
 * The expected status of a column on a route, or undefined where the column does not apply
 * (read-only tokens and missing CSRF tokens only matter on writes). Credentials of the revoked,
 * expired, read-only and cookie columns belong to an admin on admin routes and to the owner
 * elsewhere, so their refusal is the one under test rather than the admin check.
 */
function expectedStatus(rule: RouteRule, column: Column, method: string): number | undefined {
  const write = requiredScopes(method, rule.access).includes("write");
  const byPrivilegedCaller = rule.access === "admin" ? rule.admin : rule.owner;
  switch (column) {
    case "owner":
      return rule.owner;
    case "other user":
      return rule.other;
    case "admin":
      return rule.admin;
    case "anonymous":
    case "revoked token":
    case "expired token":
      // A public route ignores a credential that does not work: it answers as for anyone.
      return rule.access === "public" ? byPrivilegedCaller : 401;
    case "read-only token":
      if (!write) return undefined;
      return rule.access === "public" ? byPrivilegedCaller : 403;
    case "cookie without CSRF":
      // Also on the public login: a browser holding a session proves the request is its own.
      return write ? 403 : undefined;
    case "admin's token without admin scope":
      // A plain user who is not the owner: admin routes lack the scope, owners' things are 404.
      if (rule.access === "public") return byPrivilegedCaller;
      if (rule.access === "admin" || rule.sessionOnly) return 403;
      return rule.other;
  }
}

const PASSWORD = "a-long-enough-password-123";

interface Principal {
  readonly id: string;
  readonly username: string;
  /** A browser: session cookie and CSRF token. */
  readonly session: Session;
}

/** Who plays each role in a case. */
interface Cast {
  readonly owner: Principal;
  readonly other: Principal;
  readonly admin: Principal;
}

/** The API tokens of the token columns, of the owner (user routes) and of the admin (admin routes). */
interface ColumnTokens {
  readonly revoked: string;
  readonly expired: string;
  readonly readOnly: string;
}

let h: Harness;
let operations: Operation[];
let cast: Cast;
let tokens: { user: ColumnTokens; admin: ColumnTokens; adminWithoutAdminScope: string };
let sharedVictim: string | undefined;
/** A second session per owner, for the route that ends one (made again once it has been ended). */
const spareSessions = new Map<string, string>();
/** Apps of earlier fixtures: an event stream of an earlier case may still poll them for a moment. */
const earlierAppIds = new Set<string>();

/** The route table, as the OpenAPI document publishes it. */
async function routeTable(): Promise<Operation[]> {
  const doc = await request(h.url, "GET", "/api/openapi.json");
  const ops: Operation[] = [];
  for (const [template, methods] of Object.entries<Record<string, { "x-access": Access; tags?: string[] }>>(
    doc.body.paths,
  )) {
    for (const [method, op] of Object.entries(methods)) {
      const upper = method.toUpperCase();
      ops.push({
        route: `${upper} ${template}`,
        method: upper,
        template,
        access: op["x-access"],
        tags: op.tags ?? [],
      });
    }
  }
  return ops;
}

/**
 * A user row with the password PASSWORD, written straight to the database: the account routes
 * are under test elsewhere, and each scrypt hash costs a good part of a second on this machine.
 */
async function insertUser(prefix: string, isAdmin = false): Promise<{ id: string; username: string }> {
  const username = `${prefix}-${randomUUID().slice(0, 8)}`;
  const { rows } = await sql<{ id: string }>`insert into users (username, password_hash, is_admin)
    select ${username}, password_hash, ${isAdmin} from users where id = ${cast.owner.id} returning id`.execute(
    h.db,
  );
  return { id: rows[0]!.id, username };
}

/** A new user of the role, signed in. */
async function newPrincipal(role: keyof Cast): Promise<Principal> {
  const user = await insertUser(role, role === "admin");
  return { ...user, session: await login(h.url, user.username, PASSWORD) };
}

async function revokedToken(session: Session, scopes: string[]): Promise<string> {
  const res = await request(h.url, "POST", "/api/auth/tokens", {
    auth: session,
    body: { name: "revoked", scopes },
  });
  expect(res.status).toBe(201);
  expect((await request(h.url, "DELETE", `/api/auth/tokens/${res.body.id}`, { auth: session })).status).toBe(
    204,
  );
  return res.body.token;
}

async function expiredToken(session: Session, scopes: string[]): Promise<string> {
  const token = await issueToken(h.url, session, { name: "expired", scopes });
  const id = token.split("_")[1]!;
  // Back in time: issued two hours ago for one hour (created_at is not writable through the table type).
  await sql`update api_tokens set created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
    where id = ${id}`.execute(h.db);
  return token;
}

async function columnTokens(session: Session, scopes: string[]): Promise<ColumnTokens> {
  return {
    revoked: await revokedToken(session, scopes),
    expired: await expiredToken(session, scopes),
    readOnly: await issueToken(h.url, session, {
      name: "read-only",
      scopes: scopes.filter((s) => s !== "write"),
    }),
  };
}

beforeAll(async () => {
  h = await startHarness();
  const adminSession = await login(h.url, "admin", ADMIN_PASSWORD);
  const admin = { id: adminSession.userId, username: "admin", session: adminSession };
  const owner = await createUserAndLogin(h.url, adminSession, "matrix-owner", { password: PASSWORD });
  cast = { admin, owner: { id: owner.userId, username: "matrix-owner", session: owner }, other: admin };
  cast = { ...cast, other: await newPrincipal("other") };
  tokens = {
    user: await columnTokens(cast.owner.session, ["read", "write"]),
    admin: await columnTokens(cast.admin.session, ["read", "write", "admin"]),
    adminWithoutAdminScope: await issueToken(h.url, cast.admin.session, {
      name: "admin-without-admin-scope",
      scopes: ["read", "write"],
    }),
  };
  operations = await routeTable();
});
afterAll(async () => {
  await h?.stop();
});

/** The credentials a column sends on a route, from the case's cast. */
function credentialsOf(column: Column, access: Access, c: Cast): Auth {
  const forAdmin = access === "admin";
  const columnToken = tokens[forAdmin ? "admin" : "user"];
  switch (column) {
    case "anonymous":
      return {};
    case "owner":
      return c.owner.session;
    case "other user":
      return c.other.session;
    case "admin":
      return c.admin.session;
    case "revoked token":
      return { bearer: columnToken.revoked };
    case "expired token":
      return { bearer: columnToken.expired };
    case "read-only token":
      return { bearer: columnToken.readOnly };
    case "cookie without CSRF":
      return { cookie: (forAdmin ? c.admin : c.owner).session.cookie };
    case "admin's token without admin scope":
      return { bearer: tokens.adminWithoutAdminScope };
  }
}

/** The role a column's caller plays, for the columns that sign in as someone. */
const ROLE_OF: Partial<Record<Column, keyof Cast>> = {
  owner: "owner",
  "other user": "other",
  admin: "admin",
};

/** Resets the fakes and seeds the owner's running app with one backup, and a host. */
function freshFixture(c: Cast): Fixture {
  h.fakes.reset();
  const app = h.fakes.apps.seed({
    ownerId: c.owner.id,
    status: applicationsV1.AppStatus.APP_STATUS_RUNNING,
    vmid: 120,
  });
  earlierAppIds.add(app.id);
  const backup = h.fakes.backups.seed({ appId: app.id, ownerId: c.owner.id });
  const host = h.fakes.hosts.seed();
  return {
    app,
    backup,
    host,
    owner: c.owner,
    async victim({ fresh = false } = {}) {
      if (!fresh && sharedVictim) return sharedVictim;
      const { id } = await insertUser("victim");
      if (!fresh) sharedVictim = id;
      return id;
    },
    async ownerTokenId() {
      const token = await issueToken(h.url, c.owner.session, { name: "to-revoke", scopes: ["read"] });
      return token.split("_")[1]!;
    },
    async ownerSessionId() {
      // Another browser of the owner's, kept while no case ends it.
      const spare = spareSessions.get(c.owner.id);
      const live =
        spare && (await h.db.selectFrom("sessions").select("id").where("id", "=", spare).executeTakeFirst());
      if (live) return live.id;
      const browser = await login(h.url, c.owner.username, PASSWORD);
      const listed = await request(h.url, "GET", "/api/auth/sessions?per_page=100", { auth: browser });
      const id = listed.body.items.find((session: { current: boolean }) => session.current).id;
      spareSessions.set(c.owner.id, id);
      return id;
    },
  };
}

/** What a refused request must leave as it was: the fakes' stores and the gateway's accounts. */
async function stateOf(f: Fixture) {
  const users = await h.db
    .selectFrom("users")
    .select(["id", "is_admin", "is_active", "password_hash"])
    .orderBy("id")
    .execute();
  const apiTokens = await h.db.selectFrom("api_tokens").select(["id", "revoked_at"]).orderBy("id").execute();
  const sessions = await h.db.selectFrom("sessions").select(["id"]).orderBy("id").execute();
  return {
    apps: h.fakes.apps.all(),
    backups: h.fakes.backups.all(),
    host: h.fakes.hosts.get(f.host.id),
    quotas: [...h.fakes.apps.quotas],
    users,
    apiTokens,
    sessions,
  };
}

/** Calls that reached a fake, leaving out event-stream polls of earlier cases' apps. */
function forwardedCalls(current: Fixture) {
  return h.fakes.calls.filter((c) => {
    const text = JSON.stringify(c.request);
    return ![...earlierAppIds].some((id) => id !== current.app.id && text.includes(id));
  });
}

/** Status of one call; an event stream is closed as soon as it answered. */
async function statusOf(method: string, sample: Sample, auth: Auth): Promise<number> {
  if (sample.path.endsWith("/events")) {
    const sse = await openSse(h.url, sample.path, { auth });
    sse.close();
    return sse.status;
  }
  return (await request(h.url, method, sample.path, { auth, body: sample.body })).status;
}

describe("access control - the matrix over the route table", () => {
  it("access control - every route has its rule, with the access level the route declares", () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    expect(operations.map((op) => op.route).sort()).toEqual(Object.keys(ROUTE_RULES).sort());
    expect(operations.map((op) => ({ route: op.route, access: op.access }))).toEqual(
      operations.map((op) => ({ route: op.route, access: ROUTE_RULES[op.route]?.access })),
    );
  });

  it("access control - backup routes are tagged backups and open to their app's owner", () => {
    const backupRoutes = operations.filter((op) => op.template.includes("backup"));
    expect(backupRoutes).toHaveLength(8);
    for (const op of backupRoutes) {
      expect({ route: op.route, tags: op.tags, access: op.access }).toEqual({
        route: op.route,
        tags: ["backups"],
        access: "user",
      });
    }
  });

  for (const column of COLUMNS) {
    it(`access control - ${column}: the expected status on every route, nothing changed when refused`, async () => {
      const expected: { route: string; status: number; refusedWithoutEffect?: true }[] = [];
      const actual: typeof expected = [];
      for (const op of operations) {
        const rule = ROUTE_RULES[op.route];
        if (!rule) throw new Error(`${op.route} has no rule in ROUTE_RULES`);
        const want = expectedStatus(rule, column, op.method);
        if (want === undefined) continue;
        const role = ROLE_OF[column];
        const caseCast =
          rule.consumesCaller && role && want < 400 ? { ...cast, [role]: await newPrincipal(role) } : cast;
        const fixture = freshFixture(caseCast);
        const sample = await rule.request(fixture);
        const before = await stateOf(fixture);
        h.fakes.calls.length = 0;
        const status = await statusOf(op.method, sample, credentialsOf(column, op.access, caseCast));
        expected.push({
          route: op.route,
          status: want,
          ...(want >= 400 ? { refusedWithoutEffect: true } : {}),
        });
        // Refused: the state is as it was, and nothing reached a service unless it had to decide
        // (another user's app is refused by the applications service itself: 404).
        const untouched = JSON.stringify(await stateOf(fixture)) === JSON.stringify(before);
        const forwarded = forwardedCalls(fixture).length > 0;
        const refusedWithoutEffect = status >= 400 && untouched && (status === 404 || !forwarded);
        actual.push({
          route: op.route,
          status,
          ...(refusedWithoutEffect ? { refusedWithoutEffect: true } : {}),
        });
      }
      expect(actual).toEqual(expected);
    });
  }

  it("access control - refusals say why: not signed in, bad token, token scope, CSRF, admin rights", async () => {
    const f = freshFixture(cast);
    const write = (auth: Auth, path = appPath(f, "/action")) =>
      request(h.url, "POST", path, { auth, body: { action: "restart" } });
    expect((await write({})).body).toEqual({ detail: "Not authenticated" });
    expect((await write({ bearer: tokens.user.expired })).body).toEqual({
      detail: "Invalid or expired API token",
    });
    expect((await write({ bearer: tokens.user.revoked })).body).toEqual({
      detail: "Invalid or expired API token",
    });
    expect((await write({ bearer: tokens.user.readOnly })).body).toEqual({
      detail: "API token lacks the write scope",
    });
    expect((await write({ cookie: cast.owner.session.cookie })).body).toEqual({
      detail: "CSRF token missing or invalid",
    });
    expect((await write(cast.owner.session, "/api/catalog/reload")).body).toEqual({
      detail: "Admin rights required",
    });
  });

  it("access control - an admin's token without the admin scope: no admin-only choice, and the services see a plain user", async () => {
    const f = freshFixture(cast);
    // The admin's own app: only the admin-only choice can be what is refused.
    const own = h.fakes.apps.seed({
      ownerId: cast.admin.id,
      status: applicationsV1.AppStatus.APP_STATUS_RUNNING,
      vmid: 121,
    });
    const bearer = { bearer: tokens.adminWithoutAdminScope };
    const refused = [
      await request(h.url, "POST", "/api/apps", {
        auth: bearer,
        body: { catalog_id: "nginx", hostname: "placed-1", host_id: f.host.id, node: "pve1" },
      }),
      await request(h.url, "POST", `/api/apps/${own.id}/backups`, {
        auth: bearer,
        body: { mode: "stop", storage: "local" },
      }),
      await request(h.url, "DELETE", `/api/apps/${own.id}?destroy_container=true`, { auth: bearer }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(h.fakes.callsTo("deployApp")).toHaveLength(0);
    expect(h.fakes.callsTo("createBackup")).toHaveLength(0);
    expect(h.fakes.callsTo("deleteApp")).toHaveLength(0);
    // The owner's app is another user's to this caller: 404, asked as a non-admin.
    h.fakes.calls.length = 0;
    expect((await request(h.url, "GET", appPath(f), { auth: bearer })).status).toBe(404);
    expect((await request(h.url, "GET", backupPath(f), { auth: bearer })).status).toBe(404);
    expect(forwardedCalls(f).map((c) => ({ service: c.service, user: c.user }))).toEqual([
      { service: "applications", user: { id: cast.admin.id, isAdmin: false } },
      { service: "applications", user: { id: cast.admin.id, isAdmin: false } },
    ]);
  });

  it("access control - another user's lists hold none of the owner's apps or backups", async () => {
    freshFixture(cast);
    for (const path of ["/api/apps", "/api/backups"]) {
      const res = await request(h.url, "GET", path, { auth: cast.other.session });
      expect({ path, status: res.status, items: res.body.items, total: res.body.total }).toEqual({
        path,
        status: 200,
        items: [],
        total: 0,
      });
    }
  });

  it("access control - admins reach backups straight; users are shown the app first", async () => {
    for (const who of [cast.owner, cast.admin]) {
      const f = freshFixture(cast);
      const res = await request(h.url, "GET", backupPath(f), { auth: who.session });
      expect(res.status).toBe(200);
      expect({ who: who.username, first: forwardedCalls(f)[0]?.service }).toEqual({
        who: who.username,
        first: who === cast.admin ? "backups" : "applications",
      });
    }
  });
});
