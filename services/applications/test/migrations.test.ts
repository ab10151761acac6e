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
    const expected = [
      "app_counts",
      "app_metrics",
      "app_operations",
      "apps",
      "deployment_logs",
      "inbox",
      "observed_nodes",
      "outbox",
      "placement_hosts",
      "port_allocations",
      "user_quotas",
    ];
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

describe("migrations - 0002 life cycle", () => {
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

  const onlyFirst = {
    "0001_apps_and_deployment_logs": applicationsMigrations["0001_apps_and_deployment_logs"]!,
  };

  it("migrations - 0002 backfills running operations and quotas; down restores the 0001 statuses", async () => {
    await migrateToLatest(db, { schema, migrations: onlyFirst });
    const op = "00000000-0000-4000-8000-0000000000aa";
    await sql`insert into apps (id, owner_id, catalog_id, hostname, status, host_id, node, port, current_operation_id)
      values ('00000000-0000-4000-8000-000000000011', 'u1', 'whoami', 'a1', 'deploying', 'h1', 'pve1', 80, ${op}),
             ('00000000-0000-4000-8000-000000000012', 'u1', 'whoami', 'a2', 'running', 'h1', 'pve1', 80, null),
             ('00000000-0000-4000-8000-000000000013', 'u1', 'whoami', 'a3', 'gone', 'h1', 'pve1', 80, null)`.execute(
      db,
    );
    await expect(
      sql`update apps set status = 'restarting' where hostname = 'a2'`.execute(db),
    ).rejects.toMatchObject({
      code: "23514",
    });
    await migrateToLatest(db, { schema, migrations: applicationsMigrations });
    const ops = await sql<{
      id: string;
      kind: string;
      status: string;
    }>`select id, kind, status from app_operations`.execute(db);
    expect(ops.rows).toEqual([{ id: op, kind: "deploy", status: "running" }]);
    const quotas = await sql<{
      user_id: string;
      live_apps: number;
    }>`select user_id, live_apps from user_quotas`.execute(db);
    expect(quotas.rows).toEqual([{ user_id: "u1", live_apps: 2 }]);
    await sql`update apps set status = 'restarting', current_operation_id = ${op}, current_operation = 'restart'
      where hostname = 'a2'`.execute(db);

    // Down to 0001, one migration at a time.
    for (let i = 1; i < Object.keys(applicationsMigrations).length; i++) {
      await migrateDown(db, { schema, migrations: applicationsMigrations, all: false });
    }
    expect(await tablesIn(db, schema)).toEqual(["apps", "deployment_logs", "inbox", "outbox"]);
    const statuses = await sql<{
      hostname: string;
      status: string;
    }>`select hostname, status from apps order by hostname`.execute(db);
    expect(statuses.rows).toEqual([
      { hostname: "a1", status: "deploying" },
      { hostname: "a2", status: "error" },
      { hostname: "a3", status: "gone" },
    ]);
  });
});

describe("migrations - 0004 archive operations", () => {
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

  const untilObservations = Object.fromEntries(
    Object.entries(applicationsMigrations).filter(([name]) => name < "0004"),
  );

  it("migrations - 0004 admits restoring and the backup/restore kinds; down lets them go", async () => {
    await migrateToLatest(db, { schema, migrations: untilObservations });
    const insertApp = (id: string, hostname: string, status: string) => sql`
      insert into apps (id, owner_id, catalog_id, hostname, status, host_id, node, port, vmid)
      values (${id}, 'u1', 'whoami', ${hostname}, ${status}, 'h1', 'pve1', 80, null)`;
    await expect(
      insertApp("00000000-0000-4000-8000-000000000021", "r0", "restoring").execute(db),
    ).rejects.toMatchObject({ code: "23514", constraint: "apps_status_check" });

    await migrateToLatest(db, { schema, migrations: applicationsMigrations });
    const restoring = "00000000-0000-4000-8000-000000000022";
    const backingUp = "00000000-0000-4000-8000-000000000023";
    const restoreOp = "00000000-0000-4000-8000-0000000000b1";
    const backupOp = "00000000-0000-4000-8000-0000000000b2";
    await insertApp(restoring, "r1", "restoring").execute(db);
    await insertApp(backingUp, "b1", "running").execute(db);
    for (const [op, app, kind] of [
      [restoreOp, restoring, "restore"],
      [backupOp, backingUp, "backup"],
    ] as const) {
      await sql`insert into app_operations (id, app_id, kind, requested_by, deadline_at)
        values (${op}, ${app}, ${kind}, 'u1', now() + interval '6 hours')`.execute(db);
      await sql`update apps set current_operation_id = ${op}, current_operation = ${kind} where id = ${app}`.execute(
        db,
      );
    }

    // Down past 0005 (app counts), then 0004.
    await migrateDown(db, { schema, migrations: applicationsMigrations, all: false });
    await migrateDown(db, { schema, migrations: applicationsMigrations, all: false });
    const apps = await sql<{
      hostname: string;
      status: string;
      current_operation: string | null;
    }>`select hostname, status, current_operation from apps order by hostname`.execute(db);
    expect(apps.rows).toEqual([
      { hostname: "b1", status: "running", current_operation: null },
      { hostname: "r1", status: "error", current_operation: null },
    ]);
    const operations = await sql`select id from app_operations`.execute(db);
    expect(operations.rows).toEqual([]);
    await expect(
      sql`update apps set current_operation_id = ${backupOp}, current_operation = 'backup'
        where hostname = 'b1'`.execute(db),
    ).rejects.toMatchObject({ code: "23514", constraint: "apps_current_operation_check" });
  });
});
