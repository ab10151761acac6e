import { randomUUID } from "node:crypto";
import { applicationsV1, type backupsV1 } from "@proximity/proto";
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

interface Operation {
  readonly method: string;
  readonly tags: readonly string[];
  /** The OpenAPI path, e.g. /api/apps/{id}/action. */
  readonly template: string;
  readonly path: string;
  readonly access: "public" | "user" | "admin";
}

let h: Harness;
let admin: Session;
let user: Session;
let operations: Operation[];

/** The route table, as the OpenAPI document publishes it, with ids filled in. */
async function routeTable(): Promise<Operation[]> {
  const doc = await request(h.url, "GET", "/api/openapi.json");
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<
    Record<string, { "x-access": Operation["access"]; tags?: string[] }>
  >(doc.body.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const concrete = path.replace("{app_id}", "nginx").replace(/\{[a-z_]+\}/g, randomUUID());
      ops.push({
        method: method.toUpperCase(),
        tags: op.tags ?? [],
        template: path,
        path: concrete,
        access: op["x-access"],
      });
    }
  }
  return ops;
}

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  user = await createUserAndLogin(h.url, admin, "plain-user");
  operations = await routeTable();
});
afterAll(async () => {
  await h?.stop();
});

describe("access control - over the whole route table", () => {
  it("access control - the table covers the public surface with an access level on every route", () => {
    expect(operations.length).toBeGreaterThanOrEqual(25);
    expect(operations.every((op) => ["public", "user", "admin"].includes(op.access))).toBe(true);
    const publicOps = operations
      .filter((op) => op.access === "public")
      .map((op) => `${op.method} ${op.path}`);
    expect(publicOps.sort()).toEqual(["GET /api/health", "POST /api/auth/login"]);
  });

  it("access control - anonymous callers get 401 on every protected route and nothing is forwarded", async () => {
    h.fakes.reset();
    for (const op of operations.filter((o) => o.access !== "public")) {
      const res = await request(h.url, op.method, op.path, {
        body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
      });
      expect({ route: `${op.method} ${op.path}`, status: res.status, body: res.body }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 401,
        body: { detail: "Not authenticated" },
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("access control - non-admins get 403 on every admin route and nothing is forwarded", async () => {
    h.fakes.reset();
    const adminOps = operations.filter((o) => o.access === "admin");
    expect(adminOps.map((op) => `${op.method} ${op.template}`).sort()).toEqual([
      "DELETE /api/proxmox/hosts/{id}",
      "DELETE /api/users/{id}",
      "GET /api/apps/discover",
      "GET /api/proxmox/hosts",
      "GET /api/proxmox/hosts/{id}",
      "GET /api/proxmox/nodes",
      "GET /api/users",
      "GET /api/users/{id}",
      "GET /api/users/{id}/quota",
      "PATCH /api/users/{id}",
      "POST /api/apps/adopt",
      "POST /api/catalog/reload",
      "POST /api/proxmox/hosts",
      "POST /api/proxmox/hosts/{id}/sync-nodes",
      "POST /api/proxmox/hosts/{id}/test",
      "POST /api/users",
      "PUT /api/proxmox/hosts/{id}",
      "PUT /api/users/{id}/quota",
    ]);
    for (const op of adminOps) {
      const res = await request(h.url, op.method, op.path, {
        auth: user,
        body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
      });
      expect({ route: `${op.method} ${op.path}`, status: res.status }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 403,
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("access control - admins pass the access check on every admin route", async () => {
    for (const op of operations.filter((o) => o.access === "admin")) {
      const res = await request(h.url, op.method, op.path, {
        auth: admin,
        body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
      });
      expect({ route: `${op.method} ${op.path}`, refused: [401, 403].includes(res.status) }).toEqual({
        route: `${op.method} ${op.path}`,
        refused: false,
      });
    }
  });

  it("access control - signed-in users read the catalog and their apps", async () => {
    for (const path of [
      "/api/catalog",
      "/api/catalog/categories",
      "/api/catalog/nginx",
      "/api/apps",
      "/api/auth/me",
    ]) {
      const res = await request(h.url, "GET", path, { auth: user });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });

  it("access control - cookie sessions without the CSRF token are refused on every unsafe route, nothing forwarded", async () => {
    h.fakes.reset();
    const unsafe = operations.filter((o) => o.access !== "public" && !["GET", "HEAD"].includes(o.method));
    expect(unsafe.length).toBeGreaterThanOrEqual(15);
    for (const op of unsafe) {
      const session = op.access === "admin" ? admin : user;
      const res = await request(h.url, op.method, op.path, {
        auth: { cookie: session.cookie },
        body: op.method === "DELETE" ? undefined : {},
      });
      expect({ route: `${op.method} ${op.template}`, status: res.status, body: res.body }).toEqual({
        route: `${op.method} ${op.template}`,
        status: 403,
        body: { detail: "CSRF token missing or invalid" },
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("access control - a read-only API token is refused on every unsafe route, nothing forwarded", async () => {
    const readOnly = await issueToken(h.url, admin, { name: "read-only", scopes: ["read", "admin"] });
    h.fakes.reset();
    for (const op of operations.filter((o) => o.access !== "public" && o.method !== "GET")) {
      const res = await request(h.url, op.method, op.path, {
        auth: { bearer: readOnly },
        body: op.method === "DELETE" ? undefined : {},
      });
      expect({ route: `${op.method} ${op.template}`, status: res.status, detail: res.body.detail }).toEqual({
        route: `${op.method} ${op.template}`,
        status: 403,
        detail: "API token lacks the write scope",
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });
});

/** A valid request for one route. */
interface Sample {
  readonly body?: unknown;
  readonly query?: string;
}

/**
 * The rule of every backup route: open to signed-in users (the owner or an admin get through;
 * another user sees 404 on an app's routes and only their own backups in the list), and the token
 * scope it needs. A backup route without a rule here fails the first backup test below.
 */
const BACKUP_ROUTE_RULES: Record<string, { readonly sample: Sample; readonly scope: "read" | "write" }> = {
  "GET /api/backups": { sample: { query: "?per_page=5" }, scope: "read" },
  "GET /api/apps/{id}/backups": { sample: { query: "?status=completed" }, scope: "read" },
  "POST /api/apps/{id}/backups": { sample: { body: { mode: "stop", compression: "gzip" } }, scope: "write" },
  "GET /api/apps/{id}/backups/{backup_id}": { sample: {}, scope: "read" },
  "POST /api/apps/{id}/backups/{backup_id}/restore": { sample: { body: {} }, scope: "write" },
  "DELETE /api/apps/{id}/backups/{backup_id}": { sample: {}, scope: "write" },
  "GET /api/apps/{id}/backup-policy": { sample: {}, scope: "read" },
  "PUT /api/apps/{id}/backup-policy": {
    sample: { body: { enabled: true, schedule: "0 4 * * *", keep_daily: 7 } },
    scope: "write",
  },
};

/** A valid request for every route on one app; a new app route without an entry fails the test below. */
const APP_ROUTE_REQUESTS: Record<string, Sample> = {
  "GET /api/apps/{id}": {},
  "GET /api/apps/{id}/logs": { query: "?limit=10" },
  "GET /api/apps/{id}/events": {},
  "POST /api/apps/{id}/action": { body: { action: "restart" } },
  "DELETE /api/apps/{id}": { query: "?backups=keep" },
  "POST /api/apps/{id}/clone": { body: { new_hostname: "copy-1" } },
  ...Object.fromEntries(
    Object.entries(BACKUP_ROUTE_RULES)
      .filter(([route]) => route.includes("/api/apps/{id}"))
      .map(([route, rule]) => [route, rule.sample]),
  ),
};

/** A running app of `user` with one completed backup: the target of every sample request. */
function seedAppWithBackup(): { app: applicationsV1.App; backup: backupsV1.Backup } {
  const app = h.fakes.apps.seed({
    ownerId: user.userId,
    status: applicationsV1.AppStatus.APP_STATUS_RUNNING,
    vmid: 120,
  });
  const backup = h.fakes.backups.seed({ appId: app.id, ownerId: user.userId });
  return { app, backup };
}

/** The sample request's path for a route template, on the given app and backup. */
function pathOf(template: string, sample: Sample, ids: { app: { id: string }; backup: { id: string } }) {
  return template.replace("{id}", ids.app.id).replace("{backup_id}", ids.backup.id) + (sample.query ?? "");
}

/** Status of one call; event streams are closed as soon as they answered. */
async function statusOf(method: string, path: string, auth: Session, body?: unknown): Promise<number> {
  if (path.endsWith("/events")) {
    const sse = await openSse(h.url, path, { auth });
    sse.close();
    return sse.status;
  }
  return (await request(h.url, method, path, { auth, body })).status;
}

describe("access control - one app's routes: owner or admin, others see nothing", () => {
  const appRoutes = () => operations.filter((o) => o.template.startsWith("/api/apps/{id}"));

  it("access control - every app route has a sample request here", () => {
    expect(appRoutes().length).toBeGreaterThanOrEqual(7);
    expect(
      appRoutes()
        .map((o) => `${o.method} ${o.template}`)
        .sort(),
    ).toEqual(Object.keys(APP_ROUTE_REQUESTS).sort());
  });

  it("access control - another user gets 404 on every app route and the app is untouched", async () => {
    const intruder = await createUserAndLogin(h.url, admin, `intruder-${Date.now()}`);
    h.fakes.reset();
    const seeded = seedAppWithBackup();
    for (const op of appRoutes()) {
      const sample = APP_ROUTE_REQUESTS[`${op.method} ${op.template}`]!;
      const status = await statusOf(op.method, pathOf(op.template, sample, seeded), intruder, sample.body);
      expect({ route: `${op.method} ${op.template}`, status }).toEqual({
        route: `${op.method} ${op.template}`,
        status: 404,
      });
    }
    expect(h.fakes.apps.all()).toEqual([seeded.app]);
    expect(h.fakes.backups.all()).toEqual([seeded.backup]);
    expect(h.fakes.callsOf("backups")).toHaveLength(0);
  });

  it("access control - the owner and an admin are allowed on every app route", async () => {
    for (const who of [user, admin]) {
      for (const op of appRoutes()) {
        h.fakes.reset();
        const seeded = seedAppWithBackup();
        const sample = APP_ROUTE_REQUESTS[`${op.method} ${op.template}`]!;
        const status = await statusOf(op.method, pathOf(op.template, sample, seeded), who, sample.body);
        expect({
          who: who.userId,
          route: `${op.method} ${op.template}`,
          ok: status >= 200 && status < 300,
        }).toEqual({
          who: who.userId,
          route: `${op.method} ${op.template}`,
          ok: true,
        });
      }
    }
  });
});

describe("access control - backup routes: each has its rule", () => {
  const backupRoutes = () =>
    operations.filter((o) => o.tags.includes("backups") || o.template.includes("backup"));
  /** Each backup route with its rule and, on a fresh app with a backup, its request path. */
  const cases = () =>
    backupRoutes().map((op) => {
      const route = `${op.method} ${op.template}`;
      const rule = BACKUP_ROUTE_RULES[route];
      if (!rule) throw new Error(`${route} has no rule in BACKUP_ROUTE_RULES`);
      return { op, route, rule, write: rule.scope === "write" };
    });
  const call = (method: string, path: string, auth: Auth, sample: Sample) =>
    request(h.url, method, path, { auth, body: sample.body });
  /**
   * Calls that reached a fake about the seeded app or its backup, and any call to the backups
   * service. (An event stream of an earlier test may still poll for a moment: those do not count.)
   */
  const forwarded = (seeded: { app: { id: string }; backup: { id: string } }) =>
    h.fakes.calls.filter(
      (c) =>
        c.service === "backups" ||
        JSON.stringify(c.request).includes(seeded.app.id) ||
        JSON.stringify(c.request).includes(seeded.backup.id),
    );

  it("access control - every backup route has a rule, the backups tag, user access and the scope its method needs", () => {
    expect(
      backupRoutes()
        .map((o) => `${o.method} ${o.template}`)
        .sort(),
    ).toEqual(Object.keys(BACKUP_ROUTE_RULES).sort());
    for (const { op, route, rule } of cases()) {
      expect({ route, tags: op.tags, access: op.access, scope: rule.scope }).toEqual({
        route,
        tags: ["backups"],
        access: "user",
        scope: requiredScopes(op.method, "user")[0],
      });
    }
  });

  it("access control - anonymous callers get 401 on every backup route, nothing forwarded", async () => {
    h.fakes.reset();
    const seeded = seedAppWithBackup();
    for (const { op, route, rule } of cases()) {
      const res = await call(op.method, pathOf(op.template, rule.sample, seeded), {}, rule.sample);
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
    }
    expect(forwarded(seeded)).toEqual([]);
  });

  it("access control - another user gets 404 on one app's backup routes and none of its backups in the list", async () => {
    const intruder = await createUserAndLogin(h.url, admin, `backup-intruder-${Date.now()}`);
    h.fakes.reset();
    const seeded = seedAppWithBackup();
    for (const { op, route, rule } of cases()) {
      const res = await call(op.method, pathOf(op.template, rule.sample, seeded), intruder, rule.sample);
      const expected = op.template === "/api/backups" ? 200 : 404;
      expect({ route, status: res.status }).toEqual({ route, status: expected });
      if (expected === 200) expect(res.body).toMatchObject({ items: [], total: 0 });
    }
    // Refused by the applications service before the backups service was asked (only the list reached it).
    expect(h.fakes.callsOf("backups").map((c) => c.rpc)).toEqual(["listBackups"]);
    expect(h.fakes.backups.all()).toEqual([seeded.backup]);
    expect(h.fakes.apps.all()).toEqual([seeded.app]);
  });

  it("access control - the owner and an admin are allowed on every backup route; admins skip the app check", async () => {
    for (const who of [user, admin]) {
      for (const { op, route, rule } of cases()) {
        h.fakes.reset();
        const seeded = seedAppWithBackup();
        const res = await call(op.method, pathOf(op.template, rule.sample, seeded), who, rule.sample);
        expect({ who: who.userId, route, ok: res.status >= 200 && res.status < 300 }).toEqual({
          who: who.userId,
          route,
          ok: true,
        });
        // Admins go straight to the backups service (they reach backups of deleted apps too).
        expect({ route, first: forwarded(seeded)[0]?.service }).toEqual({
          route,
          first: who === admin || op.template === "/api/backups" ? "backups" : "applications",
        });
      }
    }
  });

  it("access control - a read-only token reads backups but is refused every backup write, nothing forwarded", async () => {
    const readOnly = await issueToken(h.url, user, { name: "backups-read", scopes: ["read"] });
    for (const { op, route, rule, write } of cases()) {
      h.fakes.reset();
      const seeded = seedAppWithBackup();
      const res = await call(
        op.method,
        pathOf(op.template, rule.sample, seeded),
        { bearer: readOnly },
        rule.sample,
      );
      expect({ route, status: res.status, detail: write ? res.body.detail : undefined }).toEqual({
        route,
        status: write ? 403 : 200,
        detail: write ? "API token lacks the write scope" : undefined,
      });
      if (write) expect(forwarded(seeded)).toEqual([]);
    }
  });

  it("access control - a cookie session without X-CSRF-Token is refused every backup write, nothing forwarded", async () => {
    const writes = cases().filter((c) => c.write);
    expect(writes.length).toBe(4);
    for (const { op, route, rule } of writes) {
      h.fakes.reset();
      const seeded = seedAppWithBackup();
      const path = pathOf(op.template, rule.sample, seeded);
      const res = await call(op.method, path, { cookie: user.cookie }, rule.sample);
      expect({ route, status: res.status, body: res.body }).toEqual({
        route,
        status: 403,
        body: { detail: "CSRF token missing or invalid" },
      });
      expect(forwarded(seeded)).toEqual([]);
      // The same request with the token gets through.
      expect((await call(op.method, path, user, rule.sample)).status).toBe(op.method === "PUT" ? 200 : 202);
    }
  });
});
