import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

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
    const characters = "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'";
    const labelLength = "each label (between dots) must be 1–63 characters";
    const said: Record<string, string> = {
      "-bad": characters,
      under_score: characters,
      ["a".repeat(64)]: labelLength,
      "": "is required",
      "dot..dot": labelLength,
      [`${"a.".repeat(127)}a`]: "must be at most 253 characters",
    };
    for (const [hostname, message] of Object.entries(said)) {
      const res = await request(h.url, "POST", "/api/apps", {
        auth: user,
        body: { catalog_id: "nginx", hostname },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe("Invalid request");
      expect(res.body.errors).toContainEqual({ field: "hostname", message });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("apps - an upper-case hostname is 400 'must be lower-case' at the field (as the applications service would refuse it), nothing forwarded", async () => {
    for (const hostname of ["My-App", "wiki.HOME"]) {
      const res = await request(h.url, "POST", "/api/apps", {
        auth: user,
        body: { catalog_id: "nginx", hostname },
      });
      expect({ hostname, status: res.status, body: res.body }).toEqual({
        hostname,
        status: 400,
        body: { detail: "Invalid request", errors: [{ field: "hostname", message: "must be lower-case" }] },
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("apps - the environment is checked by the shared rules: each problem at its variable, nothing forwarded", async () => {
    const res = await request(h.url, "POST", "/api/apps", {
      auth: user,
      body: {
        catalog_id: "nginx",
        hostname: "env-app",
        environment: { DOCKER_HOST: "tcp://evil", "1BAD": "x", BIG: "y".repeat(4097), GOOD: "ok" },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("Invalid request");
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: "environment.DOCKER_HOST", message: "is reserved" },
        { field: "environment.1BAD", message: expect.stringMatching(/letter/) },
        { field: "environment.BIG", message: "must be at most 4096 bytes" },
      ]),
    );
    expect(res.body.errors.map((e: { field: string }) => e.field)).not.toContain("environment.GOOD");
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`V${i}`, "x"]));
    const tooMany = await request(h.url, "POST", "/api/apps", {
      auth: user,
      body: { catalog_id: "nginx", hostname: "env-app", environment: many },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toContainEqual({
      field: "environment",
      message: "must have at most 50 variables",
    });
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
    expect(res.body).toEqual({ detail: "The request body is not valid JSON" });
  });
});

describe("apps - reading", () => {
  it("apps - the list passes filters and pagination, as the caller, and answers the page shape", async () => {
    for (let i = 1; i <= 6; i++) h.fakes.apps.seed({ ownerId: user.userId, hostname: `web-${i}` });
    h.fakes.apps.seed({ ownerId: admin.userId, hostname: "web-admin" });
    const res = await request(h.url, "GET", "/api/apps?status=running&search=web&page=2&per_page=5", {
      auth: user,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 6, page: 2, per_page: 5 });
    expect(res.body.items.map((a: { hostname: string }) => a.hostname)).toEqual(["web-6"]);
    const [call] = h.fakes.callsTo("listApps");
    expect(call?.user).toEqual({ id: user.userId, isAdmin: false });
    expect(call?.request).toMatchObject({ status: "running", search: "web", page: 2, perPage: 5 });
  });

  it("apps - pagination outside the bounds is 400", async () => {
    for (const query of ["page=0", "per_page=101", "per_page=0", "status=bogus", "status=gone"]) {
      const res = await request(h.url, "GET", `/api/apps?${query}`, { auth: user });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it("apps - an app maps to the API shape (empty proto fields become null, metrics included)", async () => {
    const app = h.fakes.apps.seed({
      ownerId: user.userId,
      vmid: 120,
      port: 30001,
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
    const res = await request(h.url, "GET", `/api/apps/${app.id}`, { auth: user });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: app.id,
      vmid: 120,
      port: 30001,
      ip_address: "10.0.0.9",
      host_id: null,
      status_message: null,
      access_url: null,
      secrets: {},
      adopted: false,
      attention: null,
      current_operation: null,
      uptime_seconds: null,
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

  it("apps - life-cycle fields map: access URL, secrets set/unset (never values), attention, operation, uptime", async () => {
    const { AppStatus } = (await import("@proximity/proto")).applicationsV1;
    for (const [status, name] of [
      [AppStatus.APP_STATUS_RESTARTING, "restarting"],
      [AppStatus.APP_STATUS_ADOPTING, "adopting"],
    ] as const) {
      const app = h.fakes.apps.seed({
        ownerId: user.userId,
        status,
        accessUrl: "http://10.0.0.9:30001",
        secrets: { DB_PASSWORD: true, API_KEY: false },
        adopted: true,
        attention: "Found stopped outside Proximity",
        currentOperation: "restart",
        uptimeSeconds: 3600,
      });
      const res = await request(h.url, "GET", `/api/apps/${app.id}`, { auth: user });
      expect(res.body).toMatchObject({
        status: name,
        access_url: "http://10.0.0.9:30001",
        secrets: { DB_PASSWORD: "set", API_KEY: "unset" },
        adopted: true,
        attention: "Found stopped outside Proximity",
        current_operation: "restart",
        uptime_seconds: 3600,
      });
    }
  });

  it("apps - a non-UUID id is 404 without asking the backend", async () => {
    const res = await request(h.url, "GET", "/api/apps/not-a-uuid", { auth: user });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Not found" });
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("apps - another user's app and an unknown app are the same 404; the owner and admins read it", async () => {
    const other = h.fakes.apps.seed({ ownerId: admin.userId });
    const theirs = await request(h.url, "GET", `/api/apps/${other.id}`, { auth: user });
    const unknown = await request(h.url, "GET", `/api/apps/${crypto.randomUUID()}`, { auth: user });
    expect(theirs).toMatchObject({ status: 404, body: { detail: "App not found" } });
    expect(unknown.body).toEqual(theirs.body);
    const mine = h.fakes.apps.seed({ ownerId: user.userId });
    expect((await request(h.url, "GET", `/api/apps/${mine.id}`, { auth: user })).status).toBe(200);
    expect((await request(h.url, "GET", `/api/apps/${mine.id}`, { auth: admin })).status).toBe(200);
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

  it("apps - the backup policy is shown only to who may see the app; the backups service is not asked for others", async () => {
    const app = h.fakes.apps.seed({ ownerId: user.userId });
    const other = await createUserAndLogin(h.url, admin, `nosy-${Date.now()}`);
    h.fakes.reset();
    h.fakes.apps.seed(app);
    const denied = await request(h.url, "GET", `/api/apps/${app.id}/backup-policy`, { auth: other });
    expect(denied).toMatchObject({ status: 404, body: { detail: "App not found" } });
    expect(h.fakes.callsTo("getApp").map((c) => c.user?.id)).toEqual([other.userId]);
    expect(h.fakes.callsTo("getBackupPolicy")).toHaveLength(0);

    for (const who of [user, admin]) {
      const res = await request(h.url, "GET", `/api/apps/${app.id}/backup-policy`, { auth: who });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ app_id: app.id, enabled: true, schedule: "0 3 * * *", keep_last: 7 });
    }
    expect(h.fakes.callsTo("getBackupPolicy").map((c) => c.user?.id)).toEqual([user.userId, admin.userId]);
  });

  it("apps - logs page forward with next_after_id and back with before_id, oldest first", async () => {
    const app = h.fakes.apps.seed({ ownerId: user.userId });
    const ids = Array.from({ length: 5 }, (_, i) => h.fakes.apps.addLog(app.id, { message: `line ${i}` }).id);
    const path = `/api/apps/${app.id}/logs`;

    const first = await request(h.url, "GET", `${path}?limit=2`, { auth: user });
    expect(first.status).toBe(200);
    expect(first.body.items.map((l: { id: number }) => l.id)).toEqual(ids.slice(0, 2));
    expect(first.body.items[0]).toMatchObject({ level: "info", step: "deploy", message: "line 0" });
    expect(first.body.next_after_id).toBe(ids[1]);
    const second = await request(h.url, "GET", `${path}?limit=2&after_id=${first.body.next_after_id}`, {
      auth: user,
    });
    expect(second.body).toMatchObject({ next_after_id: ids[3] });
    const last = await request(h.url, "GET", `${path}?limit=2&after_id=${ids[3]}`, { auth: user });
    expect(last.body.items.map((l: { id: number }) => l.id)).toEqual([ids[4]]);
    expect(last.body).not.toHaveProperty("next_after_id");

    const back = await request(h.url, "GET", `${path}?limit=2&before_id=${ids[4]}`, { auth: user });
    expect(back.body.items.map((l: { id: number }) => l.id)).toEqual([ids[2], ids[3]]);
    expect(back.body).not.toHaveProperty("next_after_id");
    expect(h.fakes.callsTo("listAppLogs").map((c) => c.request)).toEqual([
      { appId: app.id, limit: 2, afterId: 0, beforeId: 0 },
      { appId: app.id, limit: 2, afterId: ids[1], beforeId: 0 },
      { appId: app.id, limit: 2, afterId: ids[3], beforeId: 0 },
      { appId: app.id, limit: 2, afterId: 0, beforeId: ids[4] },
    ]);
    const defaults = await request(h.url, "GET", path, { auth: user });
    expect(defaults.body.items).toHaveLength(5);
    expect(h.fakes.callsTo("listAppLogs").at(-1)?.request).toMatchObject({ limit: 100 });
  });

  it("apps - another user's logs are 404", async () => {
    const app = h.fakes.apps.seed({ ownerId: admin.userId });
    h.fakes.apps.addLog(app.id, { message: "secret-ish progress" });
    const res = await request(h.url, "GET", `/api/apps/${app.id}/logs`, { auth: user });
    expect(res).toMatchObject({ status: 404, body: { detail: "App not found" } });
  });

  it("apps - bad log paging is 400 at the field and nothing is asked", async () => {
    const app = h.fakes.apps.seed({ ownerId: user.userId });
    h.fakes.calls.length = 0;
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=1.5", "limit"],
      ["after_id=0", "after_id"],
      ["after_id=-3", "after_id"],
      ["after_id=abc", "after_id"],
      ["before_id=x", "before_id"],
      ["after_id=9&before_id=9", "before_id"],
    ]) {
      const res = await request(h.url, "GET", `/api/apps/${app.id}/logs?${query}`, { auth: user });
      expect({
        query,
        status: res.status,
        fields: res.body.errors?.map((e: { field: string }) => e.field),
      }).toEqual({
        query,
        status: 400,
        fields: [field],
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
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
