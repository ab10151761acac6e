import { applicationsV1 } from "@proximity/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

const S = applicationsV1.AppStatus;
let h: Harness;
let admin: Session;
let owner: Session;
let other: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  owner = await createUserAndLogin(h.url, admin, "life-owner");
  other = await createUserAndLogin(h.url, admin, "life-other");
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

const running = () => h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });

describe("app life cycle - actions", () => {
  it("app life cycle - each action answers 202 with the app in its new status, asked as the caller", async () => {
    for (const [action, status] of [
      ["start", "starting"],
      ["stop", "stopping"],
      ["restart", "restarting"],
      ["update", "updating"],
      ["retry", "deploying"],
    ] as const) {
      const app = running();
      const res = await request(h.url, "POST", `/api/apps/${app.id}/action`, {
        auth: owner,
        body: { action },
      });
      expect({ action, status: res.status, app: res.body.status, id: res.body.id }).toEqual({
        action,
        status: 202,
        app: status,
        id: app.id,
      });
      expect(res.body).not.toHaveProperty("backups");
      const call = h.fakes.callsTo("requestAppAction").at(-1);
      expect(call?.request).toEqual({ appId: app.id, action });
      expect(call?.user).toEqual({ id: owner.userId, isAdmin: false });
    }
  });

  it("app life cycle - action delete is DELETE with its defaults (backups kept, container detached)", async () => {
    const app = running();
    const res = await request(h.url, "POST", `/api/apps/${app.id}/action`, {
      auth: owner,
      body: { action: "delete" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: app.id, status: "removing", backups: "kept" });
    expect(h.fakes.callsTo("deleteApp").map((c) => c.request)).toEqual([
      { appId: app.id, destroyContainer: false, deleteBackups: false },
    ]);
    expect(h.fakes.callsTo("requestAppAction")).toHaveLength(0);
  });

  it("app life cycle - another user's app is 404 and stays as it was; admins may act on it", async () => {
    const app = running();
    for (const [method, path, body] of [
      ["POST", `/api/apps/${app.id}/action`, { action: "stop" }],
      ["DELETE", `/api/apps/${app.id}`, undefined],
      ["POST", `/api/apps/${app.id}/clone`, { new_hostname: "stolen" }],
    ] as const) {
      const res = await request(h.url, method, path, { auth: other, body });
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 404,
        body: { detail: "App not found" },
      });
    }
    expect(h.fakes.apps.get(app.id)?.status).toBe(S.APP_STATUS_RUNNING);
    expect(h.fakes.apps.all()).toHaveLength(1);
    const byAdmin = await request(h.url, "POST", `/api/apps/${app.id}/action`, {
      auth: admin,
      body: { action: "stop" },
    });
    expect(byAdmin).toMatchObject({ status: 202, body: { status: "stopping", owner_id: owner.userId } });
  });

  it("app life cycle - an invalid transition or a busy app is 409 with the service's reason", async () => {
    const app = running();
    h.fakes.fail("requestAppAction", "CONFLICT", "cannot start: the app is running");
    const res = await request(h.url, "POST", `/api/apps/${app.id}/action`, {
      auth: owner,
      body: { action: "start" },
    });
    expect(res).toMatchObject({ status: 409, body: { detail: "cannot start: the app is running" } });
  });

  it("app life cycle - an unknown or missing action is 400 at the field and nothing is asked", async () => {
    const app = running();
    for (const body of [{ action: "explode" }, {}, { action: "START" }, { action: 1 }]) {
      const res = await request(h.url, "POST", `/api/apps/${app.id}/action`, { auth: owner, body });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(["action"]);
    }
    expect(h.fakes.calls).toHaveLength(0);
    expect(h.fakes.apps.get(app.id)?.status).toBe(S.APP_STATUS_RUNNING);
  });
});

describe("app life cycle - delete", () => {
  it("app life cycle - DELETE answers 202 with the app and what happens to its backups", async () => {
    const kept = running();
    const res = await request(h.url, "DELETE", `/api/apps/${kept.id}`, { auth: owner });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: kept.id, status: "removing", backups: "kept" });
    const gone = running();
    const purge = await request(h.url, "DELETE", `/api/apps/${gone.id}?backups=delete`, { auth: owner });
    expect(purge.body).toMatchObject({ status: "removing", backups: "deleted" });
    expect(h.fakes.callsTo("deleteApp").map((c) => c.request)).toEqual([
      { appId: kept.id, destroyContainer: false, deleteBackups: false },
      { appId: gone.id, destroyContainer: false, deleteBackups: true },
    ]);
  });

  it("app life cycle - destroying an adopted app's container is for admins only", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, adopted: true, status: S.APP_STATUS_RUNNING });
    const denied = await request(h.url, "DELETE", `/api/apps/${app.id}?destroy_container=true`, {
      auth: owner,
    });
    expect(denied).toMatchObject({ status: 403, body: { detail: expect.stringMatching(/admin/i) } });
    expect(h.fakes.calls).toHaveLength(0);
    expect(h.fakes.apps.get(app.id)?.status).toBe(S.APP_STATUS_RUNNING);
    const allowed = await request(h.url, "DELETE", `/api/apps/${app.id}?destroy_container=true`, {
      auth: admin,
    });
    expect(allowed).toMatchObject({ status: 202, body: { adopted: true, status: "removing" } });
    expect(h.fakes.callsTo("deleteApp")[0]?.request).toMatchObject({ destroyContainer: true });
  });

  it("app life cycle - bad delete options are 400 at the field and nothing is asked", async () => {
    const app = running();
    for (const [query, field] of [
      ["backups=maybe", "backups"],
      ["backups=", "backups"],
      ["destroy_container=yes", "destroy_container"],
      ["destroy_container=1", "destroy_container"],
    ]) {
      const res = await request(h.url, "DELETE", `/api/apps/${app.id}?${query}`, { auth: admin });
      expect({
        query,
        status: res.status,
        fields: res.body.errors?.map((e: { field: string }) => e.field),
      }).toEqual({ query, status: 400, fields: [field] });
    }
    expect(h.fakes.calls).toHaveLength(0);
  });
});

describe("app life cycle - clone", () => {
  it("app life cycle - clone answers 202 with the NEW app, owned by the caller", async () => {
    const source = running();
    const res = await request(h.url, "POST", `/api/apps/${source.id}/clone`, {
      auth: owner,
      body: { new_hostname: "web-copy" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ hostname: "web-copy", status: "cloning", owner_id: owner.userId });
    expect(res.body.id).not.toBe(source.id);
    expect(h.fakes.apps.get(res.body.id)).toBeDefined();
    expect(h.fakes.callsTo("cloneApp").map((c) => c.request)).toEqual([
      { appId: source.id, newHostname: "web-copy" },
    ]);
  });

  it("app life cycle - a bad new hostname is 400 at the field and nothing is asked", async () => {
    const source = running();
    const bodies = [
      { new_hostname: "-bad" },
      { new_hostname: "a_b" },
      { new_hostname: "Web-Copy" },
      {},
      { new_hostname: 7 },
    ];
    for (const body of bodies) {
      const res = await request(h.url, "POST", `/api/apps/${source.id}/clone`, { auth: owner, body });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(["new_hostname"]);
    }
    expect(h.fakes.calls).toHaveLength(0);
    expect(h.fakes.apps.all()).toHaveLength(1);
  });

  it("app life cycle - a taken hostname is 409", async () => {
    const source = running();
    h.fakes.fail("cloneApp", "ALREADY_EXISTS", "The hostname is taken");
    const res = await request(h.url, "POST", `/api/apps/${source.id}/clone`, {
      auth: owner,
      body: { new_hostname: "web-1" },
    });
    expect(res).toMatchObject({ status: 409, body: { detail: "The hostname is taken" } });
  });
});
