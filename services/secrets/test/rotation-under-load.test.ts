import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createDatabase } from "@proximity/db";
import { createLogger } from "@proximity/logger";
import { eventually } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsDatabase } from "../src/db/database.js";
import { newKek, type SecretsAdminClient, secretsTestEnvironment, startSecrets } from "./fixture.js";

/**
 * Issue 4 "Rotation test": rotate the key-encryption key under load; every secret stays readable;
 * the old key can then be retired. The real service runs against PostgreSQL with a key file it
 * re-reads every 100 ms; readers and writers hammer it for the whole rotation.
 */
const N = 200;
const dir = mkdtempSync(join(tmpdir(), "kek-load-"));
const kekFile = join(dir, "keys.json");
const k1 = newKek();
const k2 = newKek();

/** Replaces the key file atomically, as the runbook says (write aside, then rename). */
function writeRing(content: string | object): void {
  const tmp = join(dir, "keys.json.tmp");
  writeFileSync(tmp, typeof content === "string" ? content : JSON.stringify(content));
  renameSync(tmp, kekFile);
}

let env: Awaited<ReturnType<typeof secretsTestEnvironment>>;
let secrets: Awaited<ReturnType<typeof startSecrets>>;
let db: Kysely<SecretsDatabase>;
const logLines: string[] = [];

beforeAll(async () => {
  env = await secretsTestEnvironment();
  writeRing({ current: "k1", keys: { k1 } });
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  secrets = await startSecrets({
    databaseUrl: env.database.url,
    keys: env.keys,
    env: { SECRETS_KEK_FILE: kekFile, SECRETS_KEK_RELOAD_MS: "100" },
    logger: createLogger({ service: "secrets", level: "info" }, sink),
  });
  db = createDatabase<SecretsDatabase>({ url: env.database.url, schema: "secrets" });
});

afterAll(async () => {
  await db?.destroy();
  await secrets?.stop();
  await env?.database.drop();
});

const appValue = (i: number) => `app-secret-${i}`;
/** GetKeyUsage as `{current, <keyId>: versions}`. */
const usageOf = async (admin: SecretsAdminClient): Promise<{ current: string; [keyId: string]: unknown }> => {
  const res = await admin.getKeyUsage({});
  return { current: res.currentKeyId, ...Object.fromEntries(res.usage.map((u) => [u.keyId, u.versions])) };
};
const rejectedReloads = () => logLines.filter((l) => l.includes("key ring change rejected")).length;
const settle = () => new Promise((r) => setTimeout(r, 400)); // four reload ticks

/** Readers (provisioner, apps/*) and writers (hosts, proxmox/hosts/*) until stop(). */
function startLoad() {
  const provisioner = secrets.clientAs("provisioner");
  const hosts = secrets.clientAs("hosts");
  const errors: unknown[] = [];
  const lastWritten = new Map<string, string>();
  let reads = 0;
  let writes = 0;
  let running = true;
  const reader = async () => {
    while (running) {
      const i = Math.floor(Math.random() * N);
      try {
        const got = await provisioner.getSecret({ name: `apps/load/${i}` });
        if (got.value.toString() !== appValue(i)) errors.push(new Error(`apps/load/${i}: wrong value`));
        reads++;
      } catch (err) {
        errors.push(err);
      }
    }
  };
  const writer = async (w: number) => {
    for (let n = 0; running; n++) {
      const name = `proxmox/hosts/load-${w}-${n % 10}/api`;
      const value = `host-${w}-${n}`;
      try {
        await hosts.putSecret({ name, value: Buffer.from(value) });
        lastWritten.set(name, value);
        writes++;
      } catch (err) {
        errors.push(err);
      }
    }
  };
  const workers = [...[0, 1, 2, 3].map(() => reader()), ...[0, 1].map((w) => writer(w))];
  return {
    errors,
    lastWritten,
    counts: () => ({ reads, writes }),
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe("key rotation under load", () => {
  it("rotation - k1 → k2 online while readers and writers run: zero errors, k1 then retired", async () => {
    const provisioner = secrets.clientAs("provisioner");
    const admin = secrets.adminAs("sre");
    for (let i = 0; i < N; i++)
      await provisioner.putSecret({ name: `apps/load/${i}`, value: Buffer.from(appValue(i)) });
    expect(await usageOf(admin)).toEqual({ current: "k1", k1: N });

    // Refused at start-up: a second instance whose ring lacks k1, which still wraps N versions.
    await expect(
      startSecrets({
        databaseUrl: env.database.url,
        keys: env.keys,
        env: { SECRETS_KEK_FILE: writeAside("k2-only.json", { current: "k2", keys: { k2 } }) },
      }),
    ).rejects.toThrow(new RegExp(`key "k1" still wraps ${N} secret version`));

    const load = startLoad();
    try {
      await eventually(async () => load.counts().reads > 50 && load.counts().writes > 10, { what: "load" });

      // A malformed file is logged and ignored: k1 stays current, reads go on.
      writeRing("{ not json");
      await eventually(async () => rejectedReloads() === 1, { what: "malformed ring rejected" });
      await settle();
      expect((await usageOf(admin)).current).toBe("k1");

      // Introduce k2 as current: new secrets use it at once, old versions still open with k1.
      writeRing({ current: "k2", keys: { k1, k2 } });
      await eventually(async () => (await usageOf(admin)).current === "k2", { what: "k2 current" });
      const fresh = await provisioner.putSecret({ name: "apps/load/fresh", value: Buffer.from("fresh") });
      expect(await kekOf("apps/load/fresh", fresh.version)).toBe("k2");
      expect(await kekOf("apps/load/0", 1)).toBe("k1");
      expect((await usageOf(admin)).k1).toBeGreaterThanOrEqual(N);

      // Retiring k1 before the re-wrap is refused on reload; had it been taken, reads would fail.
      writeRing({ current: "k2", keys: { k2 } });
      await eventually(async () => rejectedReloads() === 2, { what: "premature retirement rejected" });
      await settle();
      expect(load.errors).toEqual([]);
      writeRing({ current: "k2", keys: { k1, k2 } });
      await settle();

      // Re-wrap in small batches while the load runs, as an operator would.
      const readsAtStart = load.counts().reads;
      let rewrapped = 0;
      for (;;) {
        const res = await admin.rewrapDataKeys({ batchSize: 25, maxBatches: 2 });
        expect(res.currentKeyId).toBe("k2");
        rewrapped += res.rewrapped;
        if (res.remaining === 0) break;
      }
      expect(rewrapped).toBeGreaterThanOrEqual(N);
      expect(load.counts().reads).toBeGreaterThan(readsAtStart);
      expect(await usageOf(admin)).toMatchObject({ current: "k2", k1: 0 });

      // Retire k1 online.
      writeRing({ current: "k2", keys: { k2 } });
      await eventually(async () => !("k1" in (await usageOf(admin))), { what: "k1 retired" });
      await settle();
    } finally {
      await load.stop();
    }
    expect(load.errors).toEqual([]);
    expect(load.counts().reads).toBeGreaterThan(100);

    // Every secret, old and new, still reads back right with only k2 in the ring.
    for (let i = 0; i < N; i++)
      expect((await provisioner.getSecret({ name: `apps/load/${i}` })).value.toString()).toBe(appValue(i));
    for (const [name, value] of load.lastWritten)
      expect((await provisioner.getSecret({ name })).value.toString()).toBe(value);
    const final = await admin.getKeyUsage({});
    expect(final.usage.map((u) => u.keyId)).toEqual(["k2"]);
    expect(final.usage[0]!.versions).toBeGreaterThanOrEqual(N + load.lastWritten.size);
  });
});

function writeAside(name: string, content: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The KEK id a stored version is wrapped by, straight from the database. */
async function kekOf(name: string, version: number): Promise<string> {
  const row = await db
    .selectFrom("secret_versions")
    .select("kek_id")
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
  return row.kek_id;
}
