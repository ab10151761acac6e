/**
 * The progress batcher on a real database: lines reported close together become one outbox row,
 * an entry per operation (its first line in the entry's fields, the rest in `later`), the last
 * lines of an operation go with its result (after a write under way that holds some of them) and
 * come back when its transaction fails, a write that failed is tried again without
 * another line, and a closed reporter writes nothing more.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { context, contextFromTraceparent, registerContextManager, traceIdOf } from "@proximity/telemetry";
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

  it("progress batcher - many operations' lines go out a whole event at a time, the rest in their window, none lost", async () => {
    const batcher = batcherOn(direct, 60_000);
    const operations = Array.from({ length: 300 }, () => reporterFor(batcher));
    const ids = new Set<string>(operations.map((op) => op.operationId));
    const ours = async () =>
      (await progressEvents())
        .map((event) => event.filter((e) => ids.has(e.operationId)))
        .filter((event) => event.length > 0);
    // The 250th line makes a write; the 50 after it share that write's turn, so they wait for
    // their window rather than going in a write of their own.
    for (const [i, op] of operations.entries()) op.reporter.report(line(`line ${i}`));
    await eventually(async () => (await ours()).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await ours()).map((event) => event.length)).toEqual([MAX_LINES_PER_EVENT]);
    await operations[0]?.reporter.flush(); // its line is written: nothing to do
    expect(await ours()).toHaveLength(1);
    await operations.at(-1)?.reporter.flush();
    const events = await ours();
    expect(events.map((event) => event.length)).toEqual([MAX_LINES_PER_EVENT, 300 - MAX_LINES_PER_EVENT]);
    expect(events.flat().map((e) => e.messages[0])).toEqual(operations.map((_, i) => `line ${i}`));
    for (const op of operations) op.reporter.close();
  });

  it("progress batcher - a flush writes nothing for an attempt with nothing waiting: the others' lines keep their window", async () => {
    const batcher = batcherOn(direct, 60_000);
    const waiting = reporterFor(batcher);
    const done = reporterFor(batcher);
    waiting.reporter.report(line("in its window"));
    await done.reporter.flush();
    expect(await waiting.events()).toEqual([]);
    await waiting.reporter.flush();
    expect(await waiting.events()).toEqual([["in its window"]]);
    waiting.reporter.close();
    done.reporter.close();
  });

  it("progress batcher - lines a failed result gave back wait for their attempt: its flush writes them, its close drops them", async () => {
    const batcher = batcherOn(direct, 60_000);
    const flushed = reporterFor(batcher);
    const lost = reporterFor(batcher);
    const other = reporterFor(batcher);
    for (const op of [flushed, lost]) {
      op.reporter.report(line("create"));
      await expect(
        op.reporter.withResult(async () => {
          throw new Error("the claim was lost");
        }),
      ).rejects.toThrow();
    }
    other.reporter.report(line("another operation's"));
    await other.reporter.flush(); // another write: the lines given back are not in it
    expect(await flushed.events()).toEqual([]);
    expect(await lost.events()).toEqual([]);
    flushed.reporter.report(line("attempt failed"));
    await flushed.reporter.flush();
    lost.reporter.close();
    await batcher.close();
    expect(await flushed.events()).toEqual([["create", "attempt failed"]]);
    expect(await lost.events()).toEqual([]);
    expect(await other.events()).toEqual([["another operation's"]]);
  });

  it("progress batcher - an event of several operations continues none of their traces, nor the active span's", async () => {
    registerContextManager();
    const batcher = batcherOn(direct, 60_000);
    const traceOf = (seed: string) => `00-${seed.repeat(32).slice(0, 32)}-${"b".repeat(16)}-01`;
    const one = batcher.reporterFor({
      operationId: randomUUID(),
      kind: 1,
      appId: randomUUID(),
      traceparent: traceOf("1"),
    });
    const two = batcher.reporterFor({
      operationId: randomUUID(),
      kind: 1,
      appId: randomUUID(),
      traceparent: traceOf("2"),
    });
    const active = traceOf("3");
    const headersOfLast = async () => {
      const row = await direct
        .selectFrom("outbox")
        .select("headers")
        .orderBy("seq", "desc")
        .executeTakeFirstOrThrow();
      return row.headers as Record<string, string>;
    };
    await context.with(contextFromTraceparent(active), async () => {
      one.report(line("a"));
      two.report(line("b"));
      await two.flush();
    });
    const shared = await headersOfLast();
    expect([traceOf("1"), traceOf("2"), active].map(traceIdOf)).not.toContain(traceIdOf(shared.traceparent));
    expect(shared["ce-subject"]).toBeUndefined();
    await context.with(contextFromTraceparent(active), async () => {
      one.report(line("c"));
      await one.flush();
    });
    expect((await headersOfLast()).traceparent).toBe(traceOf("1")); // one operation's: its own trace
    one.close();
    two.close();
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
      result = reporter.withResult(async (lines) => {
        seenByResult = await events();
        return lines;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(seenByResult).toBeUndefined(); // still waiting for the batch
    });
    expect(await result).toEqual([]); // the batch took the line
    expect(seenByResult).toEqual([["create"]]);
    reporter.close();
  });

  it("progress batcher - closing it after failed writes tries once more: the database is back, the lines go", async () => {
    const batcher = createProgressBatcher({ db: relayed, batchMs: BATCH_MS, log: testLogger() });
    const { reporter, events } = reporterFor(batcher);
    relay.down();
    try {
      reporter.report(line("while the database is away"));
      await new Promise((r) => setTimeout(r, BATCH_MS * 5)); // the write fails meanwhile
    } finally {
      relay.up();
    }
    await batcher.close();
    expect(await events()).toEqual([["while the database is away"]]);
  });

  it("progress batcher - a result carries 50 lines at most: lines piled up while writes failed go in batches first, in order", async () => {
    const batcher = batcherOn(relayed, 60_000);
    const { reporter, events } = reporterFor(batcher);
    const messages = Array.from({ length: 120 }, (_, i) => `line ${i}`);
    relay.down();
    try {
      for (const message of messages) reporter.report(line(message)); // the 50th's write fails
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      relay.up();
    }
    const carried = await reporter.withResult(async (lines) => lines.map((l) => l.message));
    expect(carried.length).toBeLessThanOrEqual(50);
    expect([...(await events()).flat(), ...carried]).toEqual(messages);
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

  it("progress batcher - the last lines go with the result; a failed result gives them back", async () => {
    const { reporter, events } = reporterFor(batcherOn(direct));
    const messages = (lines: readonly { message: string }[]) => lines.map((l) => l.message);
    reporter.report(line("create"));
    await expect(
      reporter.withResult(async (lines) => {
        expect(messages(lines)).toEqual(["create"]);
        throw new Error("the claim was lost");
      }),
    ).rejects.toThrow("the claim was lost");
    reporter.report(line("start"));
    const carried = await reporter.withResult(async (lines) => messages(lines));
    expect(carried).toEqual(["create", "start"]);
    await reporter.flush();
    expect(await events()).toEqual([]); // none in an event of their own
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
