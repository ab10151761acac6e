import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrations } from "../src/db/migrations/index.js";

const schema = "applications";

async function tablesIn(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${schema} and table_name not like 'kysely_%' order by table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

describe("migrations", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<unknown>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase<unknown>({ url: database.url, schema });
  });

  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it("migrations - up creates every table, down removes them all, up again succeeds", async () => {
    const expected = ["apps", "deployment_logs", "inbox", "outbox"];
    expect(await migrateToLatest(db, { schema, migrations })).toEqual(Object.keys(migrations));
    expect(await tablesIn(db)).toEqual(expected);

    expect(await migrateDown(db, { schema, migrations, all: true })).toEqual(
      Object.keys(migrations).reverse(),
    );
    expect(await tablesIn(db)).toEqual([]);

    await migrateToLatest(db, { schema, migrations });
    expect(await tablesIn(db)).toEqual(expected);
  });

  it("migrations - the hostname index only covers apps that are not gone", async () => {
    const app = (id: string, status: string) => sql`
      insert into apps (id, owner_id, catalog_id, hostname, status, host_id, node, port)
      values (${id}, 'u1', 'whoami', 'reused', ${status}, 'h1', 'pve1', 80)`;
    await app("00000000-0000-4000-8000-000000000001", "gone").execute(db);
    await app("00000000-0000-4000-8000-000000000002", "running").execute(db);
    await expect(app("00000000-0000-4000-8000-000000000003", "deploying").execute(db)).rejects.toMatchObject({
      code: "23505",
      constraint: "apps_live_hostname_key",
    });
  });
});
