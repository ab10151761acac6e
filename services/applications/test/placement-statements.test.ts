/**
 * The statements a placement (deploy, adopt, clone, restore into a new app) runs, on a real
 * database without the service around it: the app inserted with its operation and first log line
 * by one statement, and the quota slot counted by the statement that records the placement's event.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { createDatabase, isUniqueViolation, migrateToLatest } from "@proximity/db";
import { createTestDatabase, statementCounter } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appEvent } from "../src/app/app-events.js";
import { insertAppWithOperation } from "../src/db/app.repository.js";
import { AppConstraints, type NewAppRow } from "../src/db/apps.table.js";
import type { ApplicationsDatabase, ApplicationsDb } from "../src/db/database.js";
import { applicationsMigrations } from "../src/db/migrations/index.js";
import { findOperation } from "../src/db/operation.repository.js";
import { findQuota, reserveAppSlot, setMaxApps } from "../src/db/quota.repository.js";

const schema = "applications";
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: ApplicationsDb;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase<ApplicationsDatabase>({ url: database.url, schema, poolMax: 4 });
  await migrateToLatest(db, { schema, migrations: applicationsMigrations });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

function newApp(hostname: string, operationId: string): NewAppRow {
  return {
    id: randomUUID(),
    owner_id: randomUUID(),
    catalog_id: "whoami",
    hostname,
    status: "deploying",
    host_id: "host-a",
    node: "pve1",
    vmid: null,
    port: 80,
    ip_address: null,
    environment: "{}",
    secret_env: "{}",
    current_operation_id: operationId,
    current_operation: "deploy",
    idempotency_key: null,
  };
}

const requested = { level: "info", step: "requested", message: "Deployment of whoami requested" } as const;

async function logOf(appId: string) {
  return db
    .selectFrom("deployment_logs")
    .select(["level", "step", "message"])
    .where("app_id", "=", appId)
    .orderBy("id")
    .execute();
}

async function eventsAbout(subject: string): Promise<string[]> {
  const rows = await db
    .selectFrom("outbox")
    .select("type")
    .where(sql<string>`headers->>'ce-subject'`, "=", subject)
    .execute();
  return rows.map((r) => r.type);
}

/** An event a placement records, about a subject of its own. */
const placementEvent = (subject: string) =>
  appEvent(Events.AppDeployed, { app: undefined, operationId: subject }, { id: subject }, "");

describe("inserting a new app", () => {
  it("the app, its operation (deadline on the database's clock) and its first log line: one statement", async () => {
    const operationId = randomUUID();
    const row = newApp(`app-${operationId.slice(0, 8)}`, operationId);
    const counter = statementCounter();
    const before = Date.now();
    const { app, deadlineAt } = await insertAppWithOperation(
      db.withPlugin(counter.plugin),
      row,
      { id: operationId, kind: "deploy", requestedBy: row.owner_id, deadlineMs: 600_000 },
      requested,
    );
    expect(counter.sent).toBe(1);
    expect(app).toMatchObject({ id: row.id, status: "deploying", current_operation_id: operationId });
    const operation = await findOperation(db, operationId);
    expect(operation).toMatchObject({ app_id: row.id, kind: "deploy", status: "running" });
    expect(deadlineAt).toEqual(operation?.deadline_at);
    expect(deadlineAt.getTime() - before).toBeGreaterThan(590_000);
    expect(await logOf(row.id)).toEqual([requested]);
  });

  it("a taken hostname writes nothing: no app, operation or log line", async () => {
    const hostname = `taken-${randomUUID().slice(0, 8)}`;
    const first = randomUUID();
    const firstRow = newApp(hostname, first);
    const op = (id: string) =>
      ({ id, kind: "deploy", requestedBy: randomUUID(), deadlineMs: 60_000 }) as const;
    await insertAppWithOperation(db, firstRow, op(first), requested);
    const second = randomUUID();
    const secondRow = newApp(hostname, second);
    const refused = await insertAppWithOperation(db, secondRow, op(second), requested).catch(
      (err: unknown) => err,
    );
    expect(isUniqueViolation(refused, AppConstraints.liveHostname)).toBe(true);
    expect(await findOperation(db, second)).toBeUndefined();
    expect(await logOf(secondRow.id)).toEqual([]);
  });
});

describe("counting a placement against its owner's quota", () => {
  it("records the placement's event in the statement that counts the app", async () => {
    const owner = randomUUID();
    await setMaxApps(db, owner, 5);
    const subject = randomUUID();
    const counter = statementCounter();
    expect(await reserveAppSlot(db.withPlugin(counter.plugin), owner, 10, placementEvent(subject))).toBe(
      true,
    );
    expect(counter.sent).toBe(1);
    expect(await eventsAbout(subject)).toEqual([Events.AppDeployed.type]);
    expect(await findQuota(db, owner)).toMatchObject({ live_apps: 1 });
  });

  it("a user's first app (no quota row yet) records its event once", async () => {
    const owner = randomUUID();
    const subject = randomUUID();
    expect(await reserveAppSlot(db, owner, 10, placementEvent(subject))).toBe(true);
    expect(await eventsAbout(subject)).toEqual([Events.AppDeployed.type]);
    expect(await findQuota(db, owner)).toMatchObject({ live_apps: 1 });
  });

  it("a reached quota counts nothing and records no event", async () => {
    const owner = randomUUID();
    await setMaxApps(db, owner, 1);
    expect(await reserveAppSlot(db, owner, 10, placementEvent(randomUUID()))).toBe(true);
    const refused = randomUUID();
    expect(await reserveAppSlot(db, owner, 10, placementEvent(refused))).toBe(false);
    expect(await eventsAbout(refused)).toEqual([]);
    expect(await findQuota(db, owner)).toMatchObject({ live_apps: 1 });
  });
});
