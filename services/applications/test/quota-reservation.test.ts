/**
 * reserveAppSlot on a real database, without the service around it: concurrent first apps of a
 * user with no quota row yet (the path that makes the row), a default of 0, and a user's own limit.
 */
import { randomUUID } from "node:crypto";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationsDatabase, ApplicationsDb } from "../src/db/database.js";
import { applicationsMigrations } from "../src/db/migrations/index.js";
import { lockHostForPlacement } from "../src/db/placement-host.repository.js";
import { findQuota, reserveAppSlot, setMaxApps } from "../src/db/quota.repository.js";

const schema = "applications";
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: ApplicationsDb;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase<ApplicationsDatabase>({ url: database.url, schema, poolMax: 12 });
  await migrateToLatest(db, { schema, migrations: applicationsMigrations });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** `n` placements of one user at once, each in its own transaction, as concurrent deploys are. */
async function reserveConcurrently(userId: string, n: number, defaultMax: number): Promise<number> {
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      db.transaction().execute((trx) => reserveAppSlot(trx, userId, defaultMax)),
    ),
  );
  return results.filter(Boolean).length;
}

/** The placement's first look at `userId`'s quota (with the host's row), in its own transaction. */
function quotaLook(userId: string, defaultMax: number): Promise<boolean> {
  return db
    .transaction()
    .execute(
      async (trx) => (await lockHostForPlacement(trx, "look-host", { userId, defaultMax })).quotaReached,
    );
}

describe("quota reservation", () => {
  it("quota - the placement's first look: reached at the default, at a user's own limit, or with no row and a default of 0", async () => {
    const none = randomUUID(); // no quota row yet: no app
    expect(await quotaLook(none, 3)).toBe(false);
    expect(await quotaLook(none, 0)).toBe(true);
    const atDefault = randomUUID(); // a row without a limit of its own
    expect(await reserveConcurrently(atDefault, 2, 2)).toBe(2);
    expect(await quotaLook(atDefault, 2)).toBe(true);
    expect(await quotaLook(atDefault, 3)).toBe(false);
    const own = randomUUID(); // a limit of their own, above or below the default
    await setMaxApps(db, own, 1);
    expect(await quotaLook(own, 5)).toBe(false);
    expect(await reserveConcurrently(own, 1, 5)).toBe(1);
    expect(await quotaLook(own, 5)).toBe(true);
    await setMaxApps(db, own, 4);
    expect(await quotaLook(own, 0)).toBe(false);
  });

  it("quota - 10 concurrent first apps of a user without a row, default 3: exactly 3, and the row counts them", async () => {
    const user = randomUUID();
    expect(await findQuota(db, user)).toBeUndefined();
    expect(await reserveConcurrently(user, 10, 3)).toBe(3);
    expect(await findQuota(db, user)).toEqual({ user_id: user, max_apps: null, live_apps: 3 });
  });

  it("quota - a default of 0 admits none; a user's own limit overrides the default", async () => {
    const none = randomUUID();
    expect(await reserveConcurrently(none, 4, 0)).toBe(0);
    expect((await findQuota(db, none))?.live_apps).toBe(0);
    const own = randomUUID();
    await setMaxApps(db, own, 2);
    expect(await reserveConcurrently(own, 6, 0)).toBe(2);
    expect(await reserveConcurrently(own, 3, 100)).toBe(0);
    expect((await findQuota(db, own))?.live_apps).toBe(2);
  });
});
