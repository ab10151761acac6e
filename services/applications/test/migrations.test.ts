import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationsMigrations } from "../src/db/migrations/index.js";

const schema = "applications";

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
    expect(await migrateToLatest(db, { schema, migrations: applicationsMigrations })).toEqual(
      Object.keys(applicationsMigrations),
    );
    expect(await tablesIn(db, schema)).toEqual(expected);

    expect(await migrateDown(db, { schema, migrations: applicationsMigrations, all: true })).toEqual(
      Object.keys(applicationsMigrations).reverse(),
    );
    expect(await tablesIn(db, schema)).toEqual([]);

    await migrateToLatest(db, { schema, migrations: applicationsMigrations });
    expect(await tablesIn(db, schema)).toEqual(expected);
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
