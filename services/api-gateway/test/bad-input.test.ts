/**
 * Bad input is a clear 4xx at the door, never a 500 and never forwarded: NUL characters anywhere,
 * integers beyond what the services' 32-bit fields hold, unknown fields on write bodies (named),
 * paths the router cannot read, and empty JSON bodies on routes that take none.
 */
import { toProximityError } from "@proximity/errors";
import { applicationsV1 } from "@proximity/proto";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NUL_MESSAGE } from "../src/http/validation.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

let h: Harness;
let admin: Session;
let user: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  user = await createUserAndLogin(h.url, admin, "bad-input-user");
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

const hostBody = (extra: Record<string, unknown> = {}) => ({
  name: "pve-lab",
  address: "10.0.0.2",
  auth_mode: "api_token",
  username: "root@pam!proximity",
  api_secret: "secret",
  ssh_password: "pw",
  tls_fingerprint: Array.from({ length: 32 }, () => "AB").join(":"),
  nodes: [{ name: "pve1", ssh_host: "10.0.0.2", trust_on_first_use: true }],
  ...extra,
});

function runningApp() {
  return h.fakes.apps.seed({ ownerId: user.userId, status: applicationsV1.AppStatus.APP_STATUS_RUNNING });
}

describe("bad input - NUL characters", () => {
  it("bad input - NUL in the login username is 400 naming the field (it was a 500 from the throttle's query)", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "a\u0000", password: "x" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Invalid request",
      errors: [{ field: "username", message: NUL_MESSAGE }],
    });
  });

  it("bad input - NUL in a token name, a query, a path id, an env name or value: 400 naming each, nothing forwarded", async () => {
    const app = runningApp();
    const cases: [string, string, unknown, { field: string; message: string }[]][] = [
      ["POST", "/api/auth/tokens", { name: "\u0000" }, [{ field: "name", message: NUL_MESSAGE }]],
      ["GET", "/api/apps?search=%00", undefined, [{ field: "search", message: NUL_MESSAGE }]],
      ["GET", "/api/catalog?category=a%00b", undefined, [{ field: "category", message: NUL_MESSAGE }]],
      ["GET", `/api/apps/${app.id}%00`, undefined, [{ field: "id", message: NUL_MESSAGE }]],
      ["GET", "/api/catalog/%00", undefined, [{ field: "app_id", message: NUL_MESSAGE }]],
      [
        "POST",
        "/api/apps",
        { catalog_id: "nginx", hostname: "web-1", environment: { "A\u0000": "x", B: "\u0000" } },
        [
          { field: "environment", message: "has a field name with a NUL character" },
          { field: "environment.B", message: NUL_MESSAGE },
        ],
      ],
      [
        "PUT",
        `/api/apps/${app.id}/backup-policy`,
        { schedule: "0 4 * * *\u0000" },
        [{ field: "schedule", message: NUL_MESSAGE }],
      ],
    ];
    for (const [method, path, body, errors] of cases) {
      const res = await request(h.url, method, path, { auth: user, body });
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 400,
        body: { detail: "Invalid request", errors },
      });
    }
    expect(h.fakes.calls).toEqual([]);
  });

  it("bad input - NUL in an admin's host registration is refused at the door", async () => {
    const res = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: hostBody({ username: "a\u0000@pam" }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "username", message: NUL_MESSAGE }]);
    expect(h.fakes.calls).toEqual([]);
  });
});

describe("bad input - database data errors, defence in depth", () => {
  it("bad input - PostgreSQL's own refusals of a value (NUL in text 22021, in jsonb 22P05, bad uuid 22P02) map to 400", async () => {
    const refusals = [
      sql`select ${"a\u0000b"}::text as v`,
      sql`select ${'"\\u0000"'}::jsonb as v`,
      sql`select ${"not-a-uuid"}::uuid as v`,
    ];
    const codes: string[] = [];
    for (const query of refusals) {
      const err = await query.execute(h.db).then(
        () => undefined,
        (e: unknown) => e,
      );
      codes.push((err as { code: string }).code);
      const mapped = toProximityError(err);
      expect({ code: mapped.code, message: mapped.message }).toEqual({
        code: "INVALID_ARGUMENT",
        message: "Invalid input: a value is not acceptable",
      });
    }
    expect(codes).toEqual(["22021", "22P05", "22P02"]);
  });
});

describe("bad input - integers beyond range", () => {
  it("bad input - page past 32 bits and other out-of-range integers are 400, never forwarded", async () => {
    const app = runningApp();
    const cases: [string, string, unknown, string][] = [
      ["GET", "/api/apps?page=3000000000", undefined, "page"],
      ["GET", "/api/backups?per_page=2147483648", undefined, "per_page"],
      ["GET", "/api/users?page=1e400", undefined, "page"],
      ["GET", `/api/apps/${app.id}/logs?after_id=9007199254740993`, undefined, "after_id"],
      ["GET", `/api/apps/${app.id}/logs?limit=-1`, undefined, "limit"],
      ["PUT", `/api/users/${user.userId}/quota`, { max_apps: 2 ** 31 }, "max_apps"],
      ["PUT", `/api/apps/${app.id}/backup-policy`, { keep_last: 2 ** 32 }, "keep_last"],
      ["POST", "/api/apps/adopt", { host_id: crypto.randomUUID(), node: "pve1", vmid: 2 ** 31 }, "vmid"],
      [
        "POST",
        "/api/apps/adopt",
        '{"host_id":"00000000-0000-0000-0000-000000000000","node":"pve1","vmid":1e400}',
        "vmid",
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await request(h.url, method, path, { auth: admin, body });
      expect({
        path,
        status: res.status,
        fields: [...new Set(res.body.errors?.map((e: { field: string }) => e.field))],
      }).toEqual({
        path,
        status: 400,
        fields: [field],
      });
    }
    expect(h.fakes.calls).toEqual([]);
  });
});

describe("bad input - unknown fields on write bodies", () => {
  it("bad input - a misspelt tls_fingerprint on host create is 400 naming it (it registered the host without a pin)", async () => {
    const { tls_fingerprint, ...rest } = hostBody();
    const res = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: { ...rest, tls_fingerprnt: tls_fingerprint },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Invalid request",
      errors: [{ field: "tls_fingerprnt", message: "is not a known field" }],
    });
    expect(h.fakes.calls).toEqual([]);
    // A node's fields too.
    const nested = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: hostBody({ nodes: [{ name: "pve1", ssh_host: "10.0.0.2", ssh_hostkey: "x" }] }),
    });
    expect(nested.body.errors).toEqual([{ field: "nodes.0.ssh_hostkey", message: "is not a known field" }]);
  });

  it("bad input - every write body refuses a field it does not know, naming it, nothing forwarded", async () => {
    const app = runningApp();
    const backup = h.fakes.backups.seed({ appId: app.id, ownerId: user.userId });
    const host = h.fakes.hosts.seed();
    const cases: [string, string, Record<string, unknown>][] = [
      ["POST", "/api/apps", { catalog_id: "nginx", hostname: "web-2" }],
      ["POST", `/api/apps/${app.id}/action`, { action: "restart" }],
      ["POST", `/api/apps/${app.id}/clone`, { new_hostname: "copy-1" }],
      ["POST", "/api/apps/adopt", { host_id: host.id, node: "pve1", vmid: 150 }],
      ["PUT", `/api/users/${user.userId}/quota`, { max_apps: 3 }],
      ["POST", `/api/apps/${app.id}/backups`, { mode: "stop" }],
      ["POST", `/api/apps/${app.id}/backups/${backup.id}/restore`, {}],
      ["PUT", `/api/apps/${app.id}/backup-policy`, { enabled: true }],
      ["PUT", `/api/proxmox/hosts/${host.id}`, { port: 8443 }],
    ];
    h.fakes.calls.length = 0;
    for (const [method, path, body] of cases) {
      const res = await request(h.url, method, path, { auth: admin, body: { ...body, sneaky_extra: true } });
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 400,
        body: {
          detail: "Invalid request",
          errors: [{ field: "sneaky_extra", message: "is not a known field" }],
        },
      });
    }
    expect(h.fakes.calls).toEqual([]);
  });
});

describe("bad input - paths, bodies and framework errors", () => {
  it("bad input - a path that is not valid percent-encoding or too long answers {detail}, not fastify's body", async () => {
    const badUrl = await request(h.url, "GET", "/api/apps/%zz", { auth: user });
    expect({ status: badUrl.status, body: badUrl.body }).toEqual({
      status: 400,
      body: { detail: "Invalid request" },
    });
    const long = await request(h.url, "GET", `/api/apps/${"a".repeat(150)}`, { auth: user });
    expect({ status: long.status, body: long.body }).toEqual({
      status: 414,
      body: { detail: "Request path too long" },
    });
  });

  it("bad input - a body that is not JSON is 415, also on routes that take none (text/plain revoked a token)", async () => {
    const tokenRes = await request(h.url, "POST", "/api/auth/tokens", { auth: user, body: { name: "kept" } });
    const tokenId = tokenRes.body.id;
    for (const type of [
      "text/plain",
      "text/plain; charset=utf-8",
      "application/x-www-form-urlencoded",
      "application/xml",
    ]) {
      const res = await request(h.url, "DELETE", `/api/auth/tokens/${tokenId}`, {
        auth: user,
        body: "revoke=1",
        headers: { "content-type": type },
      });
      expect({ type, status: res.status, body: res.body }).toEqual({
        type,
        status: 415,
        body: { detail: "Unsupported media type" },
      });
    }
    const tokens = await request(h.url, "GET", "/api/auth/tokens", { auth: user });
    expect(tokens.body.items.find((t: { id: string }) => t.id === tokenId)?.revoked_at).toBeNull();
  });

  it("bad input - a body nested tens of thousands deep is a plain 400", async () => {
    const res = await request(h.url, "POST", "/api/apps", {
      auth: user,
      body: `{"catalog_id":${"[".repeat(30_000)}${"]".repeat(30_000)},"hostname":"web-1"}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "catalog_id", message: "must be a string" }]);
  });

  it("bad input - an empty body sent as JSON is no body on routes without one (or with an optional one)", async () => {
    const json = { "content-type": "application/json" };
    const app = runningApp();
    const created = await request(h.url, "POST", `/api/apps/${app.id}/backups`, {
      auth: user,
      body: "",
      headers: json,
    });
    expect(created.status).toBe(202);
    const host = h.fakes.hosts.seed();
    const checked = await request(h.url, "POST", `/api/proxmox/hosts/${host.id}/test`, {
      auth: admin,
      body: "",
      headers: json,
    });
    expect(checked.status).toBe(202);
    h.fakes.apps.update(app.id, { currentOperation: "" });
    const deleted = await request(h.url, "DELETE", `/api/apps/${app.id}`, {
      auth: user,
      body: "",
      headers: json,
    });
    expect(deleted.status).toBe(202);
  });
});

describe("bad input - the document", () => {
  it("bad input - every write body in the OpenAPI document is strict, nested objects included", async () => {
    const doc = (await request(h.url, "GET", "/api/openapi.json")).body;
    const loose: string[] = [];
    const visit = (schema: Record<string, unknown> | undefined, where: string) => {
      if (!schema || typeof schema !== "object") return;
      if (schema.properties && schema.additionalProperties !== false) loose.push(where);
      for (const [key, property] of Object.entries((schema.properties as Record<string, never>) ?? {})) {
        visit(property, `${where}.${key}`);
      }
      visit(schema.items as Record<string, unknown> | undefined, `${where}[]`);
    };
    for (const [path, methods] of Object.entries<
      Record<string, { requestBody?: { content: Record<string, { schema: never }> } }>
    >(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        visit(op.requestBody?.content["application/json"]?.schema, `${method.toUpperCase()} ${path}`);
      }
    }
    expect(loose).toEqual([]);
  });
});
