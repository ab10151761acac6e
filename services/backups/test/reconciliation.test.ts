import { Events } from "@proximity/bus";
import { ConflictError } from "@proximity/errors";
import { provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORAGE_OBSERVATIONS_CONSUMER } from "../src/index.js";
import { as, completedBackup, type Harness, newUser, startHarness } from "./support/harness.js";
import { outboxEvents } from "./support/outbox.js";

let h: Harness;
const USER = newUser();

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function observed(volids: string[], at: Date, where: { node?: string; storage?: string } = {}) {
  const seq = await h.publish(
    Events.BackupsObserved,
    provisionerEventsV1.BackupsObserved.fromPartial({
      hostId: "host-a",
      node: where.node ?? "pve1",
      storage: where.storage ?? "local",
      observedAt: at,
      archives: volids.map((volid) => ({ volid, sizeBytes: 1, vmid: 100 })),
    }),
  );
  await h.consumed("PROVISIONER", STORAGE_OBSERVATIONS_CONSUMER, seq);
}

const statusOf = async (backupId: string) =>
  await h.db
    .selectFrom("backups")
    .select(["status", "error"])
    .where("id", "=", backupId)
    .executeTakeFirstOrThrow();

const later = (ms: number) => new Date(Date.now() + ms);

describe("storage reconciliation", () => {
  it("an archive gone from its storage - missing, never restorable, BackupMissing once; back - completed again", async () => {
    const app = await h.deployedApp(USER);
    const gone = await completedBackup(h, app, USER);
    const kept = await completedBackup(h, app, USER);
    await observed([kept.volid, "local:backup/vzdump-lxc-999-other.tar.zst"], later(1_000));
    expect(await statusOf(gone.id)).toEqual({
      status: "missing",
      error: "The archive is no longer on its storage",
    });
    expect((await statusOf(kept.id)).status).toBe("completed");
    const ids = { appId: app.id, backupId: gone.id };
    expect((await h.gateway.getBackup(ids, as(USER))).backup).toMatchObject({
      status: "missing",
      restorable: false,
    });
    const err = await h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe("The archive is no longer on its storage");

    await observed([kept.volid], later(2_000));
    const missing = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupMissing");
    expect(missing.map((e) => e.payload.backup.backupId)).toEqual([gone.id]);

    await observed([kept.volid, gone.volid], later(3_000));
    expect(await statusOf(gone.id)).toEqual({ status: "completed", error: "" });
    expect((await h.gateway.getBackup(ids, as(USER))).backup?.restorable).toBe(true);
  });

  it("the same listing delivered twice is applied once", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const at = later(7_000);
    await observed([], at);
    await h.db.updateTable("backups").set({ status: "completed" }).where("id", "=", backup.id).execute();
    await observed([], at);
    expect((await statusOf(backup.id)).status).toBe("completed");
    expect((await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupMissing")).toHaveLength(1);
  });

  it("a late, older listing never undoes a newer one", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    await observed([backup.volid], later(10_000));
    await observed([], later(5_000));
    expect((await statusOf(backup.id)).status).toBe("completed");
  });

  it("nothing is concluded from another node's storage, another storage, or a listing taken before completion", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    await observed([], later(20_000), { node: "pve2" });
    await observed([], later(20_000), { storage: "nfs" });
    await observed([], new Date(Date.now() - 60_000));
    expect((await statusOf(backup.id)).status).toBe("completed");
  });

  it("a backup being deleted is left to its deletion", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    await h.gateway.deleteBackup({ appId: app.id, backupId: backup.id }, as(USER));
    await observed([], later(30_000));
    expect((await statusOf(backup.id)).status).toBe("deleting");
  });
});
