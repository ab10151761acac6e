/**
 * A backup names its app (host name and catalog item) as this service learnt it, and keeps doing
 * so after the app is deleted, when the applications service shows the app to no one: the names
 * come from the app events, the claims of backups, and the owner lookup (migration 0005).
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { UnavailableError } from "@proximity/errors";
import { applicationsEventsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchPendingBackups } from "../src/app/dispatch-pending-backups.js";
import { learnAppOwner } from "../src/app/learn-app-owner.js";
import { scheduleDueBackups } from "../src/app/schedule-due-backups.js";
import { type ApplicationsPeer, createApplicationsPeer } from "../src/infra/applications-peer.js";
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

let h: Harness;
const USER = newUser();
const ADMIN = newUser(true);
const log = testLogger("app-names");

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const namesOf = (appId: string) =>
  h.db
    .selectFrom("app_owners")
    .select(["hostname", "catalog_id"])
    .where("app_id", "=", appId)
    .executeTakeFirstOrThrow();

/** The app as a row of before migration 0005: known, without its names. */
const forgetNames = (appId: string) =>
  h.db
    .updateTable("app_owners")
    .set({ hostname: null, catalog_id: null })
    .where("app_id", "=", appId)
    .execute();

async function appDeleted(ref: Partial<applicationsEventsV1.AppRef> & { appId: string }) {
  await h.appEvent(
    Events.AppDeleted,
    applicationsEventsV1.AppDeleted.fromPartial({
      app: { ownerId: USER.id, ...ref },
      operationId: randomUUID(),
      containerDestroyed: true,
      deleteBackups: false,
    }),
  );
  h.applications.apps.delete(ref.appId);
  h.applications.deleted.add(ref.appId);
}

describe("app names", () => {
  it("a deleted app's backups still carry its host name and catalog item, for admins, in the list and alone", async () => {
    const app = await h.deployedApp(USER, { hostname: "wiki", catalogId: "wikijs" });
    expect(await namesOf(app.id)).toEqual({ hostname: "wiki", catalog_id: "wikijs" });
    const backup = await completedBackup(h, app, USER);
    expect(backup).toMatchObject({ appHostname: "wiki", appCatalogId: "wikijs", appDeleted: false });

    await appDeleted({ appId: app.id, hostname: "wiki", catalogId: "wikijs" });
    const { items } = await h.gateway.listBackups(listRequest({ appDeleted: true }), as(ADMIN));
    expect(items.filter((b) => b.appId === app.id)).toEqual([
      expect.objectContaining({
        id: backup.id,
        appDeleted: true,
        appHostname: "wiki",
        appCatalogId: "wikijs",
      }),
    ]);
    const { backup: alone } = await h.gateway.getBackup({ appId: app.id, backupId: backup.id }, as(ADMIN));
    expect(alone).toMatchObject({ appHostname: "wiki", appCatalogId: "wikijs" });
  });

  it("AppDeleted names an app known without names; an event that names nothing erases nothing", async () => {
    const app = await h.deployedApp(USER, { hostname: "shop", catalogId: "woocommerce" });
    const backup = await completedBackup(h, app, USER);
    await forgetNames(app.id);
    expect(
      (await h.gateway.getBackup({ appId: app.id, backupId: backup.id }, as(USER))).backup,
    ).toMatchObject({
      appHostname: "",
      appCatalogId: "",
    });
    await appDeleted({ appId: app.id, hostname: "shop", catalogId: "woocommerce" });
    expect(await namesOf(app.id)).toEqual({ hostname: "shop", catalog_id: "woocommerce" });
    // A late redelivery of an earlier event without names (or another deletion) keeps them.
    await h.appEvent(
      Events.AppDeployed,
      applicationsEventsV1.AppDeployed.fromPartial({
        app: { appId: app.id, ownerId: USER.id },
        operationId: randomUUID(),
      }),
    );
    await appDeleted({ appId: app.id });
    expect(await namesOf(app.id)).toEqual({ hostname: "shop", catalog_id: "woocommerce" });
  });

  it("an adopted app of no catalog type is named by its host name alone", async () => {
    const app = await h.deployedApp(USER, { hostname: "legacy-db", catalogId: "" });
    const backup = await completedBackup(h, app, USER);
    await appDeleted({ appId: app.id, hostname: "legacy-db" });
    const { backup: seen } = await h.gateway.getBackup({ appId: app.id, backupId: backup.id }, as(ADMIN));
    expect(seen).toMatchObject({ appHostname: "legacy-db", appCatalogId: "" });
  });

  it("a manual backup's claim names an app known without names", async () => {
    const app = await h.deployedApp(USER, { hostname: "notes", catalogId: "joplin" });
    await forgetNames(app.id);
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    expect(backup).toMatchObject({ appHostname: "notes", appCatalogId: "joplin" });
    expect(await namesOf(app.id)).toEqual({ hostname: "notes", catalog_id: "joplin" });
  });

  it("a scheduled backup's claim names an app known without names", async () => {
    const app = await h.deployedApp(USER, { hostname: "photos", catalogId: "immich" });
    await h.gateway.updateBackupPolicy(policyRequest(app.id), as(USER));
    await h.db
      .updateTable("backup_policies")
      .set({ next_run_at: new Date(Date.now() - 60_000) })
      .where("app_id", "=", app.id)
      .execute();
    await forgetNames(app.id);
    await scheduleDueBackups(h.db, log);
    const peer = createApplicationsPeer(h.applications.address, h.keys);
    try {
      expect((await dispatchPendingBackups({ db: h.db, applications: peer }, log)).started).toBeGreaterThan(
        0,
      );
    } finally {
      peer.close();
    }
    expect(await namesOf(app.id)).toEqual({ hostname: "photos", catalog_id: "immich" });
  });

  it("a live app known without names is named by the next owner lookup, asked as the caller, and once", async () => {
    const app = await h.deployedApp(USER, { hostname: "chat", catalogId: "matrix" });
    await forgetNames(app.id);
    const lookups = () =>
      h.applications.calls.filter((c) => c.method === "getApp" && c.request.id === app.id);
    await h.gateway.getBackupPolicy({ appId: app.id }, as(USER));
    expect(lookups().map((c) => c.user?.id)).toEqual([USER.id]);
    expect(await namesOf(app.id)).toEqual({ hostname: "chat", catalog_id: "matrix" });
    // Named now: not asked again.
    await h.gateway.getBackupPolicy({ appId: app.id }, as(USER));
    expect(lookups()).toHaveLength(1);
    // A deleted app is never asked about (the applications service shows it to no one).
    await appDeleted({ appId: app.id });
    await forgetNames(app.id);
    await h.gateway.getBackupPolicy({ appId: app.id }, as(ADMIN));
    expect(lookups()).toHaveLength(1);
  });

  it("naming a known app is best effort: the applications service down, the policy is still answered", async () => {
    const app = await h.deployedApp(USER, { hostname: "calendar", catalogId: "nextcloud" });
    await forgetNames(app.id);
    const down = {
      getApp: async () => {
        throw new UnavailableError("The applications service is unavailable");
      },
    } as unknown as ApplicationsPeer;
    const caller = { user: USER, traceparent: "", log };
    await expect(learnAppOwner({ db: h.db, applications: down }, app.id, caller)).resolves.toBeUndefined();
    expect(await namesOf(app.id)).toEqual({ hostname: null, catalog_id: null });
    // An app not known at all still needs the answer: the failure is the caller's to see.
    await expect(
      learnAppOwner({ db: h.db, applications: down }, randomUUID(), caller),
    ).rejects.toBeInstanceOf(UnavailableError);
  });
});
