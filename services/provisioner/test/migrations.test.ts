import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { provisionerMigrations as migrations } from "../src/db/migrations/index.js";

const SCHEMA = "provisioner";
let db: ReturnType<typeof createDatabase<ProvisionerDatabase>>;
let drop: () => Promise<void>;

const tables = async () =>
  (
    await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = ${SCHEMA} and table_name not like 'kysely_%' order by table_name`.execute(
      db,
    )
  ).rows.map((r) => r.table_name);

beforeAll(async () => {
  const testDb = await createTestDatabase();
  drop = testDb.drop;
  db = createDatabase<ProvisionerDatabase>({ url: testDb.url, schema: SCHEMA });
});

afterAll(async () => {
  await db.destroy();
  await drop();
});

describe("migrations", () => {
  it("migrations - up creates the journal, the VMID guard, dead-letter replays and outbox/inbox; down removes them all", async () => {
    await migrateToLatest(db, { schema: SCHEMA, migrations });
    expect(await tables()).toEqual([
      "containers",
      "dead_letter_replays",
      "inbox",
      "operation_steps",
      "operations",
      "outbox",
    ]);
    await migrateDown(db, { schema: SCHEMA, migrations, all: true });
    expect(await tables()).toEqual([]);
    await migrateToLatest(db, { schema: SCHEMA, migrations });
    expect(await tables()).toHaveLength(6);
  });

  it("migrations - unique (host_id, vmid) refuses a second holder of a VMID", async () => {
    const row = { host_id: "h", vmid: 100, node: "pve1", app_id: "a", operation_id: "op-1" };
    await db.insertInto("containers").values(row).execute();
    await expect(
      db
        .insertInto("containers")
        .values({ ...row, app_id: "b", operation_id: "op-2" })
        .execute(),
    ).rejects.toMatchObject({ code: "23505" });
  });
});
