import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/gateway-harness.js";
import { request } from "./support/http-client.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: "200" } });
});
afterAll(async () => {
  await h?.stop();
});

describe("platform - health, docs and edge behaviour", () => {
  it("platform - health is public and ok when every dependency serves", async () => {
    const res = await request(h.url, "GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", checks: { database: "ok", applications: "ok", hosts: "ok" } });
  });

  it("platform - health is 503 degraded when a service stops serving", async () => {
    h.fakes.setServing(false);
    try {
      const res = await request(h.url, "GET", "/api/health");
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: "degraded",
        checks: { database: "ok", applications: "down", hosts: "down" },
      });
    } finally {
      h.fakes.setServing(true);
    }
  });

  it("platform - the OpenAPI 3.1 document lists the routes and both security schemes", async () => {
    const res = await request(h.url, "GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.components.securitySchemes).sort()).toEqual([
      "bearerAuth",
      "csrfToken",
      "sessionCookie",
    ]);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/auth/login",
        "/api/auth/tokens/{id}",
        "/api/users/{id}",
        "/api/catalog/{app_id}",
        "/api/apps",
        "/api/apps/{id}/logs",
        "/api/apps/{id}/action",
        "/api/apps/{id}/clone",
        "/api/apps/{id}/events",
        "/api/apps/discover",
        "/api/apps/adopt",
        "/api/users/{id}/quota",
        "/api/proxmox/hosts/{id}",
        "/api/proxmox/hosts/{id}/test",
        "/api/proxmox/hosts/{id}/sync-nodes",
        "/api/proxmox/nodes",
        "/api/health",
      ]),
    );
    const deploy = res.body.paths["/api/apps"].post;
    expect(deploy.requestBody.content["application/json"].schema.required).toEqual([
      "catalog_id",
      "hostname",
    ]);
    expect(deploy.responses).toHaveProperty("202");
    expect(Object.keys(res.body.paths).some((p) => p.startsWith("/api/docs"))).toBe(false);
    const hostOps = res.body.paths["/api/proxmox/hosts/{id}"];
    expect(Object.keys(hostOps).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(hostOps.put.requestBody.content["application/json"].schema.properties)).not.toContain(
      "name",
    );
    expect(res.body.paths["/api/proxmox/hosts/{id}/test"].post.responses).toHaveProperty("202");
    const action = res.body.paths["/api/apps/{id}/action"].post;
    expect(action.requestBody.content["application/json"].schema.properties.action.enum).toEqual([
      "start",
      "stop",
      "restart",
      "update",
      "delete",
      "retry",
    ]);
    expect(Object.keys(res.body.paths["/api/apps/{id}"]).sort()).toEqual(["delete", "get"]);
    const deleteParams = res.body.paths["/api/apps/{id}"].delete.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(deleteParams.sort()).toEqual(["backups", "destroy_container", "id"]);
  });

  it("platform - the docs UI is served publicly", async () => {
    const res = await request(h.url, "GET", "/api/docs/");
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain("swagger");
  });

  it("platform - unknown routes are 404 Not found, for anonymous callers too", async () => {
    for (const path of ["/api/nope", "/etc/passwd", "/api/apps/x/y/z"]) {
      const res = await request(h.url, "GET", path);
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 404,
        body: { detail: "Not found" },
      });
    }
  });

  it("platform - security headers are set and request ids are echoed or generated", async () => {
    const res = await request(h.url, "GET", "/api/health", {
      headers: { "x-request-id": "bad id\twith spaces" },
    });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await request(h.url, "GET", "/api/health", { headers: { "x-request-id": "client-id-7" } });
    expect(echoed.headers.get("x-request-id")).toBe("client-id-7");
  });

  it("platform - no HSTS over plain http, whatever an untrusted client says of the protocol", async () => {
    const claims: Record<string, string>[] = [{}, { "x-forwarded-proto": "https" }];
    for (const headers of claims) {
      const res = await request(h.url, "GET", "/api/health", { headers });
      expect({ headers, hsts: res.headers.get("strict-transport-security") }).toEqual({
        headers,
        hsts: null,
      });
    }
  });

  it("platform - past the per-address budget requests get 429 with Retry-After", async () => {
    let limited: Awaited<ReturnType<typeof request>> | undefined;
    for (let i = 0; i < 250 && !limited; i++) {
      const res = await request(h.url, "GET", "/api/nope");
      if (res.status === 429) limited = res;
    }
    expect(limited?.body).toEqual({ detail: "Too many requests, try again later" });
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("platform - HSTS behind a trusted TLS proxy", () => {
  let proxied: Harness;
  beforeAll(async () => {
    // The tests' requests come from 127.0.0.1: a proxy TRUST_PROXY names.
    proxied = await startHarness({ env: { TRUST_PROXY: "loopback" } });
  });
  afterAll(async () => {
    await proxied?.stop();
  });

  it("platform - HSTS only when the trusted proxy says the request came over https", async () => {
    const over = (proto?: string) =>
      request(proxied.url, "GET", "/api/health", {
        headers: proto ? { "x-forwarded-proto": proto } : {},
      }).then((res) => res.headers.get("strict-transport-security"));
    expect(await over("https")).toBe("max-age=31536000; includeSubDomains");
    expect(await over("HTTPS")).toBe("max-age=31536000; includeSubDomains");
    expect(await over("http")).toBeNull();
    expect(await over()).toBeNull();
    // Errors too (a 404 of the API).
    const missing = await request(proxied.url, "GET", "/api/nope", {
      headers: { "x-forwarded-proto": "https" },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });
});
