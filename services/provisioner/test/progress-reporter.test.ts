/**
 * The progress batcher on a real database: lines reported close together become one outbox row,
 * an entry per operation (its first line in the entry's fields, the rest in `later`), the last
 * lines of an operation go into its result's transaction (after a write under way that holds some
 * of them) and come back when that transaction fails, a write that failed is tried again without
 * another line, and a closed reporter writes nothing more.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { eventually, testLogger } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createProgressBatcher,
  MAX_LINES_PER_EVENT,
  type ProgressBatcher,
} from "../src/app/operations/progress-reporter.js";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { type RelayedDatabase, relayedDatabase } from "./support/relayed-database.js";
import type { TcpRelay } from "./support/tcp-relay.js";

const BATCH_MS = 100;

let direct: Kysely<ProvisionerDatabase>;
let relayed: Kysely<ProvisionerDatabase>;
let relay: TcpRelay;
let dbs: RelayedDatabase | undefined;
const batchers: ProgressBatcher[] = [];

beforeAll(async () => {
  dbs = await relayedDatabase({ acquireMs: 1_000 });
  ({ direct, relayed, relay } = dbs);
});

afterAll(async () => {
  for (const b of batchers) await b.close();
  await dbs?.close();
});

function batcherOn(db: Kysely<ProvisionerDatabase>, batchMs = BATCH_MS): ProgressBatcher {
  const batcher = createProgressBatcher({ db, batchMs, log: testLogger() });
  batchers.push(batcher);
  return batcher;
}

/** Every progress event recorded, in order: per event, each operation's messages. */
async function progressEvents(): Promise<{ operationId: string; messages: string[] }[][]> {
  const rows = await direct
    .selectFrom("outbox")
    .select(["payload"])
    .where("type", "=", Events.OperationsProgressed.type)
    .orderBy("seq")
    .execute();
  return rows.map((r) =>
    Events.OperationsProgressed.codec.decode(r.payload).operations.map((e) => ({
      operationId: e.operationId,
      messages: [e.message, ...e.later.map((l) => l.message)],
    })),
  );
}

/** A reporter for a new operation, and that operation's progress as recorded: per event, its lines. */
function reporterFor(batcher: ProgressBatcher) {
  const operationId = randomUUID();
  const reporter = batcher.reporterFor({ operationId, kind: 1, appId: randomUUID(), traceparent: "" });
  const events = async () =>
    (await progressEvents()).flatMap((event) =>
      event.filter((e) => e.operationId === operationId).map((e) => e.messages),
    );
  return { reporter, events, operationId };
}

const line = (message: string) => ({ step: "s", message, attempt: 1 });

describe("progress batcher", () => {
  it("progress batcher - lines within the window go out as one event, within the window", async () => {
    const { reporter, events } = reporterFor(batcherOn(direct, 2_000)); // room to look before the window ends
    reporter.report(line("one"));
    reporter.report(line("two"));
    reporter.report(line("three"));
    expect(await events()).toEqual([]); // waiting for the lines after them
    expect(
      await eventually(async () => (await events()).length > 0 && events(), { timeoutMs: 6_000 }),
    ).toEqual([["one", "two", "three"]]);
    reporter.close();
  });

  it("progress batcher - a window of 0: lines of one moment share an event, a later line gets its own", async () => {
    const { reporter, events } = reporterFor(batcherOn(direct, 0));
    reporter.report(line("one"));
    reporter.report(line("two"));
    await eventually(async () => (await events()).length === 1);
    reporter.report(line("three"));
    expect(await eventually(async () => (await events()).length === 2 && events())).toEqual([
      ["one", "two"],
      ["three"],
    ]);
    reporter.close();
  });

  it("progress batcher - many lines go out 50 to an event, in order", async () => {
    const { reporter, events } = reporterFor(batcherOn(direct, 60_000));
    const messages = Array.from({ length: 120 }, (_, i) => `line ${i}`);
    for (const message of messages) reporter.report(line(message));
    await reporter.flush();
    const written = await events();
    expect(written.flat()).toEqual(messages);
    expect(Math.max(...written.map((e) => e.length))).toBe(50);
    reporter.close();
  });

  it("progress batcher - lines queued while the database was away all go at the next flush, 50 to an event", async () => {
    const { reporter, events } = reporterFor(batcherOn(relayed, 60_000));
    relay.down();
    try {
      const messages = Array.from({ length: 70 }, (_, i) => `line ${i}`);
      for (const message of messages) reporter.report(line(message)); // the 50th's write fails
      await reporter.flush(); // fails too while the relay is down: the lines stay
      relay.up();
      await reporter.flush();
      const written = await events();
      expect(written.flat()).toEqual(messages);
      expect(written.map((e) => e.length)).toEqual([50, 20]);
    } finally {
      relay.up();
      reporter.close();
    }
  });

  it("progress batcher - lines of operations running side by side share an event, an entry each, in order", async () => {
    const batcher = batcherOn(direct, 2_000);
    const deploy = reporterFor(batcher);
    const start = reporterFor(batcher);
    deploy.reporter.report(line("create"));
    start.reporter.report(line("start"));
    deploy.reporter.report(line("install"));
    await deploy.reporter.flush();
    expect(await deploy.events()).toEqual([["create", "install"]]);
    expect(await start.events()).toEqual([["start"]]);
    const shared = (await progressEvents()).filter((event) =>
      event.some((e) => e.operationId === deploy.operationId),
    );
    expect(shared).toEqual([
      [
        { operationId: deploy.operationId, messages: ["create", "install"] },
        { operationId: start.operationId, messages: ["start"] },
      ],
    ]);
    deploy.reporter.close();
    start.reporter.close();
  });

  it("progress batcher - many operations' lines go out a whole event at a time, none lost", async () => {
    const batcher = batcherOn(direct, 60_000);
    const operations = Array.from({ length: 300 }, () => reporterFor(batcher));
    for (const [i, op] of operations.entries()) op.reporter.report(line(`line ${i}`)); // the 250th writes
    await operations[0]?.reporter.flush();
    await operations.at(-1)?.reporter.flush();
    const ids = new Set<string>(operations.map((op) => op.operationId));
    const events = (await progressEvents())
      .map((event) => event.filter((e) => ids.has(e.operationId)))
      .filter((event) => event.length > 0);
    expect(events.map((event) => event.length)).toEqual([MAX_LINES_PER_EVENT, 300 - MAX_LINES_PER_EVENT]);
    expect(events.flat().map((e) => e.messages[0])).toEqual(operations.map((_, i) => `line ${i}`));
    for (const op of operations) op.reporter.close();
  });

  it("progress batcher - a result waits for the write under way that holds its lines", async () => {
    const batcher = batcherOn(direct, 60_000);
    const { reporter, events } = reporterFor(batcher);
    let seenByResult: string[][] | undefined;
    let result: Promise<unknown> | undefined;
    await direct.transaction().execute(async (trx) => {
      // Inserts into the outbox wait for this lock: the batch write is under way, not done.
      await sql`lock table outbox in share mode`.execute(trx);
      reporter.report(line("create"));
      void reporter.flush();
      await new Promise((r) => setTimeout(r, 200));
      result = reporter.withResult(async (progress) => {
        seenByResult = await events();
        return progress;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(seenByResult).toBeUndefined(); // still waiting for the batch
    });
    expect(await result).toBeNull(); // the batch took the line
    expect(seenByResult).toEqual([["create"]]);
    reporter.close();
  });

  it("progress batcher - closing it writes what waits; nothing after", async () => {
    const batcher = createProgressBatcher({ db: direct, batchMs: 60_000, log: testLogger() });
    const { reporter, events } = reporterFor(batcher);
    reporter.report(line("before the end"));
    await batcher.close();
    reporter.report(line("after the end"));
    await reporter.flush();
    expect(await events()).toEqual([["before the end"]]);
  });

  it("progress batcher - the last lines go into the result's transaction; a failed one gives them back", async () => {
    const { reporter, events } = reporterFor(batcherOn(direct));
    reporter.report(line("create"));
    await expect(
      reporter.withResult((progress) =>
        direct.transaction().execute(async (trx) => {
          await progress?.statement.execute(trx);
          throw new Error("the claim was lost");
        }),
      ),
    ).rejects.toThrow("the claim was lost");
    expect(await events()).toEqual([]); // rolled back with the result
    reporter.report(line("start"));
    await reporter.withResult((progress) =>
      direct.transaction().execute(async (trx) => {
        await progress?.statement.execute(trx);
      }),
    );
    expect(await events()).toEqual([["create", "start"]]);
    reporter.close();
  });

  it("progress batcher - a write that failed is tried again without another line; a closed reporter writes nothing", async () => {
    const { reporter, events } = reporterFor(batcherOn(relayed));
    relay.down();
    reporter.report(line("while the database is away"));
    await new Promise((r) => setTimeout(r, BATCH_MS * 5)); // the first write fails meanwhile
    relay.up();
    expect(
      await eventually(async () => (await events()).length > 0 && events(), { timeoutMs: 15_000 }),
    ).toEqual([["while the database is away"]]);

    reporter.report(line("dropped"));
    reporter.close();
    reporter.report(line("after the end"));
    await new Promise((r) => setTimeout(r, BATCH_MS * 3));
    await reporter.flush();
    expect(await events()).toEqual([["while the database is away"]]);
  });
});
