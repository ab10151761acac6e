/**
 * Ownership in depth (issue 9, review #5 and #17): the backups service filters by owner in its own
 * queries. Every BackupsService RPC is called directly as the gateway, on behalf of user B, on user
 * A's app and backup: each answers NotFound exactly as for an unknown id, and nothing changes.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  as,
  completedBackup,
  createRequest,
  type Harness,
  listRequest,
  newUser,
  policyRequest,
  startHarness,
} from "./support/harness.js";

const ALICE = newUser();
const BOB = newUser();

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** Every row of the service's own tables that a request could change. */
async function state() {
  const [backups, restores, policies] = await Promise.all([
    h.db.selectFrom("backups").selectAll().orderBy("id").execute(),
    h.db.selectFrom("restores").selectAll().orderBy("id").execute(),
    h.db.selectFrom("backup_policies").selectAll().orderBy("app_id").execute(),
  ]);
  return { backups, restores, policies };
}

describe("ownership in depth - user B on user A's app, directly over gRPC as the gateway", () => {
  it("every RPC answers NotFound, as for an unknown id, and changes nothing", async () => {
    const app = await h.deployedApp(ALICE);
    const backup = await completedBackup(h, app, ALICE);
    const ids = { appId: app.id, backupId: backup.id };
    const before = await state();
    const claims = h.applications.calls.length;

    const refusals: [string, () => Promise<unknown>][] = [
      ["GetBackupPolicy", () => h.gateway.getBackupPolicy({ appId: app.id }, as(BOB))],
      [
        "UpdateBackupPolicy",
        () => h.gateway.updateBackupPolicy(policyRequest(app.id, { keepLast: 1 }), as(BOB)),
      ],
      ["GetBackup", () => h.gateway.getBackup(ids, as(BOB))],
      ["GetBackup (no app id)", () => h.gateway.getBackup({ appId: "", backupId: backup.id }, as(BOB))],
      ["DeleteBackup", () => h.gateway.deleteBackup(ids, as(BOB))],
      ["RestoreBackup", () => h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(BOB))],
      [
        "RestoreBackup (new app)",
        () => h.gateway.restoreBackup({ ...ids, newHostname: "bobs-copy" }, as(BOB)),
      ],
      ["CreateBackup", () => h.gateway.createBackup(createRequest(app.id), as(BOB))],
    ];
    for (const [rpc, call] of refusals) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, rpc).toBeInstanceOf(NotFoundError);
    }
    // The same answers as for ids that exist nowhere: no existence oracle.
    const unknown = { appId: randomUUID(), backupId: randomUUID() };
    await expect(h.gateway.getBackupPolicy({ appId: unknown.appId }, as(BOB))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(h.gateway.getBackup(unknown, as(BOB))).rejects.toBeInstanceOf(NotFoundError);

    const listed = await h.gateway.listBackups(listRequest({ appId: app.id }), as(BOB));
    expect(listed).toMatchObject({ items: [], total: 0 });
    expect((await h.gateway.listBackups(listRequest(), as(BOB))).items).toEqual([]);

    expect(await state()).toEqual(before);
    // Nothing was claimed in the applications service on Bob's behalf.
    expect(h.applications.calls.slice(claims).filter((c) => c.method !== "getApp")).toEqual([]);

    // Alice and an admin still reach all of it.
    expect((await h.gateway.getBackupPolicy({ appId: app.id }, as(ALICE))).policy?.appId).toBe(app.id);
    expect((await h.gateway.getBackup(ids, as(newUser(true)))).backup?.id).toBe(backup.id);
    expect((await h.gateway.listBackups(listRequest({ appId: app.id }), as(ALICE))).total).toBe(1);
  });
});
