import { randomBytes } from "node:crypto";
import { UnavailableError } from "@proximity/errors";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../src/index.js";
import { SCHEMA_CHANGED } from "../src/pool.js";
import { createStatementNames, isStalePlan } from "../src/prepared-statements.js";

// @proximity/testing depends on this package, so the database is made here by hand.
const serverUrl = inject("databaseUrl");
const name = `proximity_test_db_${randomBytes(5).toString("hex")}`;
const schema = "prepared_test";
let url: string;
const open: Kysely<unknown>[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>, database = "postgres"): Promise<T> {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`create database ${name}`));
  await admin(async (c) => {
    await c.query(`create schema ${schema}`);
    await c.query(`create table ${schema}.items (id int primary key, label text not null)`);
    await c.query(`insert into ${schema}.items values (1, 'one'), (2, 'two'), (3, 'three')`);
  }, name);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  url = u.toString();
});
afterAll(async () => {
  for (const db of open) await db.destroy();
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
});

/** One connection, so what it prepared can be read back on it. */
function database(preparedStatements?: number): Kysely<unknown> {
  const db = createDatabase<unknown>({ url, schema, poolMax: 1, preparedStatements });
  open.push(db);
  return db;
}

const labelOf = (db: Kysely<unknown>, id: number) =>
  sql<{ label: string }>`select label from items where id = ${id}`.execute(db);

/** Polls `check` (sync or async) until true or ~3 s passed. */
async function until(check: () => boolean | Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/** The statements the pool's one connection keeps prepared (this query has no parameters: unnamed). */
async function prepared(db: Kysely<unknown>): Promise<{ name: string; statement: string }[]> {
  const { rows } = await sql<{ name: string; statement: string }>`
    select name, statement from pg_prepared_statements order by prepare_time`.execute(db);
  return rows;
}

describe("prepared statements - against real PostgreSQL", () => {
  it("prepared statements - a statement with parameters is prepared once per connection and reused, with right answers", async () => {
    const db = database();
    expect((await labelOf(db, 1)).rows).toEqual([{ label: "one" }]);
    expect((await labelOf(db, 2)).rows).toEqual([{ label: "two" }]);
    expect((await labelOf(db, 3)).rows).toEqual([{ label: "three" }]);
    const kept = await prepared(db);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.name).toMatch(/^proximity_0_\d+$/);
    expect(kept[0]!.statement).toBe("select label from items where id = $1");
  });

  it("prepared statements - at most the configured number of distinct statements is prepared; the others run unnamed and still answer", async () => {
    const db = database(2);
    await sql`select ${1}::int as a`.execute(db);
    await sql`select ${1}::int as b`.execute(db);
    const third = await sql<{ c: number }>`select ${7}::int as c`.execute(db);
    expect(third.rows).toEqual([{ c: 7 }]);
    expect((await prepared(db)).map((p) => p.statement)).toEqual([
      "select $1::int as a",
      "select $1::int as b",
    ]);
  });

  it("prepared statements - 0 prepares none", async () => {
    const db = database(0);
    expect((await labelOf(db, 2)).rows).toEqual([{ label: "two" }]);
    expect(await prepared(db)).toEqual([]);
  });

  it("prepared statements - a column added under a prepared select * fails that call as unavailable once; the statement is prepared again, on a fresh connection, and reads the new column", async () => {
    const db = database();
    const all = (id: number) =>
      sql<Record<string, unknown>>`select * from items where id = ${id}`.execute(db);
    expect((await all(1)).rows).toEqual([{ id: 1, label: "one" }]);
    const [before] = await prepared(db);
    expect(before!.name).toMatch(/^proximity_0_/);
    await admin(
      (c) => c.query(`alter table ${schema}.items add column note text not null default 'n'`),
      name,
    );
    const stale = await all(1).catch((err: unknown) => err);
    expect(stale).toBeInstanceOf(UnavailableError);
    expect((stale as Error).message).toBe(SCHEMA_CHANGED);
    expect(isStalePlan((stale as Error).cause)).toBe(true);
    expect((await all(1)).rows).toEqual([{ id: 1, label: "one", note: "n" }]);
    expect((await all(2)).rows).toEqual([{ id: 2, label: "two", note: "n" }]);
    // The connection that held the stale statement was closed: only the new generation is kept.
    expect((await prepared(db)).map((p) => p.name)).toEqual([expect.stringMatching(/^proximity_1_/)]);
  });

  it("prepared statements - after a rename, a connection holding the older statements is closed when released, not pooled again", async () => {
    await admin(
      (c) => c.query(`create table if not exists ${schema}.gens (id int primary key, v text)`),
      name,
    );
    await admin((c) => c.query(`insert into ${schema}.gens values (1, 'a') on conflict do nothing`), name);
    const db = createDatabase<unknown>({ url, schema, poolMax: 2 });
    open.push(db);
    const row = (q: Kysely<unknown>) =>
      sql<Record<string, unknown>>`select * from gens where id = ${1}`.execute(q);
    const pidOf = async (q: Kysely<unknown>) =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(q)).rows[0]!.pid;
    let heldPid = 0;
    let renamedMeanwhile!: () => void;
    const renamed = new Promise<void>((resolve) => {
      renamedMeanwhile = resolve;
    });
    const held = db.transaction().execute(async (trx) => {
      heldPid = await pidOf(trx);
      await labelOf(trx, 1); // a statement prepared under generation 0 (no lock on gens: the ALTER goes on)
      await renamed;
      await sql`select v from gens where id = ${1}`.execute(trx); // a new name, generation 1
    });
    await until(() => heldPid !== 0);
    await row(db); // the other connection prepares it too
    await admin((c) => c.query(`alter table ${schema}.gens add column w text`), name);
    await expect(row(db)).rejects.toThrow(SCHEMA_CHANGED);
    renamedMeanwhile();
    await held;
    const alive = async () =>
      (await admin((c) => c.query("select 1 from pg_stat_activity where pid = $1", [heldPid]))).rowCount;
    expect(await until(async () => (await alive()) === 0)).toBe(true);
    expect((await row(db)).rows).toEqual([{ id: 1, v: "a", w: null }]);
  });

  it("prepared statements - after a rename, an idle connection holding the older statements is closed, not handed out", async () => {
    await admin((c) => c.query(`create table if not exists ${schema}.idle (id int primary key)`), name);
    await admin((c) => c.query(`insert into ${schema}.idle values (1) on conflict do nothing`), name);
    const db = createDatabase<unknown>({ url, schema, poolMax: 2 });
    open.push(db);
    const pidOf = async (q: Kysely<unknown>) =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(q)).rows[0]!.pid;
    // Both connections prepare a statement (two transactions at once), then go back to the pool.
    let bothIn!: () => void;
    const together = new Promise<void>((resolve) => {
      bothIn = resolve;
    });
    let entered = 0;
    const pids = await Promise.all(
      [0, 1].map(() =>
        db.transaction().execute(async (trx) => {
          await labelOf(trx, 1);
          entered += 1;
          if (entered === 2) bothIn();
          await together;
          return pidOf(trx);
        }),
      ),
    );
    expect(new Set(pids).size).toBe(2);
    const all = () => sql`select * from idle where id = ${1}`.execute(db);
    await all(); // prepared on one of them
    await admin((c) => c.query(`alter table ${schema}.idle add column x int`), name);
    await expect(all()).rejects.toThrow(SCHEMA_CHANGED); // that connection is discarded, names renamed
    // The other one is idle with statements of the older generation: the next call gets a new one.
    const next = await pidOf(db);
    expect(pids).not.toContain(next);
    expect((await all()).rows).toEqual([{ id: 1, x: null }]);
  });

  it("prepared statements - failures that leave the statements known keep the connection; a statement the server forgot fails once, as unavailable", async () => {
    await admin(
      (c) => c.query(`create table if not exists ${schema}.uniq (id int primary key, v text)`),
      name,
    );
    const db = createDatabase<unknown>({ url, schema, poolMax: 1, timeouts: { statementMs: 200 } });
    open.push(db);
    const pidOf = async () =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
    const insert = (id: number) => sql`insert into uniq (id, v) values (${id}, ${"v"})`.execute(db);
    const pid = await pidOf();
    await insert(1);
    await expect(insert(1)).rejects.toMatchObject({ code: "23505" }); // a unique violation
    await expect(sql`select pg_sleep(${1})`.execute(db)).rejects.toBeInstanceOf(UnavailableError); // statement_timeout
    expect(await pidOf()).toBe(pid);
    await insert(2); // still prepared: runs
    expect((await prepared(db)).map((p) => p.statement)).toContain(
      "insert into uniq (id, v) values ($1, $2)",
    );
    await sql`deallocate all`.execute(db); // the server forgets them; pg still counts them prepared
    const forgotten = await insert(3).catch((err: unknown) => err);
    expect(forgotten).toBeInstanceOf(UnavailableError);
    expect(((forgotten as Error).cause as { code?: string }).code).toBe("26000");
    expect(await pidOf()).not.toBe(pid); // that connection was discarded
    await insert(3);
  });

  it("prepared statements - a value pg cannot send does not break the statement for the calls after it", async () => {
    const db = database();
    await admin(
      (c) => c.query(`create table if not exists ${schema}.docs (id int primary key, doc jsonb)`),
      name,
    );
    const put = (id: number, doc: unknown) =>
      sql`insert into docs (id, doc) values (${id}, ${doc}) on conflict (id) do update set doc = excluded.doc`.execute(
        db,
      );
    await put(1, JSON.stringify({ a: 1 }));
    // JSON.stringify throws on a BigInt: pg fails after sending the statement's name.
    await expect(put(1, { a: 1n })).rejects.toThrow(/BigInt/);
    for (const id of [1, 2, 3]) await put(id, JSON.stringify({ ok: id }));
    // Within one checkout (a transaction going on after the failure), the rest runs unnamed.
    await db.transaction().execute(async (trx) => {
      const putIn = (id: number, doc: unknown) =>
        sql`insert into docs (id, doc) values (${id}, ${doc}) on conflict (id) do update set doc = excluded.doc`.execute(
          trx,
        );
      await expect(putIn(4, { a: 1n })).rejects.toThrow(/BigInt/);
      await putIn(4, JSON.stringify({ ok: 4 }));
    });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from docs where doc ? 'ok'`.execute(
      db,
    );
    expect(rows).toEqual([{ n: 4 }]);
  });

  it("prepared statements - names: one per distinct text, stable until a stale one renames every text, once for the calls that failed together", () => {
    const names = createStatementNames(10);
    const a = names.nameOf("select $1")!;
    expect(names.nameOf("select $1")).toBe(a);
    expect(names.nameOf("select $2")).not.toBe(a);
    expect(names.generation).toBe(0);
    names.staled(a);
    expect(names.generation).toBe(1);
    const renamed = names.nameOf("select $1");
    expect(renamed).toBeDefined();
    expect(renamed).not.toBe(a);
    names.staled(a); // another call that failed with the old name: renamed already
    expect(names.generation).toBe(1);
    expect(names.nameOf("select $1")).toBe(renamed);
    expect(isStalePlan({ code: "0A000", message: "cached plan must not change result type" })).toBe(true);
    expect(isStalePlan({ code: "0A000", message: "something else not supported" })).toBe(false);
    expect(isStalePlan(null)).toBe(false);
  });
});
