import { randomUUID } from "node:crypto";
import { applicationsV1 } from "@proximity/proto";
import { STORAGE_ID_FIELD_MESSAGE } from "@proximity/rules";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";

let h: Harness;
let admin: Session;
let owner: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  owner = await createUserAndLogin(h.url, admin, "backup-owner");
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

const running = applicationsV1.AppStatus.APP_STATUS_RUNNING;

function seedApp() {
  return h.fakes.apps.seed({ ownerId: owner.userId, status: running, vmid: 120, node: "pve1" });
}

const BACKUP_KEYS = [
  "app_catalog_id",
  "app_deleted",
  "app_hostname",
  "app_id",
  "completed_at",
  "compression",
  "created_at",
  "error",
  "host_id",
  "id",
  "mode",
  "node",
  "owner_id",
  "restorable",
  "restoring",
  "size_bytes",
  "status",
  "storage",
  "trigger",
  "vmid",
  "volid",
];

describe("backups - create", () => {
  it("backups - create answers 202 with the running backup; unset options are left to the backups service", async () => {
    const app = seedApp();
    const res = await request(h.url, "POST", `/api/apps/${app.id}/backups`, { auth: owner, body: {} });
    expect(res.status).toBe(202);
    expect(Object.keys(res.body).sort()).toEqual(BACKUP_KEYS);
    expect(res.body).toMatchObject({
      app_id: app.id,
      owner_id: owner.userId,
      status: "running",
      mode: "snapshot",
      compression: "zstd",
      trigger: "manual",
      volid: null,
      size_bytes: null,
      completed_at: null,
      error: null,
      restorable: false,
      app_deleted: false,
      app_hostname: app.hostname,
      app_catalog_id: app.catalogId,
    });
    expect(h.fakes.callsTo("createBackup").map((c) => c.request)).toEqual([
      { appId: app.id, mode: "", compression: "", storage: "" },
    ]);
    // The owner is shown the app first, as themselves.
    expect(h.fakes.calls.map((c) => [c.rpc, c.user?.id])).toEqual([
      ["getApp", owner.userId],
      ["createBackup", owner.userId],
    ]);
  });

  it("backups - create forwards mode, compression and (admins only) storage; no body at all is the defaults", async () => {
    const app = seedApp();
    const mine = await request(h.url, "POST", `/api/apps/${app.id}/backups`, {
      auth: owner,
      body: { mode: "stop", storage: "local" },
    });
    expect(mine.status).toBe(403);
    expect(mine.body).toEqual({ detail: "Only administrators may choose the backup storage" });
    const res = await request(h.url, "POST", `/api/apps/${app.id}/backups`, {
      auth: admin,
      body: { mode: "stop", compression: "lzo", storage: "pbs-main.2" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ mode: "stop", compression: "lzo", storage: "pbs-main.2" });
    h.fakes.apps.update(app.id, { currentOperation: "" });
    const bare = await request(h.url, "POST", `/api/apps/${app.id}/backups`, { auth: owner });
    expect(bare.status).toBe(202);
    expect(h.fakes.callsTo("createBackup").map((c) => c.request)).toEqual([
      { appId: app.id, mode: "stop", compression: "lzo", storage: "pbs-main.2" },
      { appId: app.id, mode: "", compression: "", storage: "" },
    ]);
  });

  it("backups - a page past the services' range is 400, not a 500", async () => {
    const res = await request(h.url, "GET", "/api/backups?page=2147483648", { auth: owner });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: "page", message: "must be at most 1000000" }]);
  });

  it("backups - invalid options are 400 naming each field, and nothing is forwarded", async () => {
    const app = seedApp();
    const res = await request(h.url, "POST", `/api/apps/${app.id}/backups`, {
      auth: owner,
      body: { mode: "live", compression: "xz", storage: "Local/../x" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Invalid request",
      errors: [
        { field: "mode", message: "must be one of: snapshot, suspend, stop" },
        { field: "compression", message: "must be one of: zstd, gzip, lzo" },
        { field: "storage", message: STORAGE_ID_FIELD_MESSAGE },
      ],
    });
    const long = await request(h.url, "POST", `/api/apps/${app.id}/backups`, {
      auth: owner,
      body: { storage: "s".repeat(65), mode: 3 },
    });
    expect(long.body.errors).toEqual([
      { field: "mode", message: "must be one of: snapshot, suspend, stop" },
      { field: "storage", message: STORAGE_ID_FIELD_MESSAGE },
    ]);
    const unknown = await request(h.url, "POST", `/api/apps/${app.id}/backups`, {
      auth: owner,
      body: { compresion: "gzip" },
    });
    expect(unknown.body.errors).toEqual([{ field: "compresion", message: "is not a known field" }]);
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("backups - a backup while another operation runs is 409 with the service's reason", async () => {
    const app = seedApp();
    expect((await request(h.url, "POST", `/api/apps/${app.id}/backups`, { auth: owner })).status).toBe(202);
    const second = await request(h.url, "POST", `/api/apps/${app.id}/backups`, { auth: owner });
    expect(second).toMatchObject({ status: 409, body: { detail: "Another operation is running: backup" } });
  });
});

describe("backups - read, restore, delete", () => {
  it("backups - list and get the app's backups; the status filter and paging are validated and forwarded", async () => {
    const app = seedApp();
    const older = h.fakes.backups.seed({
      appId: app.id,
      ownerId: owner.userId,
      createdAt: new Date(Date.now() - 86_400_000),
    });
    const failed = h.fakes.backups.seed({
      appId: app.id,
      ownerId: owner.userId,
      status: "failed",
      error: "the backup storage is full",
      volid: "",
      sizeBytes: 0,
      restorable: false,
    });
    const list = await request(h.url, "GET", `/api/apps/${app.id}/backups`, { auth: owner });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, per_page: 20 });
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual([failed.id, older.id]);
    expect(list.body.items[0]).toMatchObject({
      status: "failed",
      error: "the backup storage is full",
      volid: null,
    });
    expect(list.body.items[1]).toMatchObject({
      status: "completed",
      volid: older.volid,
      size_bytes: older.sizeBytes,
      restorable: true,
      completed_at: older.completedAt?.toISOString(),
    });

    const filtered = await request(
      h.url,
      "GET",
      `/api/apps/${app.id}/backups?status=completed&page=1&per_page=1`,
      {
        auth: owner,
      },
    );
    expect(filtered.body).toMatchObject({ total: 1, per_page: 1, items: [{ id: older.id }] });
    expect(h.fakes.callsTo("listBackups").at(-1)?.request).toEqual({
      appId: app.id,
      status: "completed",
      page: 1,
      perPage: 1,
    });

    const one = await request(h.url, "GET", `/api/apps/${app.id}/backups/${older.id}`, { auth: owner });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: older.id, app_id: app.id, mode: "snapshot", trigger: "manual" });

    h.fakes.reset();
    const bad = await request(h.url, "GET", `/api/apps/${app.id}/backups?status=gone&per_page=0`, {
      auth: owner,
    });
    expect(bad.body.errors).toEqual([
      { field: "per_page", message: "must be at least 1" },
      { field: "status", message: "must be one of: pending, running, completed, failed, missing, deleting" },
    ]);
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("backups - a backup_id that is not a UUID is 404 like an unknown one, and nothing is forwarded", async () => {
    const app = seedApp();
    for (const [method, suffix] of [
      ["GET", ""],
      ["DELETE", ""],
      ["POST", "/restore"],
    ] as const) {
      const res = await request(h.url, method, `/api/apps/${app.id}/backups/not-a-uuid${suffix}`, {
        auth: owner,
        body: method === "POST" ? {} : undefined,
      });
      expect({ method, status: res.status, body: res.body }).toEqual({
        method,
        status: 404,
        body: { detail: "Not found" },
      });
    }
    expect(h.fakes.calls).toHaveLength(0);
    const unknown = await request(h.url, "GET", `/api/apps/${app.id}/backups/${randomUUID()}`, {
      auth: owner,
    });
    expect(unknown).toMatchObject({ status: 404, body: { detail: "Backup not found" } });
  });

  it("backups - a backup is reached only under its own app", async () => {
    const app = seedApp();
    const other = seedApp();
    const backup = h.fakes.backups.seed({ appId: other.id, ownerId: owner.userId });
    const res = await request(h.url, "GET", `/api/apps/${app.id}/backups/${backup.id}`, { auth: owner });
    expect(res.status).toBe(404);
  });

  it("backups - restore onto the app answers 202 {backup, app, new_app: false}; app is GetApp of the target as the caller", async () => {
    const app = seedApp();
    const backup = h.fakes.backups.seed({ appId: app.id, ownerId: owner.userId });
    const res = await request(h.url, "POST", `/api/apps/${app.id}/backups/${backup.id}/restore`, {
      auth: owner,
      body: {},
    });
    expect(res.status).toBe(202);
    expect(Object.keys(res.body).sort()).toEqual(["app", "backup", "new_app"]);
    expect(res.body).toMatchObject({
      new_app: false,
      backup: { id: backup.id, restoring: true, restorable: false },
      app: { id: app.id, status: "restoring", current_operation: "restore" },
    });
    expect(h.fakes.calls.map((c) => [c.rpc, c.user?.id])).toEqual([
      ["getApp", owner.userId],
      ["restoreBackup", owner.userId],
      ["getApp", owner.userId],
    ]);
    expect(h.fakes.callsTo("restoreBackup")[0]?.request).toEqual({
      appId: app.id,
      backupId: backup.id,
      newHostname: "",
    });
    // No body at all is the same restore; a second one while it runs is the service's 409.
    const again = await request(h.url, "POST", `/api/apps/${app.id}/backups/${backup.id}/restore`, {
      auth: owner,
    });
    expect(again).toMatchObject({ status: 409, body: { detail: "Only a completed backup can be restored" } });
  });

  it("backups - restore into a new app: new_hostname follows the host name rules, the new app is the caller's", async () => {
    const app = seedApp();
    const backup = h.fakes.backups.seed({ appId: app.id, ownerId: owner.userId });
    const path = `/api/apps/${app.id}/backups/${backup.id}/restore`;
    const characters = "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'";
    const said: Record<string, string> = {
      "-copy": characters,
      a_b: characters,
      ["x".repeat(64)]: "each label (between dots) must be 1–63 characters",
      "": "is required",
    };
    for (const [bad, message] of Object.entries(said)) {
      const res = await request(h.url, "POST", path, { auth: owner, body: { new_hostname: bad } });
      expect({ bad, status: res.status, errors: res.body.errors }).toEqual({
        bad,
        status: 400,
        errors: [{ field: "new_hostname", message }],
      });
    }
    expect(h.fakes.callsOf("backups")).toHaveLength(0);

    const res = await request(h.url, "POST", path, { auth: owner, body: { new_hostname: "web-restored" } });
    expect(res.status).toBe(202);
    expect(res.body.new_app).toBe(true);
    expect(res.body.app).toMatchObject({
      hostname: "web-restored",
      owner_id: owner.userId,
      status: "restoring",
    });
    expect(res.body.app.id).not.toBe(app.id);
    expect(h.fakes.callsTo("restoreBackup")[0]?.request).toMatchObject({ newHostname: "web-restored" });
    expect(h.fakes.callsTo("getApp").at(-1)?.request).toEqual({ id: res.body.app.id });
  });

  it("backups - delete answers 202: a completed backup is deleting, a failed one deleted; a running one is 409", async () => {
    const app = seedApp();
    const completed = h.fakes.backups.seed({ appId: app.id, ownerId: owner.userId });
    const failed = h.fakes.backups.seed({
      appId: app.id,
      ownerId: owner.userId,
      status: "failed",
      volid: "",
    });
    const inFlight = h.fakes.backups.seed({ appId: app.id, ownerId: owner.userId, status: "running" });
    const base = `/api/apps/${app.id}/backups`;
    const deleting = await request(h.url, "DELETE", `${base}/${completed.id}`, { auth: owner });
    expect(deleting).toMatchObject({ status: 202, body: { id: completed.id, status: "deleting" } });
    const deleted = await request(h.url, "DELETE", `${base}/${failed.id}`, { auth: owner });
    expect(deleted).toMatchObject({ status: 202, body: { id: failed.id, status: "deleted" } });
    expect(h.fakes.backups.get(failed.id)).toBeUndefined();
    const busy = await request(h.url, "DELETE", `${base}/${inFlight.id}`, { auth: owner });
    expect(busy).toMatchObject({ status: 409, body: { detail: "The backup is still running" } });
  });

  it("backups - a backup names its app as the backups service kept it, also once the app is deleted", async () => {
    const app = seedApp();
    const named = h.fakes.backups.seed({
      appId: app.id,
      ownerId: owner.userId,
      appHostname: "wiki",
      appCatalogId: "wikijs",
    });
    h.fakes.apps.remove(app.id);
    const got = await request(h.url, "GET", `/api/apps/${app.id}/backups/${named.id}`, { auth: admin });
    expect(got.body).toMatchObject({ app_deleted: true, app_hostname: "wiki", app_catalog_id: "wikijs" });
    const listed = await request(h.url, "GET", "/api/backups?app_deleted=true", { auth: admin });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: named.id, app_hostname: "wiki", app_catalog_id: "wikijs" }),
    ]);
  });

  it("backups - a deleted app's backups: its owner gets 404, admins list, get and restore them into a new app", async () => {
    const app = seedApp();
    const backup = h.fakes.backups.seed({ appId: app.id, ownerId: owner.userId });
    h.fakes.apps.remove(app.id);
    const path = `/api/apps/${app.id}/backups/${backup.id}`;
    expect(await request(h.url, "GET", path, { auth: owner })).toMatchObject({
      status: 404,
      body: { detail: "App not found" },
    });
    expect((await request(h.url, "GET", "/api/backups", { auth: owner })).body.total).toBe(0);

    const got = await request(h.url, "GET", path, { auth: admin });
    expect(got).toMatchObject({
      status: 200,
      body: {
        id: backup.id,
        app_deleted: true,
        owner_id: owner.userId,
        app_hostname: null,
        app_catalog_id: null,
      },
    });
    const all = await request(h.url, "GET", "/api/backups", { auth: admin });
    expect(all.body.items).toEqual([expect.objectContaining({ id: backup.id, app_deleted: true })]);
    // ?app_deleted filters on the app's state, for owners and admins alike.
    const live = seedApp();
    const liveBackup = h.fakes.backups.seed({ appId: live.id, ownerId: owner.userId });
    const listed = async (query: string, auth: typeof admin) =>
      (await request(h.url, "GET", `/api/backups?${query}`, { auth })).body;
    expect(await listed("app_deleted=true", admin)).toMatchObject({ total: 1, items: [{ id: backup.id }] });
    expect(await listed("app_deleted=false", admin)).toMatchObject({
      total: 1,
      items: [{ id: liveBackup.id }],
    });
    expect(await listed("app_deleted=true", owner)).toMatchObject({ total: 0, items: [] });
    expect(await listed("app_deleted=false", owner)).toMatchObject({
      total: 1,
      items: [{ id: liveBackup.id }],
    });
    expect(await request(h.url, "GET", "/api/backups?app_deleted=yes", { auth: admin })).toMatchObject({
      status: 400,
      body: { errors: [{ field: "app_deleted", message: "must be true or false" }] },
    });
    const ontoDeleted = await request(h.url, "POST", `${path}/restore`, { auth: admin, body: {} });
    expect(ontoDeleted.status).toBe(409);
    const restored = await request(h.url, "POST", `${path}/restore`, {
      auth: admin,
      body: { new_hostname: "revived" },
    });
    expect(restored).toMatchObject({
      status: 202,
      body: { new_app: true, app: { hostname: "revived", owner_id: admin.userId } },
    });
  });
});

describe("backups - the caller's backups across apps", () => {
  it("backups - GET /api/backups lists the caller's backups (admins: all), with app_id and status filters", async () => {
    const mine = seedApp();
    const theirs = h.fakes.apps.seed({ ownerId: admin.userId, status: running });
    const a = h.fakes.backups.seed({ appId: mine.id, ownerId: owner.userId });
    const b = h.fakes.backups.seed({
      appId: mine.id,
      ownerId: owner.userId,
      status: "missing",
      restorable: false,
    });
    const c = h.fakes.backups.seed({ appId: theirs.id, ownerId: admin.userId });
    const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id).sort();

    expect(ids((await request(h.url, "GET", "/api/backups", { auth: owner })).body)).toEqual(
      [a.id, b.id].sort(),
    );
    expect(ids((await request(h.url, "GET", "/api/backups", { auth: admin })).body)).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    const missing = await request(
      h.url,
      "GET",
      `/api/backups?app_id=${mine.id.toUpperCase()}&status=missing`,
      {
        auth: owner,
      },
    );
    expect(missing.body.items.map((i: { id: string }) => i.id)).toEqual([b.id]);
    expect(h.fakes.callsTo("listBackups").at(-1)?.request).toEqual({
      appId: mine.id,
      status: "missing",
      page: 1,
      perPage: 20,
    });
    const others = await request(h.url, "GET", `/api/backups?app_id=${theirs.id}`, { auth: owner });
    expect(others.body).toMatchObject({ items: [], total: 0 });

    h.fakes.reset();
    const bad = await request(h.url, "GET", "/api/backups?app_id=nope&status=deleted", { auth: owner });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["status", "app_id"]);
    expect(h.fakes.calls).toHaveLength(0);
  });
});

describe("backups - policy", () => {
  const policyBody = {
    enabled: true,
    schedule: "30 2 * * 0",
    time_zone: "Europe/Paris",
    mode: "suspend",
    compression: "gzip",
    keep_last: 2,
    keep_hourly: 0,
    keep_daily: 7,
    keep_weekly: 4,
    keep_monthly: 6,
    keep_yearly: 1,
  };

  it("backup policy - GET shows the whole policy", async () => {
    const app = seedApp();
    const res = await request(h.url, "GET", `/api/apps/${app.id}/backup-policy`, { auth: owner });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      app_id: app.id,
      enabled: true,
      schedule: "0 3 * * *",
      time_zone: "UTC",
      mode: "snapshot",
      compression: "zstd",
      keep_last: 7,
      keep_hourly: 0,
      keep_daily: 0,
      keep_weekly: 0,
      keep_monthly: 0,
      keep_yearly: 0,
      next_run_at: expect.any(String),
      last_run_at: null,
      updated_at: expect.any(String),
    });
  });

  it("backup policy - PUT forwards the whole policy and answers the stored one; fields left out keep their values", async () => {
    const app = seedApp();
    const path = `/api/apps/${app.id}/backup-policy`;
    const res = await request(h.url, "PUT", path, { auth: owner, body: policyBody });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(policyBody);
    expect(h.fakes.callsTo("updateBackupPolicy")[0]?.request).toEqual({
      appId: app.id,
      enabled: true,
      schedule: "30 2 * * 0",
      timeZone: "Europe/Paris",
      mode: "suspend",
      compression: "gzip",
      keepLast: 2,
      keepHourly: 0,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 6,
      keepYearly: 1,
    });
    expect((await request(h.url, "GET", path, { auth: owner })).body).toMatchObject(policyBody);

    // Turning it off alone keeps the schedule and the retention.
    const off = await request(h.url, "PUT", path, { auth: owner, body: { enabled: false } });
    expect(off.body).toMatchObject({ enabled: false, next_run_at: null });
    expect(h.fakes.callsTo("updateBackupPolicy")[1]?.request).toEqual({
      appId: app.id,
      enabled: false,
      schedule: "30 2 * * 0",
      timeZone: "Europe/Paris",
      mode: "suspend",
      compression: "gzip",
      keepLast: 2,
      keepHourly: 0,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 6,
      keepYearly: 1,
    });
  });

  it("backup policy - invalid fields are 400 at the edge with plain messages; nothing is forwarded", async () => {
    const app = seedApp();
    const path = `/api/apps/${app.id}/backup-policy`;
    const res = await request(h.url, "PUT", path, {
      auth: owner,
      body: {
        enabled: "yes",
        schedule: "x".repeat(201),
        time_zone: 5,
        mode: "fast",
        compression: "bz2",
        keep_last: -1,
        keep_hourly: 1.5,
        keep_daily: 10_001,
        keep_weekly: "4",
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: "enabled", message: "must be a boolean" },
      { field: "schedule", message: "must be at most 200 characters" },
      { field: "time_zone", message: "must be a string" },
      { field: "mode", message: "must be one of: snapshot, suspend, stop" },
      { field: "compression", message: "must be one of: zstd, gzip, lzo" },
      { field: "keep_last", message: "must be at least 0" },
      { field: "keep_hourly", message: "must be an integer" },
      { field: "keep_daily", message: "must be at most 10000" },
      { field: "keep_weekly", message: "must be a number" },
    ]);
    const misspelt = await request(h.url, "PUT", path, {
      auth: owner,
      body: { enabled: true, keep_daly: 7 },
    });
    expect(misspelt.body.errors).toEqual([{ field: "keep_daly", message: "is not a known field" }]);
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("backup policy - the backups service's field errors (cron, time zone) pass through as 400", async () => {
    const app = seedApp();
    const res = await request(h.url, "PUT", `/api/apps/${app.id}/backup-policy`, {
      auth: owner,
      body: { enabled: true, schedule: "every day", time_zone: "Mars/Olympus" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Invalid backup policy",
      errors: [
        { field: "schedule", message: "must be a cron expression of 5 fields" },
        { field: "time_zone", message: "must be a time zone name such as Europe/Berlin or UTC" },
      ],
    });
  });

  it("backup policy - another user's app is 404 before the backups service is asked; admins go straight to it", async () => {
    const app = seedApp();
    const other = await createUserAndLogin(h.url, admin, `policy-nosy-${Date.now()}`);
    h.fakes.reset();
    h.fakes.apps.seed(app);
    for (const method of ["GET", "PUT"]) {
      const res = await request(h.url, method, `/api/apps/${app.id}/backup-policy`, {
        auth: other,
        body: method === "PUT" ? policyBody : undefined,
      });
      expect({ method, status: res.status, body: res.body }).toEqual({
        method,
        status: 404,
        body: { detail: "App not found" },
      });
    }
    expect(h.fakes.callsOf("backups")).toHaveLength(0);
    const res = await request(h.url, "PUT", `/api/apps/${app.id}/backup-policy`, {
      auth: admin,
      body: policyBody,
    });
    expect(res.status).toBe(200);
    expect(h.fakes.calls.slice(-1).map((c) => [c.service, c.rpc, c.user?.id])).toEqual([
      ["backups", "updateBackupPolicy", admin.userId],
    ]);
    expect(h.fakes.callsTo("getApp").map((c) => c.user?.id)).toEqual([other.userId, other.userId]);
  });
});

describe("backups - OpenAPI", () => {
  it("backups - every backup operation is documented under the backups tag, bodies of create and restore optional", async () => {
    const doc = (await request(h.url, "GET", "/api/openapi.json")).body;
    const tagged = Object.entries<Record<string, { tags: string[] }>>(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.tags.includes("backups"))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(tagged.sort()).toEqual([
      "DELETE /api/apps/{id}/backups/{backup_id}",
      "GET /api/apps/{id}/backup-policy",
      "GET /api/apps/{id}/backups",
      "GET /api/apps/{id}/backups/{backup_id}",
      "GET /api/backups",
      "POST /api/apps/{id}/backups",
      "POST /api/apps/{id}/backups/{backup_id}/restore",
      "PUT /api/apps/{id}/backup-policy",
    ]);
    const create = doc.paths["/api/apps/{id}/backups"].post;
    expect(create.requestBody.required).toBe(false);
    expect(create.requestBody.content["application/json"].schema.properties.mode.enum).toEqual([
      "snapshot",
      "suspend",
      "stop",
    ]);
    const restore = doc.paths["/api/apps/{id}/backups/{backup_id}/restore"].post;
    expect(restore.requestBody.required).toBe(false);
    expect(
      Object.keys(restore.responses["202"].content["application/json"].schema.properties).sort(),
    ).toEqual(["app", "backup", "new_app"]);
    for (const op of [create, restore, doc.paths["/api/apps/{id}/backups/{backup_id}"].delete]) {
      expect(op.responses["409"]).toEqual({ $ref: "#/components/responses/Conflict" });
    }
    expect(doc.paths["/api/apps/{id}/backup-policy"].put.requestBody.required).toBe(true);
  });
});
