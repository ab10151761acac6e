/**
 * BackupsObserved on the simulator: per backup storage of the node, only the archives Proximity
 * made (notes "Proximity backup <id>"), without their notes; a storage holding more of them than
 * OBSERVE_BACKUPS_MAX_ARCHIVES, or one that does not answer, publishes nothing, and the other
 * storages are still reported (one message per storage stays small enough to publish).
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { StorageContentItem } from "@proximity/proxmox";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archivesOn } from "./support/archives.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { type DeployedApp, deployApp } from "./support/lifecycle.js";

const MAX_ARCHIVES = 3;
let h: Harness;
let app: DeployedApp;

beforeAll(async () => {
  h = await startHarness(
    {
      OBSERVE_INTERVAL_MS: "1000",
      OBSERVE_BACKUPS_EVERY_ROUNDS: "1",
      OBSERVE_BACKUPS_MAX_ARCHIVES: String(MAX_ARCHIVES),
    },
    { captureLogs: true },
  );
  app = await deployApp(h);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COMPRESSIONS = ["zstd", "gzip", "lzo"] as const;
let dumps = 0;

/**
 * Backs the app's container up with vzdump directly (as an admin or another tool would), with
 * `notes` when given; returns the archive as the storage lists it. Archive names carry the second
 * and the compression: compressions rotate and each round starts in a new second, so none collide.
 */
async function dump(storage: string, notes?: string): Promise<StorageContentItem> {
  const compress = COMPRESSIONS[dumps++ % COMPRESSIONS.length]!;
  if (compress === "zstd") await sleep(1_000 - (Date.now() % 1_000) + 20);
  const before = new Set((await archivesOn(h, storage)).map((a) => a.volid));
  await h.pve.waitForTask(
    await h.pve.vzdump(NODE, {
      vmid: app.vmid,
      storage,
      compress,
      ...(notes === undefined ? {} : { notesTemplate: notes }),
    }),
  );
  const made = (await archivesOn(h, storage)).filter((a) => !before.has(a.volid));
  expect(made).toHaveLength(1);
  return made[0]!;
}

const ours = () => dump("local", `Proximity backup ${randomUUID()}`);

async function observedSince(since: number): Promise<provisionerEventsV1.BackupsObserved[]> {
  return (await h.eventsOf(Events.BackupsObserved)).filter(
    (o) => o.hostId === HOST_ID && o.node === NODE && o.observedAt!.getTime() >= since,
  );
}

/** The first report of `storage` observed after `since` that lists every one of `volids`. */
async function reportListing(since: number, storage: string, volids: readonly string[]) {
  return eventually(
    async () =>
      (await observedSince(since)).find(
        (o) => o.storage === storage && volids.every((v) => o.archives.some((a) => a.volid === v)),
      ),
    {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: `BackupsObserved of ${storage} listing ${volids.join(", ")}`,
    },
  );
}

describe("backup observations", () => {
  it("observations - only Proximity's archives are reported, without their notes", {
    timeout: 30_000,
  }, async () => {
    const mine = await ours();
    const unnoted = await dump("local");
    const foreign = await dump("local", "nightly by the admin");
    const since = Date.now();
    const report = await reportListing(since, "local", [mine.volid]);
    expect(report.archives).toEqual([
      {
        volid: mine.volid,
        vmid: app.vmid,
        sizeBytes: mine.size,
        createdAt: new Date(mine.ctime! * 1000),
        protected: false,
        notes: "",
      },
    ]);
    // Both others are on the same storage, just not ours.
    const listed = (await archivesOn(h, "local")).map((a) => a.volid);
    expect(listed).toEqual(expect.arrayContaining([unnoted.volid, foreign.volid]));
    // Only storages that hold backups (local-lvm does not).
    const storages = new Set((await observedSince(since)).map((o) => o.storage));
    expect(storages.has("local-lvm")).toBe(false);
    // Snapshot events go straight to JetStream: the outbox never holds an observation.
    const rows = await h.db
      .selectFrom("outbox")
      .select("id")
      .where("type", "=", Events.BackupsObserved.type)
      .execute();
    expect(rows).toEqual([]);
  });

  it("observations - a storage with more Proximity archives than the limit publishes nothing, with a warning; the others still do", {
    timeout: 60_000,
  }, async () => {
    // At the limit (foreign archives do not count): still reported.
    const atLimit: StorageContentItem[] = [];
    for (let i = 0; i < MAX_ARCHIVES; i++)
      atLimit.push(await dump("backup", `Proximity backup ${randomUUID()}`));
    await dump("backup", "copied by hand");
    const full = await reportListing(
      Date.now(),
      "backup",
      atLimit.map((a) => a.volid),
    );
    expect(full.archives.map((a) => a.volid).sort()).toEqual(atLimit.map((a) => a.volid).sort());

    const over = await dump("backup", `Proximity backup ${randomUUID()}`);
    await sleep(1_500); // let an observation that listed the storage before it end
    const since = Date.now();
    const local = await ours();
    await reportListing(since, "local", [local.volid]);
    await sleep(2_500); // at least two more rounds
    const observed = await observedSince(since);
    expect(observed.some((o) => o.storage === "local")).toBe(true);
    expect(observed.filter((o) => o.storage === "backup")).toEqual([]);
    expect(observed.flatMap((o) => o.archives).map((a) => a.volid)).not.toContain(over.volid);
    const warnings = h.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.storage === "backup" && l.archives === MAX_ARCHIVES + 1 && l.max === MAX_ARCHIVES);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ level: "warn", hostId: HOST_ID, node: NODE });
    expect(String(warnings[0]!.msg)).toContain("nothing observed");
  });

  it("observations - a storage that does not answer publishes nothing for it; the others still do", {
    timeout: 30_000,
  }, async () => {
    for (const archive of await archivesOn(h, "backup")) h.sim.removeVolume(archive.volid, NODE);
    const fault = h.sim.addFault({
      match: { method: "GET", path: "/storage/backup/content$" },
      effect: { kind: "http-error", status: 500, message: "storage offline" },
    });
    try {
      await sleep(1_500); // let an observation in flight end
      const since = Date.now();
      await sleep(2_500);
      const observed = await observedSince(since);
      expect(observed.some((o) => o.storage === "local")).toBe(true);
      expect(observed.filter((o) => o.storage === "backup")).toEqual([]);
    } finally {
      h.sim.removeFault(fault);
    }
    // Answering (and under the limit) again: reported again, empty.
    const since = Date.now();
    const again = await eventually(
      async () => (await observedSince(since)).find((o) => o.storage === "backup"),
      { timeoutMs: 10_000, intervalMs: 250, what: "BackupsObserved of backup" },
    );
    expect(again.archives).toEqual([]);
  });
});
