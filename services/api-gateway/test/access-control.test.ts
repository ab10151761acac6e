import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";
import { openSse } from "./support/sse-client.js";

interface Operation {
  readonly method: string;
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
  for (const [path, methods] of Object.entries<Record<string, { "x-access": Operation["access"] }>>(
    doc.body.paths,
  )) {
    for (const [method, op] of Object.entries(methods)) {
      const concrete = path.replace("{app_id}", "nginx").replace(/\{[a-z_]+\}/g, randomUUID());
      ops.push({ method: method.toUpperCase(), template: path, path: concrete, access: op["x-access"] });
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

/** A valid request for every route on one app; a new app route without an entry fails the test below. */
const APP_ROUTE_REQUESTS: Record<string, { body?: unknown; query?: string }> = {
  "GET /api/apps/{id}": {},
  "GET /api/apps/{id}/logs": { query: "?limit=10" },
  "GET /api/apps/{id}/events": {},
  "GET /api/apps/{id}/backup-policy": {},
  "POST /api/apps/{id}/action": { body: { action: "restart" } },
  "DELETE /api/apps/{id}": { query: "?backups=keep" },
  "POST /api/apps/{id}/clone": { body: { new_hostname: "copy-1" } },
};

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
    const app = h.fakes.apps.seed({ ownerId: user.userId });
    for (const op of appRoutes()) {
      const sample = APP_ROUTE_REQUESTS[`${op.method} ${op.template}`]!;
      const path = op.template.replace("{id}", app.id) + (sample.query ?? "");
      const status = await statusOf(op.method, path, intruder, sample.body);
      expect({ route: `${op.method} ${op.template}`, status }).toEqual({
        route: `${op.method} ${op.template}`,
        status: 404,
      });
    }
    expect(h.fakes.apps.all()).toEqual([app]);
    expect(h.fakes.callsTo("getBackupPolicy")).toHaveLength(0);
  });

  it("access control - the owner and an admin are allowed on every app route", async () => {
    for (const who of [user, admin]) {
      for (const op of appRoutes()) {
        h.fakes.reset();
        const app = h.fakes.apps.seed({ ownerId: user.userId });
        const sample = APP_ROUTE_REQUESTS[`${op.method} ${op.template}`]!;
        const path = op.template.replace("{id}", app.id) + (sample.query ?? "");
        const status = await statusOf(op.method, path, who, sample.body);
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
