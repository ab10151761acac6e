/**
 * How a delivery records its operation: the first inserts it claimed by its worker for attempt 1
 * (one statement); a later delivery finds it recorded, changes nothing, and claims it as before.
 */
import { randomUUID } from "node:crypto";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { provisionerMigrations } from "../src/db/migrations/index.js";
import { claimOperation, findOperation, insertOperationClaimed } from "../src/db/operation.repository.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<ProvisionerDatabase>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase<ProvisionerDatabase>({ url: database.url, schema: "provisioner" });
  await migrateToLatest(db, { schema: "provisioner", migrations: provisionerMigrations });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const record = (id: string) => ({ id, kind: "deploy", appId: randomUUID(), hostId: "h1", node: "pve1" });

describe("operation record", () => {
  it("operation record - the first delivery inserts it claimed for attempt 1; a redelivery changes nothing and claims as before", async () => {
    const id = randomUUID();
    const before = Date.now();
    const first = await insertOperationClaimed(db, record(id), "worker-1", 30_000);
    expect(first).toMatchObject({ id, status: "running", attempts: 1, claimed_by: "worker-1", vmid: null });
    const until = first!.claimed_until!.getTime();
    expect(until).toBeGreaterThan(before + 25_000);
    expect(until).toBeLessThan(Date.now() + 35_000);

    // A duplicate delivery on another replica: nothing inserted, the row untouched, the claim held.
    expect(await insertOperationClaimed(db, record(id), "worker-2", 30_000)).toBeUndefined();
    expect(await findOperation(db, id)).toMatchObject({ attempts: 1, claimed_by: "worker-1" });
    expect(await claimOperation(db, id, "worker-2", 30_000, true)).toBeUndefined();

    // Once the claim lapses, a redelivery claims it for attempt 2.
    await db
      .updateTable("operations")
      .set({ claimed_until: new Date(Date.now() - 1_000) })
      .where("id", "=", id)
      .execute();
    expect(await claimOperation(db, id, "worker-2", 30_000, true)).toMatchObject({
      attempts: 2,
      claimed_by: "worker-2",
    });
  });
});
