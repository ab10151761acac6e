/**
 * Statements taking a list of values pass it as one array parameter: the same text for any count,
 * so each is one prepared statement (@proximity/db names the first distinct texts only; a list
 * spelt out as `in ($1, $2, …)` would take a name per length).
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from "kysely";
import { describe, expect, it } from "vitest";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { findReplays } from "../src/db/dead-letter-replay.repository.js";
import { deleteSteps, findStepsOf } from "../src/db/operation-step.repository.js";

/** A database that runs nothing and records each statement's text. */
function recordingDb() {
  const texts: string[] = [];
  const db = new Kysely<ProvisionerDatabase>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.level === "query") texts.push(event.query.sql);
    },
  });
  return { db, texts };
}

describe("statement texts", () => {
  it("statement texts - the steps of 1, 2 or 50 operations are read by one statement text", async () => {
    const { db, texts } = recordingDb();
    for (const n of [1, 2, 50])
      await findStepsOf(
        db,
        Array.from({ length: n }, (_, i) => `op-${i}`),
      );
    expect(texts).toHaveLength(3);
    expect(new Set(texts).size).toBe(1);
  });

  it("statement texts - forgetting 1 or 2 steps is one statement text", async () => {
    const { db, texts } = recordingDb();
    await deleteSteps(db, "op", ["allocate-vmid"]);
    await deleteSteps(db, "op", ["allocate-vmid", "create-container"]);
    expect(texts).toHaveLength(2);
    expect(new Set(texts).size).toBe(1);
  });

  it("statement texts - the replays of a page of 1 or 3 dead letters are read by one statement text", async () => {
    const { db, texts } = recordingDb();
    await findReplays(db, [{ seq: 1, eventId: "e1" }]);
    await findReplays(
      db,
      [1, 2, 3].map((seq) => ({ seq, eventId: `e${seq}` })),
    );
    expect(texts).toHaveLength(2);
    expect(new Set(texts).size).toBe(1);
  });
});
