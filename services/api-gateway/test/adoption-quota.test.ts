import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

let h: Harness;
let admin: Session;
let user: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  user = await createUserAndLogin(h.url, admin, "adopt-user");
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

const fieldsOf = (body: { errors?: { field: string }[] }) => body.errors?.map((e) => e.field) ?? [];

describe("adoption - discover and adopt (admins)", () => {
  it("adoption - discover lists unmanaged containers of a host (not captured by /api/apps/:id)", async () => {
    const hostId = randomUUID();
    const res = await request(h.url, "GET", `/api/apps/discover?host_id=${hostId}`, { auth: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          node: "pve1",
          vmid: 150,
          name: "legacy-wiki",
          status: "running",
          cores: 2,
          max_mem_bytes: 2_147_483_648,
          max_disk_bytes: 8_589_934_592,
          tags: ["wiki", "prod"],
        },
      ],
    });
    expect(h.fakes.callsTo("discoverContainers").map((c) => c.request)).toEqual([{ hostId }]);
    expect(h.fakes.callsTo("getApp")).toHaveLength(0);
    const asUser = await request(h.url, "GET", `/api/apps/discover?host_id=${hostId}`, { auth: user });
    expect(asUser.status).toBe(403);
  });

  it("adoption - discover without a valid host_id is 400 at the field and nothing is asked", async () => {
    for (const query of ["", "?host_id=", "?host_id=pve-lab"]) {
      const res = await request(h.url, "GET", `/api/apps/discover${query}`, { auth: admin });
      expect({ query, status: res.status, fields: fieldsOf(res.body) }).toEqual({
        query,
        status: 400,
        fields: ["host_id"],
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("adoption - adopt answers 202 with the adopted app; owner_id gives it to a user", async () => {
    const hostId = randomUUID();
    const mine = await request(h.url, "POST", "/api/apps/adopt", {
      auth: admin,
      body: { host_id: hostId, node: "pve1", vmid: 150 },
    });
    expect(mine.status).toBe(202);
    expect(mine.body).toMatchObject({ status: "adopting", adopted: true, owner_id: admin.userId, vmid: 150 });
    const theirs = await request(h.url, "POST", "/api/apps/adopt", {
      auth: admin,
      body: {
        host_id: hostId,
        node: "pve1",
        vmid: 151,
        catalog_id: "nginx",
        hostname: "legacy-web",
        owner_id: user.userId,
        port: 8080,
      },
    });
    expect(theirs.status).toBe(202);
    expect(theirs.body).toMatchObject({ owner_id: user.userId, hostname: "legacy-web" });
    expect(h.fakes.callsTo("adoptApp").map((c) => c.request)).toEqual([
      { hostId, node: "pve1", vmid: 150, catalogId: "", hostname: "", ownerId: "", port: 0 },
      {
        hostId,
        node: "pve1",
        vmid: 151,
        catalogId: "nginx",
        hostname: "legacy-web",
        ownerId: user.userId,
        port: 8080,
      },
    ]);
    // The adopted app is the user's now: they see it, other users do not.
    expect((await request(h.url, "GET", `/api/apps/${theirs.body.id}`, { auth: user })).status).toBe(200);
  });

  it("adoption - bad adopt bodies are 400 at the field and nothing is asked", async () => {
    const good = { host_id: randomUUID(), node: "pve1", vmid: 150 };
    for (const [patch, field] of [
      [{ host_id: "lab" }, "host_id"],
      [{ node: "bad node" }, "node"],
      [{ node: "a.b" }, "node"],
      [{ vmid: 99 }, "vmid"],
      [{ vmid: "150" }, "vmid"],
      [{ vmid: 1.5 }, "vmid"],
      [{ hostname: "-x" }, "hostname"],
      [{ owner_id: "bob" }, "owner_id"],
      [{ port: 0 }, "port"],
      [{ port: 65536 }, "port"],
      [{ catalog_id: "" }, "catalog_id"],
    ] as const) {
      const res = await request(h.url, "POST", "/api/apps/adopt", {
        auth: admin,
        body: { ...good, ...patch },
      });
      expect({ patch, status: res.status, fields: fieldsOf(res.body) }).toEqual({
        patch,
        status: 400,
        fields: [field],
      });
    }
    const missing = await request(h.url, "POST", "/api/apps/adopt", { auth: admin, body: {} });
    expect(fieldsOf(missing.body).sort()).toEqual(["host_id", "node", "vmid"]);
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("adoption - an owner_id that names no user is 400 and nothing is asked", async () => {
    const res = await request(h.url, "POST", "/api/apps/adopt", {
      auth: admin,
      body: { host_id: randomUUID(), node: "pve1", vmid: 150, owner_id: randomUUID() },
    });
    expect(res).toMatchObject({
      status: 400,
      body: { errors: [{ field: "owner_id", message: "is not an active user" }] },
    });
    expect(h.fakes.calls).toHaveLength(0);
  });
});

describe("quotas - per-user app quota (admins)", () => {
  it("quotas - GET shows the default until PUT sets a value; 0 goes back to the default", async () => {
    h.fakes.apps.seed({ ownerId: user.userId });
    h.fakes.apps.seed({ ownerId: user.userId });
    const path = `/api/users/${user.userId}/quota`;
    const before = await request(h.url, "GET", path, { auth: admin });
    expect(before).toMatchObject({
      status: 200,
      body: { user_id: user.userId, max_apps: 10, used: 2, is_default: true },
    });
    const set = await request(h.url, "PUT", path, { auth: admin, body: { max_apps: 3 } });
    expect(set.body).toEqual({ user_id: user.userId, max_apps: 3, used: 2, is_default: false });
    expect((await request(h.url, "GET", path, { auth: admin })).body).toMatchObject({ max_apps: 3 });
    const cleared = await request(h.url, "PUT", path, { auth: admin, body: { max_apps: 0 } });
    expect(cleared.body).toMatchObject({ max_apps: 10, is_default: true });
    expect(h.fakes.callsTo("setUserQuota").map((c) => c.request)).toEqual([
      { userId: user.userId, maxApps: 3 },
      { userId: user.userId, maxApps: 0 },
    ]);
  });

  it("quotas - an unknown user is 404 without asking the applications service", async () => {
    for (const method of ["GET", "PUT"]) {
      const res = await request(h.url, method, `/api/users/${randomUUID()}/quota`, {
        auth: admin,
        body: method === "PUT" ? { max_apps: 5 } : undefined,
      });
      expect(res).toMatchObject({ status: 404, body: { detail: "User not found" } });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("quotas - max_apps outside 0-10000 or not an integer is 400 at the field and nothing changes", async () => {
    for (const body of [{ max_apps: -1 }, { max_apps: 10_001 }, { max_apps: 2.5 }, { max_apps: "5" }, {}]) {
      const res = await request(h.url, "PUT", `/api/users/${user.userId}/quota`, { auth: admin, body });
      expect({ body, status: res.status, fields: fieldsOf(res.body) }).toEqual({
        body,
        status: 400,
        fields: ["max_apps"],
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
    expect(h.fakes.apps.quotas.size).toBe(0);
  });
});
