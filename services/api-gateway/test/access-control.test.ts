import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

interface Operation {
  readonly method: string;
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
      ops.push({ method: method.toUpperCase(), path: concrete, access: op["x-access"] });
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
    expect(adminOps.map((op) => `${op.method} ${op.path.replace(/[0-9a-f-]{36}/, "{id}")}`).sort()).toEqual([
      "DELETE /api/proxmox/hosts/{id}",
      "DELETE /api/users/{id}",
      "GET /api/proxmox/hosts",
      "GET /api/proxmox/hosts/{id}",
      "GET /api/proxmox/nodes",
      "GET /api/users",
      "GET /api/users/{id}",
      "PATCH /api/users/{id}",
      "POST /api/catalog/reload",
      "POST /api/proxmox/hosts",
      "POST /api/proxmox/hosts/{id}/sync-nodes",
      "POST /api/proxmox/hosts/{id}/test",
      "POST /api/users",
      "PUT /api/proxmox/hosts/{id}",
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
});
