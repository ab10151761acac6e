/**
 * Bad input is a clear 4xx at the door, never a 500 and never forwarded: NUL characters anywhere,
 * integers beyond what the services' 32-bit fields hold, unknown fields on write bodies (named),
 * paths the router cannot read, and empty JSON bodies on routes that take none.
 */
import { toProximityError } from "@proximity/errors";
import { applicationsV1 } from "@proximity/proto";
import { NODE_NAME_FIELD_MESSAGE } from "@proximity/rules";
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

  it("bad input - NUL in a path parameter is 400 naming the parameter as the OpenAPI document does, for every route", async () => {
    const app = runningApp();
    const backup = h.fakes.backups.seed({ appId: app.id, ownerId: user.userId });
    const host = h.fakes.hosts.seed();
    // A value each parameter could have, so that only the one under test is wrong.
    const fine: Record<string, string> = { id: app.id, backup_id: backup.id, app_id: "nginx" };
    const doc = (await request(h.url, "GET", "/api/openapi.json")).body;
    const tried: string[] = [];
    for (const [template, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const method of Object.keys(methods)) {
        for (const name of names) {
          const path = template.replace(/\{(\w+)\}/g, (_, param: string) =>
            param === name ? `x%00` : (fine[param] ?? host.id),
          );
          const res = await request(h.url, method.toUpperCase(), path, { auth: admin });
          expect({ route: `${method} ${template}`, status: res.status, body: res.body }).toEqual({
            route: `${method} ${template}`,
            status: 400,
            body: { detail: "Invalid request path", errors: [{ field: name, message: NUL_MESSAGE }] },
          });
          tried.push(`${method} ${template} ${name}`);
        }
      }
    }
    // The routes of the report among them (the catalog's parameter is `app_id` in API.md and here).
    expect(tried).toEqual(
      expect.arrayContaining([
        "get /api/catalog/{app_id} app_id",
        "get /api/apps/{id} id",
        "get /api/proxmox/hosts/{id} id",
        "get /api/apps/{id}/backups/{backup_id} backup_id",
        "get /api/apps/{id}/events id",
      ]),
    );
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
        fields: res.body.errors?.map((e: { field: string }) => e.field),
      }).toEqual({
        path,
        status: 400,
        fields: [field],
      });
    }
    expect(h.fakes.calls).toEqual([]);
  });
});

describe("bad input - each problem said once", () => {
  it("bad input - a page out of range is said once on every list (int's own bound and max both failed)", async () => {
    const app = runningApp();
    for (const list of [
      "/api/apps",
      "/api/backups",
      `/api/apps/${app.id}/backups`,
      "/api/catalog",
      "/api/users",
      "/api/auth/tokens",
    ]) {
      const res = await request(h.url, "GET", `${list}?page=1e300`, { auth: admin });
      expect({ list, status: res.status, body: res.body }).toEqual({
        list,
        status: 400,
        body: { detail: "Invalid request", errors: [{ field: "page", message: "must be at most 1000000" }] },
      });
    }
    expect(h.fakes.calls).toEqual([]);
  });

  it("bad input - after_id of the event stream out of range is said once", async () => {
    const app = runningApp();
    const res = await request(h.url, "GET", `/api/apps/${app.id}/events?after_id=1e20`, { auth: user });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        detail: "Invalid request",
        errors: [{ field: "after_id", message: "must be at most 9007199254740991" }],
      },
    });
    expect(h.fakes.calls).toEqual([]);
  });

  it("bad input - a field already refused is not also said to clash with another", async () => {
    const app = runningApp();
    const cases: [string, { field: string; message: string }[]][] = [
      [
        "/api/apps?cursor=not%20a%20cursor&page=2",
        [{ field: "cursor", message: "is not a cursor of this list" }],
      ],
      ["/api/apps?cursor=abc&page=0", [{ field: "page", message: "must be at least 1" }]],
      ["/api/apps?cursor=abc&page=2", [{ field: "cursor", message: "cannot be combined with page" }]],
      [
        `/api/apps/${app.id}/logs?after_id=5.5&before_id=2`,
        [{ field: "after_id", message: "must be an integer" }],
      ],
      [
        `/api/apps/${app.id}/logs?after_id=5&before_id=2`,
        [{ field: "before_id", message: "must be greater than after_id" }],
      ],
    ];
    for (const [path, errors] of cases) {
      const res = await request(h.url, "GET", path, { auth: user });
      expect({ path, body: res.body }).toEqual({ path, body: { detail: "Invalid request", errors } });
    }
    expect(h.fakes.calls).toEqual([]);
  });
});

describe("bad input - rules in plain words", () => {
  it("bad input - host and node fields say what they must look like, in the hosts service's words", async () => {
    const res = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: hostBody({
        name: "Lab Host",
        tls_fingerprint: "AB:CD",
        nodes: [{ name: "-pve1", ssh_host: "10.0.0.2", ssh_host_key_fingerprint: "MD5:aa" }],
      }),
    });
    expect(res.body).toEqual({
      detail: "Invalid request",
      errors: [
        {
          field: "name",
          message:
            "must be 1 to 63 characters: lower-case letters, digits, '-', '_' or '.', starting with a letter or digit",
        },
        {
          field: "tls_fingerprint",
          message:
            "must be the certificate's SHA-256 fingerprint: 32 pairs of hexadecimal digits separated by colons (AB:CD:…)",
        },
        { field: "nodes.0.name", message: NODE_NAME_FIELD_MESSAGE },
        {
          field: "nodes.0.ssh_host_key_fingerprint",
          message:
            "must be the SSH host key's fingerprint as OpenSSH prints it (SHA256: then 43 letters, digits, '+' or '/'), or empty together with trust_on_first_use",
        },
      ],
    });
    expect(NODE_NAME_FIELD_MESSAGE).toBe(
      "must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen",
    );
    const noNodes = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: hostBody({ nodes: [] }),
    });
    expect(noNodes.body.errors).toEqual([{ field: "nodes", message: "must list at least one node" }]);
    expect(h.fakes.calls).toEqual([]);
  });

  it("bad input - ids, dates and node names are explained with an example, not in zod's words", async () => {
    const adopt = await request(h.url, "POST", "/api/apps/adopt", {
      auth: admin,
      body: { host_id: "pve-lab", node: "pve_1", vmid: 150 },
    });
    expect(adopt.body.errors).toEqual([
      { field: "host_id", message: "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000" },
      { field: "node", message: NODE_NAME_FIELD_MESSAGE },
    ]);
    const token = await request(h.url, "POST", "/api/auth/tokens", {
      auth: user,
      body: { name: "ci", expires_at: "tomorrow" },
    });
    expect(token.body.errors).toEqual([
      {
        field: "expires_at",
        message: "must be a date and time with its time zone, such as 2030-01-31T12:00:00Z",
      },
    ]);
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
