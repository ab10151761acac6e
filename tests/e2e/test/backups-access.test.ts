/**
 * Who may do what with backups, end to end, for every backup route: anonymous 401, another user
 * 404 (as for an app that does not exist: nothing learned, nothing changed), the owner and an admin
 * allowed, a read-only API token refused on writes (403) and allowed on reads. Ids of one app's
 * backup under another app's path are 404 too.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES } from "./support/apps.js";
import {
  ARCHIVE_NAME_RESOLUTION_MS,
  backupCompleted,
  backupSettled,
  listBackups,
  policyBody,
  restoreSettled,
  sleep,
  withToken,
} from "./support/backups.js";

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let bob: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: { ...FAST_RETRIES },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice } = await createUser(platform, admin, "alice"));
  ({ client: bob } = await createUser(platform, admin, "bob"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

interface Route {
  readonly name: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
  readonly write: boolean;
}

/** Every backup route, on alice's app and backup. */
function routes(appId: string, backupId: string): Route[] {
  return [
    { name: "list", method: "GET", path: `/api/apps/${appId}/backups`, write: false },
    { name: "get", method: "GET", path: `/api/apps/${appId}/backups/${backupId}`, write: false },
    { name: "get policy", method: "GET", path: `/api/apps/${appId}/backup-policy`, write: false },
    { name: "create", method: "POST", path: `/api/apps/${appId}/backups`, body: {}, write: true },
    {
      name: "restore",
      method: "POST",
      path: `/api/apps/${appId}/backups/${backupId}/restore`,
      body: {},
      write: true,
    },
    {
      name: "restore into a new app",
      method: "POST",
      path: `/api/apps/${appId}/backups/${backupId}/restore`,
      body: { new_hostname: "intruder-copy" },
      write: true,
    },
    { name: "delete", method: "DELETE", path: `/api/apps/${appId}/backups/${backupId}`, write: true },
    {
      name: "put policy",
      method: "PUT",
      path: `/api/apps/${appId}/backup-policy`,
      body: policyBody({ keep_last: 9 }),
      write: true,
    },
  ];
}

function call(client: GatewayClient, r: Route): Promise<HttpResult> {
  return client.request(r.method, r.path, r.body);
}

describe("backups: access matrix, end to end", () => {
  it("anonymous 401, other user 404, read-only token 403 on writes; owner and admin allowed", async () => {
    const app = await deployRunning(alice, "acl-app");
    const bobsApp = await deployRunning(bob, "acl-bob");
    const backup = await backupCompleted(alice, app.id);
    const bobsBackup = await backupCompleted(bob, bobsApp.id);
    const policyBefore = (await alice.get(`/api/apps/${app.id}/backup-policy`)).body;
    const all = routes(app.id, backup.id);

    // Anonymous: 401 everywhere, before anything else is looked at.
    const anonymous = new GatewayClient(platform.url);
    for (const r of all) expect((await call(anonymous, r)).status, `anonymous ${r.name}`).toBe(401);
    expect((await anonymous.get(`/api/backups?app_id=${app.id}`)).status).toBe(401);

    // Another user: 404 everywhere, exactly as for an app that does not exist.
    const unknown = await alice.get(`/api/apps/00000000-0000-4000-8000-000000000000/backups`);
    expect(unknown.status).toBe(404);
    for (const r of all) {
      const res = await call(bob, r);
      expect(res.status, `bob ${r.name}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(backup.volid);
    }
    // The cross-user list shows nothing of alice's.
    const bobsList = await bob.get(`/api/backups?app_id=${app.id}`);
    if (bobsList.status === 200) expect(bobsList.body).toMatchObject({ items: [], total: 0 });
    else expect(bobsList.status).toBe(404);
    const bobsAll = await bob.get("/api/backups");
    expect(bobsAll.status).toBe(200);
    expect(bobsAll.body.items.map((b: { id: string }) => b.id)).toEqual([bobsBackup.id]);
    // A backup id under another app's path: 404 both ways (no restoring someone's archive onto yours).
    expect((await bob.get(`/api/apps/${bobsApp.id}/backups/${backup.id}`)).status).toBe(404);
    expect((await bob.post(`/api/apps/${bobsApp.id}/backups/${backup.id}/restore`, {})).status).toBe(404);
    expect((await bob.delete(`/api/apps/${bobsApp.id}/backups/${backup.id}`)).status).toBe(404);
    expect((await alice.get(`/api/apps/${app.id}/backups/${bobsBackup.id}`)).status).toBe(404);
    expect((await alice.post(`/api/apps/${app.id}/backups/${bobsBackup.id}/restore`, {})).status).toBe(404);

    // A read-only token of the owner: reads yes, writes 403.
    const token = await alice.post("/api/auth/tokens", { name: "backup-reader", scopes: ["read"] });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    for (const r of all) {
      const res = await withToken(platform, token.body.token, r.method, r.path, r.body);
      expect(res.status, `read-only token ${r.name}: ${JSON.stringify(res.body)}`).toBe(r.write ? 403 : 200);
    }
    expect((await withToken(platform, token.body.token, "GET", "/api/backups")).status).toBe(200);

    // None of that changed anything.
    await sleep(500);
    expect((await listBackups(alice, app.id)).map((b) => b.id)).toEqual([backup.id]);
    expect((await alice.get(`/api/apps/${app.id}/backups/${backup.id}`)).body).toMatchObject({
      status: "completed",
      restoring: false,
    });
    expect((await alice.get(`/api/apps/${app.id}`)).body).toMatchObject({
      status: "running",
      current_operation: null,
    });
    expect((await alice.get(`/api/apps/${app.id}/backup-policy`)).body).toEqual(policyBefore);
    expect(
      (await alice.get("/api/apps")).body.items.map((a: { hostname: string }) => a.hostname),
    ).not.toContain("intruder-copy");
    expect(
      (await bob.get("/api/apps")).body.items.map((a: { hostname: string }) => a.hostname),
    ).not.toContain("intruder-copy");

    // The owner: every read, and the writes.
    for (const r of all.filter((x) => !x.write))
      expect((await call(alice, r)).status, `alice ${r.name}`).toBe(200);
    const ownerPolicy = await alice.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ keep_last: 5 }),
    );
    expect(ownerPolicy.status, JSON.stringify(ownerPolicy.body)).toBe(200);
    const ownerRestore = await alice.post(`/api/apps/${app.id}/backups/${backup.id}/restore`, {});
    expect(ownerRestore.status, JSON.stringify(ownerRestore.body)).toBe(202);
    expect((await restoreSettled(alice, app.id, backup.id, app.id)).status).toBe("running");
    const ownerList = await alice.get(`/api/backups?app_id=${app.id}`);
    expect(ownerList.status).toBe(200);
    expect(ownerList.body.items.map((b: { id: string }) => b.id)).toEqual([backup.id]);

    // An admin: every read, and the writes, on alice's app.
    for (const r of all.filter((x) => !x.write))
      expect((await call(admin, r)).status, `admin ${r.name}`).toBe(200);
    await sleep(ARCHIVE_NAME_RESOLUTION_MS);
    const adminCreate = await admin.post(`/api/apps/${app.id}/backups`, {});
    expect(adminCreate.status, JSON.stringify(adminCreate.body)).toBe(202);
    const adminBackup = await backupSettled(admin, app.id, adminCreate.body.id);
    expect(adminBackup.status, adminBackup.error).toBe("completed");
    expect(adminBackup.owner_id).toBe(app.owner_id); // the app's owner's backup, whoever asked
    const adminPolicy = await admin.request(
      "PUT",
      `/api/apps/${app.id}/backup-policy`,
      policyBody({ keep_last: 7 }),
    );
    expect(adminPolicy.status, JSON.stringify(adminPolicy.body)).toBe(200);
    expect((await alice.get(`/api/apps/${app.id}/backup-policy`)).body.keep_last).toBe(7);
    const adminRestore = await admin.post(`/api/apps/${app.id}/backups/${adminBackup.id}/restore`, {});
    expect(adminRestore.status, JSON.stringify(adminRestore.body)).toBe(202);
    expect((await restoreSettled(admin, app.id, adminBackup.id, app.id)).status).toBe("running");
    const adminList = await admin.get(`/api/backups?app_id=${app.id}`);
    expect(adminList.status).toBe(200);
    expect(adminList.body.items.map((b: { id: string }) => b.id).sort()).toEqual(
      [backup.id, adminBackup.id].sort(),
    );
    const everything = await admin.get("/api/backups");
    expect(everything.body.items.map((b: { id: string }) => b.id)).toEqual(
      expect.arrayContaining([backup.id, adminBackup.id, bobsBackup.id]),
    );

    // Deletes: the owner one, the admin the other.
    const ownerDelete = await alice.delete(`/api/apps/${app.id}/backups/${backup.id}`);
    expect(ownerDelete.status, JSON.stringify(ownerDelete.body)).toBe(202);
    const adminDelete = await admin.delete(`/api/apps/${app.id}/backups/${adminBackup.id}`);
    expect(adminDelete.status, JSON.stringify(adminDelete.body)).toBe(202);
    for (const id of [backup.id, adminBackup.id]) {
      await eventually(
        async () => (await alice.get(`/api/apps/${app.id}/backups/${id}`)).status === 404 || undefined,
        { timeoutMs: 30_000, what: `backup ${id} deleted` },
      );
    }
    // Bob's backup was never touched.
    expect((await bob.get(`/api/apps/${bobsApp.id}/backups/${bobsBackup.id}`)).body.status).toBe("completed");
  });
});
