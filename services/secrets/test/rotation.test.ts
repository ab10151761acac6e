import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase } from "@proximity/db";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsDatabase } from "../src/db/database.js";
import { createLocalKeyProvider, rewrapAll } from "../src/index.js";
import { newKek, secretsTestEnvironment, startSecrets } from "./fixture.js";

let env: Awaited<ReturnType<typeof secretsTestEnvironment>>;
let db: Kysely<SecretsDatabase>;
const dir = mkdtempSync(join(tmpdir(), "kek-ring-"));
const k1 = newKek();
const k2 = newKek();

function ring(name: string, content: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

beforeAll(async () => {
  env = await secretsTestEnvironment();
  db = createDatabase<SecretsDatabase>({ url: env.database.url, schema: "secrets" });
});

afterAll(async () => {
  await db?.destroy();
  await env?.database.drop();
});

describe("key rotation", () => {
  it("rewrapAll - re-wraps every data key to the new KEK in batches; secrets stay readable without the old KEK", async () => {
    const before = await startSecrets({
      databaseUrl: env.database.url,
      keys: env.keys,
      env: { SECRETS_KEK_FILE: ring("k1.json", { current: "k1", keys: { k1 } }) },
    });
    const provisioner = before.clientAs("provisioner");
    for (let i = 0; i < 5; i++)
      await provisioner.putSecret({ name: `apps/rot/${i}`, value: Buffer.from(`value-${i}`) });
    await before.stop();
    const payloads = await db
      .selectFrom("secret_versions")
      .select(["name", "ciphertext"])
      .orderBy("name")
      .execute();

    const both = createLocalKeyProvider({ kekFile: ring("both.json", { current: "k2", keys: { k1, k2 } }) });
    expect(await rewrapAll({ db, keys: both }, "k2", { batchSize: 2 })).toBe(5);
    expect(await rewrapAll({ db, keys: both }, "k2")).toBe(0);
    const rows = await db
      .selectFrom("secret_versions")
      .select(["name", "kek_id", "ciphertext"])
      .orderBy("name")
      .execute();
    expect(rows.map((r) => r.kek_id)).toEqual(Array(5).fill("k2"));
    // Payloads are not re-encrypted, only their data keys re-wrapped.
    expect(rows.map((r) => r.ciphertext.toString("hex"))).toEqual(
      payloads.map((p) => p.ciphertext.toString("hex")),
    );

    const after = await startSecrets({
      databaseUrl: env.database.url,
      keys: env.keys,
      env: { SECRETS_KEK_FILE: ring("k2.json", { current: "k2", keys: { k2 } }) },
    });
    try {
      for (let i = 0; i < 5; i++)
        expect(
          (await after.clientAs("provisioner").getSecret({ name: `apps/rot/${i}` })).value.toString(),
        ).toBe(`value-${i}`);
    } finally {
      await after.stop();
    }
  });
});
