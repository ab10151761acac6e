import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { login, request, type Session } from "./support/http-client.js";

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, { $ref?: string }>;
  security?: Record<string, string[]>[];
  "x-access": "public" | "user" | "admin";
}

let h: Harness;
let admin: Session;
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked field by field
let doc: any;

beforeAll(async () => {
  h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: "200" } });
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  doc = (await request(h.url, "GET", "/api/openapi.json")).body;
});
afterAll(async () => {
  await h?.stop();
});

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries<Record<string, Operation>>(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, op })),
  );
}

describe("api contract - OpenAPI error responses and CSRF", () => {
  it("api contract - the shared error body is a component every error response references", () => {
    expect(doc.components.schemas.Error).toMatchObject({
      type: "object",
      required: ["detail"],
      properties: { detail: { type: "string" }, errors: { type: "array" } },
    });
    for (const response of Object.values<{ content: Record<string, { schema: unknown }> }>(
      doc.components.responses,
    )) {
      expect(response.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/Error" });
    }
  });

  it("api contract - every operation documents its standard error responses by reference", () => {
    const missing: string[] = [];
    for (const { method, path, op } of operations()) {
      const expected = ["429"];
      if (path !== "/api/health") expected.push("503");
      if (op.requestBody || op.parameters?.length) expected.push("400");
      if (op["x-access"] !== "public") expected.push("401", "403");
      if (path.includes("{")) expected.push("404");
      for (const status of expected) {
        const ref = op.responses[status]?.$ref ?? "";
        if (!ref.startsWith("#/components/responses/")) missing.push(`${method} ${path} ${status}`);
        else expect(doc.components.responses).toHaveProperty(ref.split("/").at(-1) as string);
      }
    }
    expect(missing).toEqual([]);
    expect(doc.paths["/api/apps/{id}/action"].post.responses["409"]).toEqual({
      $ref: "#/components/responses/Conflict",
    });
    expect(doc.paths["/api/health"].get.responses["503"].content).toBeDefined();
  });

  it("api contract - unsafe operations require the cookie with X-CSRF-Token, or a bearer token", () => {
    expect(doc.components.securitySchemes.csrfToken).toEqual(
      expect.objectContaining({ type: "apiKey", in: "header", name: "X-CSRF-Token" }),
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const unsafe = operations().filter(
      ({ method, op }) => !["get", "head", "options"].includes(method) && op["x-access"] !== "public",
    );
    expect(unsafe.length).toBeGreaterThan(10);
    for (const { method, path, op } of unsafe) {
      expect({ method, path, security: op.security }).toEqual({
        method,
        path,
        security: [{ sessionCookie: [], csrfToken: [] }, { bearerAuth: [] }],
      });
    }
    expect(doc.paths["/api/apps"].get.security).toEqual([{ sessionCookie: [] }, { bearerAuth: [] }]);
    expect(doc.paths["/api/auth/login"].post.security).toEqual([]);
  });
});

describe("api contract - validation messages", () => {
  it("api contract - a missing required field reads 'is required'", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", { body: { username: "someone" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Invalid request",
      errors: [{ field: "password", message: "is required" }],
    });
  });

  it("api contract - a wrong type reads 'must be a <type>'", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", {
      body: { username: 42, password: ["x"] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: "username", message: "must be a string" },
      { field: "password", message: "must be a string" },
    ]);
  });

  it("api contract - out of range values read 'must be at most N' / 'at least N' / 'must not be empty'", async () => {
    const big = await request(h.url, "GET", "/api/apps?per_page=500", { auth: admin });
    expect(big.status).toBe(400);
    expect(big.body.errors).toEqual([{ field: "per_page", message: "must be at most 100" }]);
    const small = await request(h.url, "GET", "/api/apps?page=0", { auth: admin });
    expect(small.body.errors).toEqual([{ field: "page", message: "must be at least 1" }]);
    const long = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "u".repeat(129), password: "" },
    });
    expect(long.body.errors).toEqual([
      { field: "username", message: "must be at most 128 characters" },
      { field: "password", message: "must not be empty" },
    ]);
  });

  it("api contract - messages a schema sets itself are kept", async () => {
    const res = await request(h.url, "POST", "/api/users", {
      auth: admin,
      body: { username: "bad name!", password: "long-enough-password" },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: "username", message: "may contain letters, digits, '.', '_' and '-' only" },
    ]);
  });

  it("api contract - unknown fields of a strict body read 'is not a known field', odd names unquoted", async () => {
    const hostId = crypto.randomUUID();
    const renamed = await request(h.url, "PUT", `/api/proxmox/hosts/${hostId}`, {
      auth: admin,
      body: { name: "other", port: 8443 },
    });
    expect(renamed.status).toBe(400);
    expect(renamed.body.errors).toEqual([{ field: "name", message: "is not a known field" }]);
    const odd = await request(h.url, "PUT", `/api/proxmox/hosts/${hostId}`, {
      auth: admin,
      body: { "<script>": 1, port: 8443 },
    });
    expect(odd.body.errors).toEqual([{ field: "body", message: "has fields that are not known" }]);
  });

  it("api contract - an empty body sent as application/json counts as no body", async () => {
    // Log out needs no body; curl -H 'content-type: application/json' -X POST sends an empty one.
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const res = await request(h.url, "POST", "/api/auth/logout", {
      auth: session,
      body: "",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(204);
    const blank = await request(h.url, "POST", "/api/auth/login", {
      body: "  ",
      headers: { "content-type": "application/json" },
    });
    expect(blank.status).toBe(400);
    expect(blank.body).toMatchObject({ detail: "Invalid request" });
  });

  it("api contract - malformed JSON is 400 'The request body is not valid JSON'", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", { body: '{"username": ' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: "The request body is not valid JSON" });
  });
});
