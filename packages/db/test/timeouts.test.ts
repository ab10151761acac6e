import { randomBytes } from "node:crypto";
import { UnavailableError } from "@proximity/errors";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createDatabase,
  DATABASE_UNAVAILABLE,
  type DatabaseTimeouts,
  migrateToLatest,
} from "../src/index.js";

// @proximity/testing depends on this package, so the database is made here by hand.
const serverUrl = inject("databaseUrl");
const name = `proximity_test_db_${randomBytes(5).toString("hex")}`;
let url: string;
const open: Kysely<unknown>[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`create database ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  url = u.toString();
});
afterAll(async () => {
  for (const db of open) await db.destroy();
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
});

function database(timeouts: Partial<DatabaseTimeouts>, poolMax?: number): Kysely<unknown> {
  const db = createDatabase<unknown>({ url, schema: "timeouts_test", timeouts, poolMax });
  open.push(db);
  return db;
}

/** Runs `work`, expecting it to fail; returns the error and how long it took. */
async function failure(work: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (err) {
    return { err, ms: Date.now() - started };
  }
  throw new Error("expected a failure");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("database timeouts - against real PostgreSQL", () => {
  it("database timeouts - a statement running past statement_timeout fails as UnavailableError, not a hang", async () => {
    const db = database({ statementMs: 200 });
    const { err, ms } = await failure(() => sql`select pg_sleep(5)`.execute(db));
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).code).toBe("UNAVAILABLE");
    expect((err as Error).message).toBe(DATABASE_UNAVAILABLE);
    expect(((err as Error).cause as { code?: string }).code).toBe("57014");
    expect(ms).toBeLessThan(2_000);
    // The connection is fine afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it("database timeouts - waiting for a pooled connection is bounded by the acquire timeout", async () => {
    const db = database({ acquireMs: 300 }, 1);
    const holder = db.connection().execute(async (conn) => {
      await sql`select 1`.execute(conn);
      await sleep(1_500);
    });
    await sleep(50);
    const { err, ms } = await failure(() => sql`select 1`.execute(db));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(1_400);
    await holder;
  });

  it("database timeouts - a transaction left idle is ended by idle_in_transaction_session_timeout", async () => {
    const db = database({ idleInTransactionMs: 200 });
    const { err } = await failure(() =>
      db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await sleep(800);
        await sql`select 1`.execute(trx);
      }),
    );
    expect(err).toBeInstanceOf(UnavailableError);
    // The pool replaces the connection the server closed.
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it("database timeouts - migrations run without the statement timeout, which holds again afterwards", async () => {
    const db = database({ statementMs: 200 });
    const applied = await migrateToLatest(db, {
      schema: "timeouts_test",
      migrations: {
        "0001_slow": {
          up: async (trx) => {
            await sql`select pg_sleep(0.5)`.execute(trx);
            await sql`create table slow_made (id int)`.execute(trx);
          },
        },
      },
    });
    expect(applied).toEqual(["0001_slow"]);
    const { err } = await failure(() => sql`select pg_sleep(1)`.execute(db));
    expect(err).toBeInstanceOf(UnavailableError);
  });

  it("database timeouts - other database errors pass through unchanged", async () => {
    const db = database({});
    const { err } = await failure(() => sql`select * from no_such_table`.execute(db));
    expect(err).not.toBeInstanceOf(UnavailableError);
    expect((err as { code?: string }).code).toBe("42P01");
  });
});
