import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";
import { sampleApp } from "./support/samples.js";

let h: Harness;
let admin: Session;
let user: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  user = await createUserAndLogin(h.url, admin, "app-owner");
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

describe("apps - deploy", () => {
  it("apps - POST answers 202 with the app and the backend saw the user, trace, request id and idempotency key", async () => {
    const res = await request(h.url, "POST", "/api/apps", {
      auth: user,
      headers: { "idempotency-key": "deploy-42", "x-request-id": "req-abc-123" },
      body: { catalog_id: "nginx", hostname: "my-app", environment: { TZ: "UTC" } },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
    expect(res.body).toMatchObject({
      hostname: "my-app",
      status: "deploying",
      owner_id: user.userId,
      vmid: null,
      metrics: null,
    });
    const [call] = h.fakes.callsTo("deployApp");
    expect(call?.user).toEqual({ id: user.userId, isAdmin: false });
    expect(call?.requestId).toBe("req-abc-123");
    expect(call?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(call?.request).toMatchObject({
      catalogId: "nginx",
      hostname: "my-app",
      idempotencyKey: "deploy-42",
      environment: { TZ: "UTC" },
    });
  });

  it("apps - an invalid hostname is 400 with the field and nothing is forwarded", async () => {
    for (const hostname of ["-bad", "under_score", "a".repeat(64), "", "dot..dot"]) {
      const res = await request(h.url, "POST", "/api/apps", {
        auth: user,
        body: { catalog_id: "nginx", hostname },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe("Invalid request");
      expect(res.body.errors).toContainEqual({
        field: "hostname",
        message: "must be a valid RFC 1123 host name",
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("apps - per-app config is refused rather than dropped", async () => {
    const res = await request(h.url, "POST", "/api/apps", {
      auth: user,
      body: { catalog_id: "nginx", hostname: "web-2", config: { memory: 1024 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "config", message: "is not supported yet" }]);
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("apps - explicit placement is for admins only", async () => {
    const body = { catalog_id: "nginx", hostname: "placed", node: "pve1" };
    const denied = await request(h.url, "POST", "/api/apps", { auth: user, body });
    expect(denied.status).toBe(403);
    expect(h.fakes.calls).toHaveLength(0);
    const allowed = await request(h.url, "POST", "/api/apps", { auth: admin, body });
    expect(allowed.status).toBe(202);
    expect(h.fakes.callsTo("deployApp")[0]?.request).toMatchObject({ node: "pve1" });
  });

  it("apps - a body over 64 KiB is 413", async () => {
    const res = await request(h.url, "POST", "/api/apps", {
      auth: user,
      body: { catalog_id: "nginx", hostname: "big", environment: { X: "y".repeat(70 * 1024) } },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: "Request body too large" });
  });

  it("apps - malformed JSON is 400 without parser details", async () => {
    const res = await request(h.url, "POST", "/api/apps", { auth: user, body: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: "Invalid request" });
  });
});

describe("apps - reading", () => {
  it("apps - the list passes filters and pagination and answers the page shape", async () => {
    const res = await request(h.url, "GET", "/api/apps?status=running&search=web&page=2&per_page=5", {
      auth: user,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, page: 2, per_page: 5 });
    expect(h.fakes.callsTo("listApps")[0]?.request).toMatchObject({
      status: "running",
      search: "web",
      page: 2,
      perPage: 5,
    });
  });

  it("apps - pagination outside the bounds is 400", async () => {
    for (const query of ["page=0", "per_page=101", "per_page=0", "status=bogus"]) {
      const res = await request(h.url, "GET", `/api/apps?${query}`, { auth: user });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it("apps - an app maps to the API shape (empty proto fields become null, metrics included)", async () => {
    const app = sampleApp({
      vmid: 120,
      port: 8080,
      ipAddress: "10.0.0.9",
      metrics: {
        cpu: 0.5,
        memBytes: 1,
        maxMemBytes: 2,
        diskBytes: 3,
        maxDiskBytes: 4,
        sampledAt: new Date(0),
      },
    });
    h.fakes.respond("getApp", async () => ({ app }));
    const res = await request(h.url, "GET", `/api/apps/${app.id}`, { auth: user });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: app.id,
      vmid: 120,
      port: 8080,
      ip_address: "10.0.0.9",
      host_id: null,
      status_message: null,
      metrics: {
        cpu: 0.5,
        mem_bytes: 1,
        max_mem_bytes: 2,
        disk_bytes: 3,
        max_disk_bytes: 4,
        sampled_at: "1970-01-01T00:00:00.000Z",
      },
    });
  });

  it("apps - a non-UUID id is 404 without asking the backend", async () => {
    const res = await request(h.url, "GET", "/api/apps/not-a-uuid", { auth: user });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Not found" });
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("apps - backend NOT_FOUND is 404 with a detail", async () => {
    h.fakes.fail("getApp", "NOT_FOUND", "App not found");
    const res = await request(h.url, "GET", `/api/apps/${crypto.randomUUID()}`, { auth: user });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "App not found" });
  });

  it("apps - backend INTERNAL is 500 without internals", async () => {
    h.fakes.fail("getApp", "INTERNAL", "relation apps does not exist at /srv/applications/db.ts:42");
    const res = await request(h.url, "GET", `/api/apps/${crypto.randomUUID()}`, { auth: user });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: "Internal error" });
  });

  it("apps - backend errors map by code (conflict, validation with fields, unavailable)", async () => {
    const id = crypto.randomUUID();
    h.fakes.fail("getApp", "CONFLICT", "App is busy");
    expect((await request(h.url, "GET", `/api/apps/${id}`, { auth: user })).status).toBe(409);
    h.fakes.fail("getApp", "UNAVAILABLE", "db down at 10.1.2.3");
    const down = await request(h.url, "GET", `/api/apps/${id}`, { auth: user });
    expect(down.status).toBe(503);
    expect(down.body.detail).not.toContain("10.1.2.3");
    h.fakes.respond("deployApp", async () => {
      const { ValidationError } = await import("@proximity/errors");
      throw new ValidationError("Unknown catalog app", [
        { field: "catalog_id", message: "is not in the catalog" },
      ]);
    });
    const invalid = await request(h.url, "POST", "/api/apps", {
      auth: user,
      body: { catalog_id: "nope", hostname: "x1" },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      detail: "Unknown catalog app",
      errors: [{ field: "catalog_id", message: "is not in the catalog" }],
    });
  });

  it("apps - logs and backup policy are forwarded for the app", async () => {
    const id = crypto.randomUUID();
    const logs = await request(h.url, "GET", `/api/apps/${id}/logs?limit=5`, { auth: user });
    expect(logs.status).toBe(200);
    expect(logs.body.items[0]).toMatchObject({ level: "info", step: "create", message: "created" });
    expect(h.fakes.callsTo("listAppLogs")[0]?.request).toMatchObject({ appId: id, limit: 5 });
    const policy = await request(h.url, "GET", `/api/apps/${id}/backup-policy`, { auth: user });
    expect(policy.status).toBe(200);
    expect(policy.body).toMatchObject({ app_id: id, enabled: true, keep_last: 7 });
    expect(h.fakes.callsTo("getBackupPolicy")[0]?.user?.id).toBe(user.userId);
  });

  it("apps - the catalog is listed, paginated and filtered through the applications service", async () => {
    const res = await request(h.url, "GET", "/api/catalog?search=ng&category=tools", { auth: user });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, page: 1, per_page: 20 });
    expect(res.body.items[0]).toMatchObject({ id: "nginx", memory_mb: 512 });
    expect(res.body.items[0]).not.toHaveProperty("compose");
    expect(h.fakes.callsTo("listCatalog")[0]?.request).toEqual({ search: "ng", category: "tools" });
    const detail = await request(h.url, "GET", "/api/catalog/nginx", { auth: user });
    expect(detail.body.compose).toContain("image: nginx");
  });
});
