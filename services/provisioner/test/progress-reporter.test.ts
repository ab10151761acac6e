/**
 * The progress reporter on a real database: lines reported close together become one outbox row
 * (the first in the event's fields, the rest in `later`), the last batch goes into the result's
 * transaction and comes back when that transaction fails, a write that failed is tried again
 * without another line, and a closed reporter writes nothing more.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { eventually, testLogger } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../src/app/operations/progress-reporter.js";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { type RelayedDatabase, relayedDatabase } from "./support/relayed-database.js";
import type { TcpRelay } from "./support/tcp-relay.js";

const BATCH_MS = 100;

let direct: Kysely<ProvisionerDatabase>;
let relayed: Kysely<ProvisionerDatabase>;
let relay: TcpRelay;
let dbs: RelayedDatabase | undefined;

beforeAll(async () => {
  dbs = await relayedDatabase({ acquireMs: 1_000 });
  ({ direct, relayed, relay } = dbs);
});

afterAll(async () => {
  await dbs?.close();
});

/** A reporter for a new operation, and that operation's progress events as recorded, in order. */
function reporterFor(db: Kysely<ProvisionerDatabase>, batchMs = BATCH_MS) {
  const operationId = randomUUID();
  const reporter = createProgressReporter({
    db,
    origin: { operationId, kind: 1, appId: randomUUID(), traceparent: "" },
    batchMs,
    log: testLogger(),
  });
  const events = async () => {
    const rows = await direct
      .selectFrom("outbox")
      .select(["payload", "type"])
      .where("type", "=", Events.OperationProgressed.type)
      .orderBy("seq")
      .execute();
    return rows
      .map((r) => Events.OperationProgressed.codec.decode(r.payload))
      .filter((e) => e.operationId === operationId)
      .map((e) => [e.message, ...e.later.map((l) => l.message)]);
  };
  return { reporter, events };
}

const line = (message: string) => ({ step: "s", message, attempt: 1 });

describe("progress reporter", () => {
  it("progress reporter - lines within the window go out as one event, within the window", async () => {
    const { reporter, events } = reporterFor(direct, 2_000); // room to look before the window ends
    reporter.report(line("one"));
    reporter.report(line("two"));
    reporter.report(line("three"));
    expect(await events()).toEqual([]); // waiting for the lines after them
    expect(
      await eventually(async () => (await events()).length > 0 && events(), { timeoutMs: 6_000 }),
    ).toEqual([["one", "two", "three"]]);
    reporter.close();
  });

  it("progress reporter - a window of 0: lines of one moment share an event, a later line gets its own", async () => {
    const { reporter, events } = reporterFor(direct, 0);
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

  it("progress reporter - many lines go out 50 to an event, in order", async () => {
    const { reporter, events } = reporterFor(direct, 60_000);
    const messages = Array.from({ length: 120 }, (_, i) => `line ${i}`);
    for (const message of messages) reporter.report(line(message));
    await reporter.flush();
    const written = await events();
    expect(written.flat()).toEqual(messages);
    expect(Math.max(...written.map((e) => e.length))).toBe(50);
    reporter.close();
  });

  it("progress reporter - lines queued while the database was away all go at the next flush, 50 to an event", async () => {
    const { reporter, events } = reporterFor(relayed, 60_000);
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

  it("progress reporter - the last lines go into the result's transaction; a failed one gives them back", async () => {
    const { reporter, events } = reporterFor(direct);
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

  it("progress reporter - a write that failed is tried again without another line; a closed reporter writes nothing", async () => {
    const { reporter, events } = reporterFor(relayed);
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
