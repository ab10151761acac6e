import { randomUUID } from "node:crypto";
import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { ValidationError } from "@proximity/errors";
import type { applicationsV1 } from "@proximity/proto";
import { createTestDatabase } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationsMigrations } from "../src/db/migrations/index.js";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

const listAll: applicationsV1.ListAppsRequest = { status: "", search: "", page: 0, perPage: 0, cursor: "" };

/** Inserts `count` apps of `owner` straight into the table, as the list benchmark seeds them. */
const seed = (db: Kysely<unknown>, owner: string, count: number, prefix: string, status = "running") =>
  sql`insert into apps (id, owner_id, catalog_id, hostname, status, host_id, node, port, created_at)
    select gen_random_uuid(), ${owner}, 'whoami', ${prefix} || '-' || n, ${status}, 'h1', 'pve1', 80,
      -- Some apps share a creation time: the id must break the tie without skipping one.
      now() - make_interval(secs => n / 3)
    from generate_series(1, ${count}::int) as n`.execute(db);

/** Counters that differ from a count of the rows, as [owner, status, counted, kept]. */
async function countMismatches(db: Kysely<unknown>) {
  const { rows } = await sql<{ owner_id: string; status: string; counted: string; kept: string }>`
    select coalesce(a.owner_id, c.owner_id) as owner_id, coalesce(a.status, c.status) as status,
      coalesce(a.n, 0) as counted, coalesce(c.n, 0) as kept
    from (select owner_id, status, count(*) as n from apps group by owner_id, status) a
    full join (select owner_id, status, sum(n) as n from app_counts group by owner_id, status) c
      on c.owner_id = a.owner_id and c.status = a.status
    where coalesce(a.n, 0) <> coalesce(c.n, 0)`.execute(db);
  return rows;
}

describe("app counters - kept by triggers in the changing transaction", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<unknown>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase<unknown>({ url: database.url, schema: "applications", poolMax: 12 });
    await migrateToLatest(db, { schema: "applications", migrations: applicationsMigrations });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("app counters - concurrent deploys, status changes, owner changes and deletes leave exact counts, without deadlocks", async () => {
    const owners = ["o1", "o2", "o3"];
    await seed(db, "o1", 50, "base");
    const statuses = ["deploying", "running", "stopped", "stopping", "error", "gone"];
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    let hostname = 0;
    const operation = async (i: number) => {
      switch (i % 5) {
        case 0:
          return sql`insert into apps (id, owner_id, catalog_id, hostname, status, host_id, node, port)
            values (${randomUUID()}, ${pick(owners)}, 'whoami', ${`c-${hostname++}`}, 'deploying', 'h1', 'pve1', 80)`.execute(
            db,
          );
        case 1:
          // One app moved to a status: what settle, stop and delete do.
          return sql`update apps set status = ${pick(statuses)}
            where id = (select id from apps tablesample bernoulli (5) limit 1)`.execute(db);
        case 2:
          // Many apps, of several owners, in one statement (a sequential scan: rows locked in one order).
          return sql`update apps set status = ${pick(statuses)} where hostname like ${`c-${i % 7}%`}`.execute(
            db,
          );
        case 3:
          return sql`update apps set owner_id = ${pick(owners)}
            where id = (select id from apps tablesample bernoulli (5) limit 1)`.execute(db);
        default:
          // Two statements in one transaction, and a transaction that rolls back (counts nothing).
          return db.transaction().execute(async (trx) => {
            const { rows } = await sql<{ id: string }>`
              select id from apps tablesample bernoulli (5) limit 1`.execute(trx);
            const id = rows[0]?.id ?? randomUUID();
            await sql`update apps set status = 'stopping' where id = ${id}`.execute(trx);
            await sql`delete from apps where id = ${id}`.execute(trx);
            if (i % 2 === 0) throw new Error("rolled back");
          });
      }
    };
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => operation(i)));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
    // Only the deliberate rollbacks fail: counters add no lock, so no deadlock and no waiting.
    expect(failures.filter((f) => !f.includes("rolled back"))).toEqual([]);
    expect(await countMismatches(db)).toEqual([]);
  });

  it("app counters - compaction folds the rows without changing a sum, beside concurrent writers", async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from app_counts`.execute(db);
    const writes = Array.from({ length: 40 }, (_, i) =>
      sql`insert into apps (id, owner_id, catalog_id, hostname, status, host_id, node, port)
        values (${randomUUID()}, 'o2', 'whoami', ${`k-${i}`}, 'deploying', 'h1', 'pve1', 80)`.execute(db),
    );
    const compactions = Array.from({ length: 3 }, () => sql`select app_counts_compact(100)`.execute(db));
    await Promise.all([...writes, ...compactions]);
    await sql`select app_counts_compact(100)`.execute(db);
    const after = await sql<{ n: number }>`select count(*)::int as n from app_counts`.execute(db);
    expect(after.rows[0]!.n).toBeLessThan(before.rows[0]!.n);
    expect(after.rows[0]!.n).toBeLessThanOrEqual(3 * 6);
    expect(await countMismatches(db)).toEqual([]);
  });

  it("app counters - a migration down and up again backfills them from the rows", async () => {
    await migrateDown(db, { schema: "applications", migrations: applicationsMigrations });
    await migrateToLatest(db, { schema: "applications", migrations: applicationsMigrations });
    expect(await countMismatches(db)).toEqual([]);
  });
});

describe("ListApps - keyset pages and totals from counters", () => {
  let t: Harness;
  const alice = newUser();
  const bob = newUser();
  const admin = newUser(true);
  const db = () => t.db as unknown as Kysely<unknown>;

  beforeAll(async () => {
    t = await startHarness();
    await seed(db(), alice.id, 95, "alice");
    await seed(db(), bob.id, 7, "bob");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("ListApps - a cursor walk meets every app exactly once while apps are added", async () => {
    const before = await t.db.selectFrom("apps").select("id").where("owner_id", "=", alice.id).execute();
    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    for (;;) {
      const page = await t.gateway.listApps({ ...listAll, perPage: 10, cursor }, as(alice));
      expect(page.total).toBeGreaterThanOrEqual(95);
      seen.push(...page.items.map((a) => a.id));
      // Newer apps arrive while the walk goes on: they are before the cursor, so they shift nothing.
      await seed(db(), alice.id, 2, `alice-late-${pages++}`);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(before.map((r) => r.id).sort());
    expect(pages).toBe(10);
  });

  it("ListApps - total comes from the counters and follows status changes; a search counts exactly", async () => {
    const total = async (req: Partial<applicationsV1.ListAppsRequest>, viewer = alice) =>
      (await t.gateway.listApps({ ...listAll, ...req }, as(viewer))).total;
    const all = await total({});
    const mine = await t.db.selectFrom("apps").select("id").where("owner_id", "=", alice.id).execute();
    expect(all).toBe(mine.length);
    await t.db
      .updateTable("apps")
      .set({ status: "stopped" })
      .where("hostname", "in", ["alice-1", "alice-2", "alice-3"])
      .execute();
    await t.db.updateTable("apps").set({ status: "gone" }).where("hostname", "=", "alice-4").execute();
    expect(await total({ status: "stopped" })).toBe(3);
    expect(await total({})).toBe(all - 1);
    expect(await total({ search: "alice-1" })).toBe(11); // alice-1, alice-10…alice-19
    expect(await total({}, bob)).toBe(7);
    expect(await total({}, admin)).toBe(all - 1 + 7);
    // A page past the end has no row to carry the page statement's sum: counted apart, the same.
    const pastTheEnd = await t.gateway.listApps({ ...listAll, page: 1000, perPage: 100 }, as(alice));
    expect(pastTheEnd.items).toHaveLength(0);
    expect(pastTheEnd.total).toBe(all - 1);
    expect(await total({ status: "stopped", perPage: 1 })).toBe(3);
  });

  it("ListApps - a cursor continues with page/per_page filters and is refused when malformed or combined with a page", async () => {
    const first = await t.gateway.listApps({ ...listAll, perPage: 5 }, as(alice));
    expect(first.nextCursor).not.toBe("");
    const second = await t.gateway.listApps({ ...listAll, perPage: 5, cursor: first.nextCursor }, as(alice));
    const byPage = await t.gateway.listApps({ ...listAll, perPage: 5, page: 2 }, as(alice));
    expect(second.items.map((a) => a.id)).toEqual(byPage.items.map((a) => a.id));

    const fields = async (req: applicationsV1.ListAppsRequest) => {
      const err = await t.gateway.listApps(req, as(alice)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).fieldErrors.map((f) => f.field);
    };
    const b64 = (s: string) => Buffer.from(s).toString("base64url");
    for (const cursor of ["garbage!", b64("1|yesterday|x"), `${first.nextCursor}AAAA`, "A".repeat(200)])
      expect(await fields({ ...listAll, cursor })).toEqual(["cursor"]);
    expect(await fields({ ...listAll, page: 2, cursor: first.nextCursor })).toEqual(["cursor"]);
  });

  it("ListApps - another user's cursor reveals nothing of theirs: the viewer's own apps from that position", async () => {
    const alicePage = await t.gateway.listApps({ ...listAll, perPage: 3 }, as(alice));
    const bobWithAliceCursor = await t.gateway.listApps(
      { ...listAll, cursor: alicePage.nextCursor },
      as(bob),
    );
    for (const app of bobWithAliceCursor.items) expect(app.ownerId).toBe(bob.id);
    expect(bobWithAliceCursor.total).toBe(7);
    // A forged position (any time, any id) is just a position: still only Bob's apps.
    const forged = Buffer.from(`1|2999-01-01T00:00:00.000000Z|${randomUUID()}`).toString("base64url");
    const bobForged = await t.gateway.listApps({ ...listAll, cursor: forged }, as(bob));
    expect(bobForged.items.map((a) => a.ownerId)).toEqual(Array(7).fill(bob.id));
  });
});
