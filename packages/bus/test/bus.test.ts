import { randomUUID } from "node:crypto";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { generateServiceKeys } from "@proximity/identity";
import { createTestDatabase, eventually, testLogger } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addToOutbox,
  asVariant,
  type Bus,
  createEventConsumer,
  createMessagingTables,
  createOutboxRelay,
  deadLetterSubject,
  defineConsumer,
  dropMessagingTables,
  Events,
  envelopeHeaders,
  eventSigner,
  eventVerifier,
  type MessagingTables,
  newTraceparent,
  outboxInsertStatement,
  PermanentFailure,
  processOnce,
  SIGNATURE_HEADER,
  streamName,
  subjectOf,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { outgoingEventOf, publishSigned } from "../src/publish-signed.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus");
let db: Kysely<MessagingTables>;
let bus: Bus;
let dropDb: () => Promise<void>;
const keys = await generateServiceKeys(["provisioner", "hosts"]);
const signer = (service: "provisioner" | "hosts") => eventSigner(keys.get(service)!);
const verifier = eventVerifier(keys.get("hosts")!);

const progress = (operationId: string, step: string) => ({
  operationId,
  kind: 1,
  appId: "app-1",
  step,
  message: `step ${step}`,
  attempt: 1,
  later: [],
});

/** An operation's result (OperationSucceeded) of `kind` (1: deploy), for container `vmid`. */
const result = (operationId: string, kind = 1, vmid = 100) => ({
  operationId,
  kind,
  appId: "a",
  hostId: "h",
  node: "n",
  vmid,
  ipAddress: "",
  containerStatus: "running",
  adopted: undefined,
  message: "",
  archive: undefined,
  backupId: "",
  progress: [],
});

beforeAll(async () => {
  const testDb = await createTestDatabase();
  dropDb = testDb.drop;
  db = createDatabase<MessagingTables>({ url: testDb.url, schema: "bus_test" });
  await migrateToLatest(db, {
    schema: "bus_test",
    migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
  });
  bus = await openTestBus("bus-test");
});

afterAll(async () => {
  await closeTestBus(bus);
  await db.destroy();
  await dropDb();
});

describe("outbox relay", () => {
  it("outbox relay - publishes committed events once, with the event id as Nats-Msg-Id", async () => {
    const relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer: signer("provisioner") });
    const id = await db.transaction().execute((trx) =>
      addToOutbox(trx, Events.OperationProgressed, progress("op-1", "a"), {
        source: "test",
        traceparent: newTraceparent(),
      }),
    );
    await expect(
      db.transaction().execute(async (trx) => {
        await addToOutbox(trx, Events.OperationProgressed, progress("op-rolled-back", "b"), {
          source: "test",
          traceparent: newTraceparent(),
        });
        throw new Error("business change failed");
      }),
    ).rejects.toThrow("business change failed");
    expect(await relay.flush()).toBe(1);
    expect(await relay.flush()).toBe(0);
    const msg = await bus.jsm.streams.getMessage(streamName(bus.ns, "PROVISIONER"), { seq: 1 });
    expect(msg.header.get("Nats-Msg-Id")).toBe(id);
    expect(msg.header.get("ce-type")).toBe(Events.OperationProgressed.type);
    // Published as the relay's service, signed by it.
    expect(msg.header.get("ce-source")).toBe("provisioner");
    expect(msg.header.get(SIGNATURE_HEADER)).toMatch(/^v1\.[A-Za-z0-9_-]{86}$/);
    expect(Events.OperationProgressed.codec.decode(msg.data).operationId).toBe("op-1");
    const info = await bus.jsm.streams.info(streamName(bus.ns, "PROVISIONER"));
    expect(info.state.messages).toBe(1);
  });
});

describe("event consumer", () => {
  it("event consumer - processes each event id once even when delivered twice", async () => {
    const seen: string[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", "dedupe-test", [Events.OperationSucceeded]),
      verifier,
      subscriptions: [
        subscribe(Events.OperationSucceeded, async (payload, ctx) => {
          await processOnce(db, "dedupe-test", ctx.eventId, async () => {
            seen.push(payload.operationId);
          });
        }),
      ],
    });
    await consumer.start();
    await db.transaction().execute((trx) =>
      addToOutbox(trx, Events.OperationSucceeded, result("op-dup"), {
        source: "test",
        traceparent: newTraceparent(),
      }),
    );
    // Publish the very same event id twice bypassing server-side dedupe (no msgID): the inbox must catch it.
    const raw = result("op-raw", 1, 101);
    for (let i = 0; i < 2; i++)
      await publishSignedEvent(bus.js, bus.ns, signer("provisioner"), Events.OperationSucceeded, raw, {
        id: "raw-event-1",
      });
    const relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer: signer("provisioner") });
    await relay.flush();
    await eventually(async () => seen.filter((s) => s === "op-raw").length === 1 && seen.includes("op-dup"));
    await new Promise((r) => setTimeout(r, 300));
    await consumer.stop();
    expect(seen.filter((s) => s === "op-raw")).toHaveLength(1);
    const rows = await db.selectFrom("inbox").selectAll().where("consumer", "=", "dedupe-test").execute();
    expect(rows.map((r) => r.event_id)).toContain("raw-event-1");
  });

  it("event consumer - a catalog event it has no handler for is acknowledged unverified; a handled type is still verified", async () => {
    const handled: string[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      // Its filter (provisioner.v1.operation.*) also takes the progress events, which it ignores.
      durable: defineConsumer("test", "results-only-test", [
        Events.OperationSucceeded,
        Events.OperationFailed,
      ]),
      verifier,
      subscriptions: [
        subscribe(Events.OperationSucceeded, async (e) => void handled.push(e.operationId)),
        subscribe(Events.OperationFailed, async (e) => void handled.push(e.operationId)),
      ],
    });
    await consumer.start();
    try {
      const unsigned = (type: string, id: string) =>
        envelopeHeaders({
          id,
          type,
          source: "provisioner",
          time: new Date().toISOString(),
          traceparent: newTraceparent(),
        });
      const progressId = randomUUID();
      await bus.js.publish(
        subjectOf(bus.ns, Events.OperationProgressed.subject),
        Events.OperationProgressed.codec.encode(progress("op-ignored", "x")).finish(),
        { headers: unsigned(Events.OperationProgressed.type, progressId) },
      );
      const forgedId = randomUUID();
      const result = {
        operationId: "op-forged",
        kind: 1,
        appId: "app-1",
        reason: "x",
        attempts: 1,
        containerStatus: "",
        backupId: "",
        progress: [],
      };
      await bus.js.publish(
        subjectOf(bus.ns, Events.OperationFailed.subject),
        Events.OperationFailed.codec.encode(result).finish(),
        { headers: unsigned(Events.OperationFailed.type, forgedId) },
      );
      await publishSignedEvent(bus.js, bus.ns, signer("provisioner"), Events.OperationFailed, {
        ...result,
        operationId: "op-genuine",
      });
      await eventually(async () => handled.includes("op-genuine"), { what: "the genuine result" });
      // (Earlier tests' results on the stream are handled too: only this test's ids matter.)
      expect(handled.filter((id) => ["op-genuine", "op-forged", "op-ignored"].includes(id))).toEqual([
        "op-genuine",
      ]);
      // The forged result was refused; the ignored progress event was not dead-lettered.
      const dlq = await bus.jsm.streams.getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
        last_by_subj: deadLetterSubject(bus.ns, "results-only-test"),
      });
      expect(dlq.header.get("ce-id")).toBe(forgedId);
      expect(dlq.header.get("proximity-dlq-reason")).toBe("refused: unsigned");
      const dlqSubject = deadLetterSubject(bus.ns, "results-only-test");
      const dead = await bus.jsm.streams.info(streamName(bus.ns, "DEAD_LETTERS"), {
        subjects_filter: dlqSubject,
      });
      expect(dead.state.subjects?.[dlqSubject]).toBe(1);
      const info = await bus.jsm.consumers.info(streamName(bus.ns, "PROVISIONER"), "results-only-test");
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(0);
      expect(info.delivered.stream_seq).toBe(info.ack_floor.stream_seq);
    } finally {
      await consumer.stop();
    }
  });

  it("event consumer - retries with backoff, then runs onExhausted once and dead-letters the message", async () => {
    const attempts: number[] = [];
    const deliveredAt: number[] = [];
    const exhausted: { attempt: number; error: string }[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", "retry-test", [Events.HostRegistered]),
      verifier,
      maxDeliver: 3,
      // Large enough to tell a delayed redelivery from an immediate one on a busy machine.
      backoffBaseMs: 500,
      backoffMaxMs: 5_000,
      subscriptions: [
        subscribe(
          Events.HostRegistered,
          async (_payload, ctx) => {
            attempts.push(ctx.attempt);
            deliveredAt.push(performance.now());
            throw new Error(`boom ${ctx.attempt}`);
          },
          async (_payload, ctx, error) => {
            exhausted.push({ attempt: ctx.attempt, error: (error as Error).message });
          },
        ),
      ],
    });
    await consumer.start();
    await db
      .transaction()
      .execute((trx) =>
        addToOutbox(
          trx,
          Events.HostRegistered,
          { hostId: "h1", name: "pve" },
          { source: "test", traceparent: newTraceparent() },
        ),
      );
    await createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer: signer("hosts") }).flush();
    await eventually(async () => exhausted.length === 1, { what: "exhaustion" });
    await new Promise((r) => setTimeout(r, 500));
    await consumer.stop();
    expect(attempts).toEqual([1, 2, 3]);
    // Redelivered after base·2^(n−1) with ±20 % jitter: ≥ 400 ms, then ≥ 800 ms (doubling).
    const gaps = [deliveredAt[1]! - deliveredAt[0]!, deliveredAt[2]! - deliveredAt[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(400 - 20);
    expect(gaps[1]).toBeGreaterThanOrEqual(800 - 20);
    expect(exhausted).toEqual([{ attempt: 3, error: "boom 3" }]);
    const dlq = await bus.jsm.streams.getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
      last_by_subj: deadLetterSubject(bus.ns, "retry-test"),
    });
    expect(dlq.header.get("proximity-dlq-deliveries")).toBe("3");
    expect(dlq.header.get("proximity-dlq-reason")).toBe("boom 3");
    expect(Events.HostRegistered.codec.decode(dlq.data).hostId).toBe("h1");
  });
});

describe("event consumer - variants", () => {
  const DEPLOY = 1;
  const BACKUP = 9;
  /** Publishes `payload` as OperationSucceeded, signed by the provisioner, on `subject` whatever its variant. */
  const publishOn = (subject: string, payload: ReturnType<typeof result>) =>
    publishSigned(bus.js, bus.ns, signer("provisioner"), {
      ...outgoingEventOf(Events.OperationSucceeded, payload, {
        id: randomUUID(),
        traceparent: newTraceparent(),
      }),
      subject,
    });
  const consumerOf = (
    name: string,
    event: typeof Events.OperationSucceeded,
    handled: string[],
    exhausted: string[] = [],
  ) =>
    createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", name, [event]),
      verifier: eventVerifier(keys.get("provisioner")!),
      subscriptions: [
        subscribe(
          event,
          async (payload) => void handled.push(payload.operationId),
          async (payload) => void exhausted.push(payload.operationId),
        ),
      ],
    });

  it("event consumer - narrowed to a variant, it acts on that variant's payloads only; the event's whole consumers still get the others", async () => {
    const archive = asVariant(Events.OperationSucceeded, "archive");
    const archives: string[] = [];
    const exhausted: string[] = [];
    const narrowed = consumerOf("variant-test", archive, archives, exhausted);
    const all: string[] = [];
    const whole = consumerOf("variant-whole-test", Events.OperationSucceeded, all);
    await narrowed.start();
    await whole.start();
    try {
      // A producer's mistake: a deploy's result, signed for the archive results' subject.
      await publishOn(archive.subject, result("op-deploy-on-archive", DEPLOY));
      await publishOn(archive.subject, result("op-backup", BACKUP));
      await eventually(async () => archives.includes("op-backup"), { what: "the archive result handled" });
      await eventually(async () => all.includes("op-deploy-on-archive") && all.includes("op-backup"), {
        what: "both handled by the event's whole consumer",
      });
      const info = await bus.jsm.consumers.info(streamName(bus.ns, "PROVISIONER"), "variant-test");
      expect(info.num_ack_pending + info.num_pending).toBe(0); // acknowledged, not left to redeliver
      expect(archives).toEqual(["op-backup"]);
      expect(exhausted).toEqual([]);
      const dead = await bus.jsm.streams
        .getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
          last_by_subj: deadLetterSubject(bus.ns, "variant-test"),
        })
        .catch(() => undefined);
      expect(dead).toBeUndefined();
    } finally {
      await narrowed.stop();
      await whole.stop();
    }
  });

  it("event consumer - a variant's payload on the event's own subject (an older producer's) is handled", async () => {
    const handled: string[] = [];
    const consumer = consumerOf("variant-base-test", Events.OperationSucceeded, handled);
    await consumer.start();
    try {
      await publishOn(Events.OperationSucceeded.subject, result("op-backup-on-base", BACKUP));
      await publishOn(Events.OperationSucceeded.subject, result("op-deploy-on-base", DEPLOY));
      // The stream holds this file's earlier results too: a new durable gets them all.
      const ours = () => handled.filter((id) => id.endsWith("-on-base")).sort();
      await eventually(async () => ours().length === 2, { what: "both handled" });
      expect(ours()).toEqual(["op-backup-on-base", "op-deploy-on-base"]);
    } finally {
      await consumer.stop();
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes HostRegistered straight to JetStream (no outbox) as the hosts service, with the given event id. */
async function publishHostRegistered(hostId: string, id = `ev-${hostId}`): Promise<string> {
  await publishSignedEvent(
    bus.js,
    bus.ns,
    signer("hosts"),
    Events.HostRegistered,
    { hostId, name: "pve" },
    { id },
  );
  return id;
}

describe("outbox", () => {
  it("outbox - the row carries the encoded payload and the CloudEvents headers, with an explicit id if given", async () => {
    const traceparent = newTraceparent();
    const explicitId = randomUUID();
    const { withSubject, withoutSubject } = await db.transaction().execute(async (trx) => ({
      withSubject: await addToOutbox(
        trx,
        Events.HostRegistered,
        { hostId: "h-row", name: "n" },
        {
          source: "hosts",
          traceparent,
          subject: "h-row",
          id: explicitId,
        },
      ),
      withoutSubject: await addToOutbox(
        trx,
        Events.HostRegistered,
        { hostId: "h-row2", name: "n" },
        {
          source: "hosts",
          traceparent,
        },
      ),
    }));
    expect(withSubject).toBe(explicitId);
    expect(withoutSubject).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await db
      .selectFrom("outbox")
      .selectAll()
      .where("id", "in", [withSubject, withoutSubject])
      .execute();
    const a = rows.find((r) => r.id === withSubject)!;
    const b = rows.find((r) => r.id === withoutSubject)!;
    expect(a).toMatchObject({ subject: Events.HostRegistered.subject, type: Events.HostRegistered.type });
    expect(a.published_at).toBeNull();
    expect(Events.HostRegistered.codec.decode(a.payload)).toMatchObject({ hostId: "h-row", name: "n" });
    expect(a.headers).toMatchObject({
      "ce-specversion": "1.0",
      "ce-id": explicitId,
      "ce-type": Events.HostRegistered.type,
      "ce-source": "hosts",
      "ce-subject": "h-row",
      traceparent,
    });
    expect(Math.abs(Date.parse(a.headers["ce-time"]!) - Date.now())).toBeLessThan(60_000);
    expect(b.headers["ce-id"]).toBe(withoutSubject);
    expect(b.headers).not.toHaveProperty("ce-subject");
    // Only what this test added is pending; publish it so later tests start from an empty outbox.
    await createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer: signer("hosts") }).flush();
  });

  it("outbox - an event recorded by the statement of its change: both or neither, the same row as addToOutbox", async () => {
    const change = (eventId: string) =>
      sql`insert into inbox (consumer, event_id) values ('one-statement-test', ${eventId})`;
    const first = outboxInsertStatement(Events.OperationProgressed, progress("op-one-statement", "a"), {
      source: "provisioner",
      traceparent: newTraceparent(),
      subject: "app-1",
    });
    await sql`with change as (${change("e1")}) ${first.statement}`.execute(db);
    const row = await db
      .selectFrom("outbox")
      .selectAll()
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      subject: Events.OperationProgressed.subject,
      type: Events.OperationProgressed.type,
      published_at: null,
    });
    expect(row.headers).toMatchObject({
      "ce-id": first.id,
      "ce-source": "provisioner",
      "ce-subject": "app-1",
    });
    expect(Events.OperationProgressed.codec.decode(row.payload).operationId).toBe("op-one-statement");
    // The change fails (its key is taken): the event is not recorded either.
    const second = outboxInsertStatement(Events.OperationProgressed, progress("op-one-statement", "b"), {
      source: "provisioner",
      traceparent: newTraceparent(),
    });
    await expect(sql`with change as (${change("e1")}) ${second.statement}`.execute(db)).rejects.toThrow();
    expect(await db.selectFrom("outbox").select("id").where("id", "=", second.id).execute()).toEqual([]);
    await createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer: signer("provisioner") }).flush();
  });

  it("outbox - an event recorded only if its condition holds (onlyIf), with the same row and notification", async () => {
    const changed = (eventId: string) =>
      sql`insert into inbox (consumer, event_id) values ('only-if-test', ${eventId}) on conflict do nothing returning event_id`;
    const meta = { source: "provisioner", traceparent: newTraceparent(), subject: "app-1" };
    const onlyIf = sql`exists (select from changed)`;
    const first = outboxInsertStatement(Events.OperationProgressed, progress("op-only-if", "a"), meta, {
      onlyIf,
    });
    const recorded = await sql`with changed as (${changed("k1")}) ${first.statement}`.execute(db);
    expect(recorded.rows).toEqual([{ pg_notify: "" }]); // the commit notification, made
    const row = await db
      .selectFrom("outbox")
      .selectAll()
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      subject: Events.OperationProgressed.subject,
      type: Events.OperationProgressed.type,
    });
    expect(row.headers).toMatchObject({
      "ce-id": first.id,
      "ce-source": "provisioner",
      "ce-subject": "app-1",
    });
    expect(Events.OperationProgressed.codec.decode(row.payload).operationId).toBe("op-only-if");
    // Nothing changed (the key is there already): no event, and no row returned.
    const second = outboxInsertStatement(Events.OperationProgressed, progress("op-only-if", "b"), meta, {
      onlyIf,
    });
    const skipped = await sql`with changed as (${changed("k1")}) ${second.statement}`.execute(db);
    expect(skipped.rows).toHaveLength(0);
    expect(await db.selectFrom("outbox").select("id").where("id", "=", second.id).execute()).toEqual([]);
    await createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger, signer: signer("provisioner") }).flush();
  });

  it("outbox relay - publishes on the commit's notification, not on its next poll", async () => {
    const relay = createOutboxRelay({
      db,
      js: bus.js,
      ns: bus.ns,
      logger,
      signer: signer("provisioner"),
      pollIntervalMs: 60_000,
      notifiedPollIntervalMs: 60_000,
    });
    relay.start();
    try {
      // The first poll runs at start; wait for the listener, then commit one event.
      await sleep(500);
      const id = await db.transaction().execute((trx) =>
        addToOutbox(trx, Events.OperationProgressed, progress("op-notified", "a"), {
          source: "provisioner",
          traceparent: newTraceparent(),
        }),
      );
      await eventually(
        async () =>
          (await db.selectFrom("outbox").select("published_at").where("id", "=", id).executeTakeFirst())
            ?.published_at != null,
        { what: "the notified row published", timeoutMs: 5_000 },
      );
    } finally {
      await relay.stop();
    }
  });

  it("outbox relay - one commit larger than a batch is published whole and in order, without waiting for a poll; a failed publish leaves its batch pending", async () => {
    const published: string[] = [];
    let failNext = true;
    const recordingJs = {
      publish: async (...args: Parameters<typeof bus.js.publish>) => {
        if (failNext) {
          failNext = false;
          throw new Error("JetStream unavailable");
        }
        published.push(String(args[2]?.msgID));
        return bus.js.publish(...args);
      },
    } as unknown as typeof bus.js;
    const ids = await db.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < 8; i++)
        out.push(
          await addToOutbox(trx, Events.OperationProgressed, progress("op-batches", `s${i}`), {
            source: "provisioner",
            traceparent: newTraceparent(),
          }),
        );
      return out;
    });
    // The first batch fails: nothing of it may be marked published.
    const failing = createOutboxRelay({
      db,
      js: recordingJs,
      ns: bus.ns,
      logger,
      signer: signer("provisioner"),
      batchSize: 3,
    });
    await expect(failing.flush()).rejects.toThrow("JetStream unavailable");
    const marked = await db
      .selectFrom("outbox")
      .select("id")
      .where("id", "in", ids)
      .where("published_at", "is not", null)
      .execute();
    expect(marked).toEqual([]);
    // (The rest of that batch reached JetStream: republished below, dropped there by Nats-Msg-Id.)
    published.length = 0;

    const relay = createOutboxRelay({
      db,
      js: recordingJs,
      ns: bus.ns,
      logger,
      signer: signer("provisioner"),
      batchSize: 3,
      pollIntervalMs: 60_000,
      notifiedPollIntervalMs: 60_000,
    });
    relay.start();
    try {
      await eventually(async () => ids.every((id) => published.includes(id)), {
        what: "every row of the commit published",
        timeoutMs: 5_000,
      });
    } finally {
      await relay.stop();
    }
    expect(published.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it("outbox relay - while publishing fails, commits do not cut the backoff short", async () => {
    // A batch publishes its rows together: a try is a burst of calls, apart from the last by > 20 ms.
    let tries = 0;
    let lastCall = 0;
    const downJs = {
      publish: async () => {
        if (Date.now() - lastCall > 20) tries++;
        lastCall = Date.now();
        throw new Error("JetStream unavailable");
      },
    } as unknown as typeof bus.js;
    const relay = createOutboxRelay({
      db,
      js: downJs,
      ns: bus.ns,
      logger,
      signer: signer("provisioner"),
      pollIntervalMs: 100,
      notifiedPollIntervalMs: 60_000,
    });
    const commit = () =>
      db.transaction().execute((trx) =>
        addToOutbox(trx, Events.OperationProgressed, progress("op-outage", `s${ids.length}`), {
          source: "provisioner",
          traceparent: newTraceparent(),
        }),
      );
    const ids: string[] = [];
    relay.start();
    try {
      ids.push(await commit());
      await eventually(async () => (tries > 0 ? true : undefined), { what: "a first failed try" });
      tries = 0;
      // A busy service keeps committing during the outage: an event every 10 ms or so for 1.5 s.
      for (const until = Date.now() + 1_500; Date.now() < until; ) {
        ids.push(await commit());
        await sleep(10);
      }
      // Backoff 200, 400, 800 ms … : a handful of tries, not one per commit.
      expect(tries).toBeLessThanOrEqual(6);
    } finally {
      await relay.stop();
      await db.deleteFrom("outbox").where("id", "in", ids).execute();
    }
  });

  it("outbox relay - two relays at once (FOR UPDATE SKIP LOCKED): each row published once, the second never waits", async () => {
    const ids = await db.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (const step of ["a", "b", "c", "d"])
        out.push(
          await addToOutbox(trx, Events.OperationProgressed, progress("op-relays", step), {
            source: "test",
            traceparent: newTraceparent(),
          }),
        );
      return out;
    });
    // A slow JetStream for relay A: it holds its rows' locks while it publishes.
    const published: string[] = [];
    const slowJs = (delayMs: number) =>
      ({
        publish: async (...args: Parameters<typeof bus.js.publish>) => {
          published.push(String(args[2]?.msgID));
          await sleep(delayMs);
          return bus.js.publish(...args);
        },
      }) as unknown as typeof bus.js;
    const relayA = createOutboxRelay({
      db,
      js: slowJs(150),
      ns: bus.ns,
      logger,
      signer: signer("provisioner"),
    });
    const relayB = createOutboxRelay({
      db,
      js: slowJs(0),
      ns: bus.ns,
      logger,
      signer: signer("provisioner"),
    });
    let aDone = false;
    const a = relayA.flush().then((n) => {
      aDone = true;
      return n;
    });
    await eventually(async () => published.length > 0, { what: "relay A publishing" });
    const bCount = await relayB.flush();
    // B skipped A's locked rows instead of waiting for A's commit: A was still awaiting its acks
    // (a B that waited would return only after A's batch committed).
    expect(aDone).toBe(false);
    expect(bCount).toBe(0);
    expect(await a).toBe(4);
    expect(published.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    const rows = await db.selectFrom("outbox").select("published_at").where("id", "in", ids).execute();
    expect(rows.every((r) => r.published_at !== null)).toBe(true);
  });
});

describe("inbox", () => {
  it("inbox - two deliveries of one event racing processOnce: the work runs once, the constraint decides", async () => {
    let runs = 0;
    const work = async () => {
      runs++;
      await sleep(200); // keep the first transaction open while the second arrives
      return runs;
    };
    const results = await Promise.all([
      processOnce(db, "race-test", "race-event-1", work),
      processOnce(db, "race-test", "race-event-1", work),
    ]);
    expect(runs).toBe(1);
    expect(results.map((r) => r.processed).sort()).toEqual([false, true]);
    expect(results.find((r) => r.processed)).toEqual({ processed: true, result: 1 });
    // Another consumer, or another event, is processed independently.
    expect((await processOnce(db, "other-consumer", "race-event-1", work)).processed).toBe(true);
    expect((await processOnce(db, "race-test", "race-event-2", work)).processed).toBe(true);
    expect(runs).toBe(3);
  });

  it("inbox - the inbox row is rolled back with the handler's failure: the redelivery is handled", async () => {
    const outcomes: { attempt: number; processed: boolean }[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", "rollback-test", [Events.HostRegistered]),
      verifier,
      maxDeliver: 3,
      backoffBaseMs: 50,
      backoffMaxMs: 100,
      subscriptions: [
        subscribe(Events.HostRegistered, async (payload, ctx) => {
          if (payload.hostId !== "h-rollback") return;
          const r = await processOnce(db, "rollback-test", ctx.eventId, async () => {
            if (ctx.attempt === 1) throw new Error("handler failed after the inbox insert");
          });
          outcomes.push({ attempt: ctx.attempt, processed: r.processed });
        }),
      ],
    });
    await consumer.start();
    try {
      const id = await publishHostRegistered("h-rollback");
      await eventually(async () => outcomes.length > 0, { what: "redelivery handled" });
      expect(outcomes).toEqual([{ attempt: 2, processed: true }]);
      const rows = await db
        .selectFrom("inbox")
        .selectAll()
        .where("consumer", "=", "rollback-test")
        .where("event_id", "=", id)
        .execute();
      expect(rows).toHaveLength(1);
    } finally {
      await consumer.stop();
    }
  });
});

describe("exhaustion", () => {
  it("event consumer - when onExhausted itself fails the message is nak'd and redelivered, not lost", async () => {
    const attempts: number[] = [];
    const hookCalls: number[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: defineConsumer("test", "hook-fails-test", [Events.HostRegistered]),
      verifier,
      maxDeliver: 3,
      backoffBaseMs: 50,
      backoffMaxMs: 100,
      subscriptions: [
        subscribe(
          Events.HostRegistered,
          async (payload, ctx) => {
            if (payload.hostId !== "h-hook") return;
            attempts.push(ctx.attempt);
            throw new PermanentFailure("cannot ever succeed");
          },
          async (_payload, ctx) => {
            hookCalls.push(ctx.attempt);
            if (hookCalls.length === 1) throw new Error("could not record the failure");
          },
        ),
      ],
    });
    await consumer.start();
    try {
      const id = await publishHostRegistered("h-hook");
      await eventually(async () => hookCalls.length === 2, { what: "second onExhausted" });
      const dlq = await eventually(
        async () =>
          bus.jsm.streams
            .getMessage(streamName(bus.ns, "DEAD_LETTERS"), {
              last_by_subj: deadLetterSubject(bus.ns, "hook-fails-test"),
            })
            .catch(() => undefined),
        { what: "dead letter" },
      );
      expect(attempts).toEqual([1, 2]);
      expect(hookCalls).toEqual([1, 2]);
      expect(dlq.header.get("ce-id")).toBe(id);
      expect(dlq.header.get("proximity-dlq-deliveries")).toBe("2");
      expect(dlq.header.get("proximity-dlq-reason")).toBe("cannot ever succeed");
    } finally {
      await consumer.stop();
    }
  });
});
