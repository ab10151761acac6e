import type { Logger } from "@proximity/logger";
import type { Tracer } from "@proximity/telemetry";
import { type Kysely, sql } from "kysely";
import type { JetStreamClient } from "nats";
import { DATABASE_NOTIFICATIONS, type DatabaseNotifications } from "./database-notifications.js";
import { outboxBacklog, outboxOldestPendingSeconds, outboxPublished, outboxRelayLag } from "./metrics.js";
import { OUTBOX_CHANNEL_SUFFIX } from "./outbox.js";
import { publishSigned } from "./publish-signed.js";
import type { EventSigner } from "./signature.js";
import type { MessagingTables } from "./tables.js";

export interface OutboxRelayOptions<DB extends MessagingTables = MessagingTables> {
  /** The service's database (any schema that has the messaging tables). */
  readonly db: Kysely<DB>;
  readonly js: JetStreamClient;
  readonly ns: string;
  readonly logger: Logger;
  /**
   * Signs every event as this service (eventSigner(keys)); consumers refuse unsigned events. The
   * signer is the published `ce-source`, whatever the row says.
   */
  readonly signer: EventSigner;
  /**
   * Idle poll period, default 100 ms. While the relay listens to the outbox's commit notifications
   * (a database made by createDatabase), it publishes on each commit and polls only every
   * `notifiedPollIntervalMs` (default 1 s), for notifications lost with a connection.
   */
  readonly pollIntervalMs?: number;
  readonly notifiedPollIntervalMs?: number;
  readonly batchSize?: number;
  /** Published rows older than this are deleted, default 24 h. */
  readonly retentionMs?: number;
  /**
   * The service's tracer: each publish is a producer span, child of the trace the row recorded,
   * and the event carries that span's traceparent (consumers' spans are its children).
   */
  readonly tracer?: Tracer;
}

/** Publishes outbox rows to JetStream in order; see createOutboxRelay. */
export interface OutboxRelay {
  start(): void;
  /** Stops the loop after the batch in flight. */
  stop(): Promise<void>;
  /** Publishes everything pending now (tests, shutdown). */
  flush(): Promise<number>;
}

/**
 * Background relay from the outbox to JetStream. Rows are locked with SKIP LOCKED so several
 * replicas can run; each publish awaits the PubAck before the row is marked. A crash between
 * the ack and the commit republishes the row: JetStream drops the duplicate by `Nats-Msg-Id`
 * within the stream's duplicate window and consumers' inboxes catch the rest. Each event is signed
 * by the service (see checkEvent), and published with its envelope and that signature only.
 */
export function createOutboxRelay<DB extends MessagingTables>(options: OutboxRelayOptions<DB>): OutboxRelay {
  return new OutboxRelayImpl(options as unknown as OutboxRelayOptions);
}

class OutboxRelayImpl implements OutboxRelay {
  readonly #o: OutboxRelayOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** After a failed batch: commits do not cut the backoff short (only stop() does). */
  #backingOff = false;
  /** A commit was notified while a batch was in flight: run another batch before sleeping. */
  #notified = false;
  #listening = false;
  #unlisten: (() => Promise<void>) | undefined;
  #lastCleanup = 0;
  #unwatch: (() => void)[] = [];

  constructor(options: OutboxRelayOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const notifications = (this.#o.db as unknown as Record<symbol, DatabaseNotifications | undefined>)[
      DATABASE_NOTIFICATIONS
    ];
    this.#unlisten = notifications?.listen(
      `${notifications.schema}${OUTBOX_CHANNEL_SUFFIX}`,
      () => {
        this.#notified = true;
        if (!this.#backingOff) this.#wake?.();
      },
      (listening) => {
        this.#listening = listening;
        // Back after a loss: rows committed meanwhile were not notified.
        if (listening) {
          this.#notified = true;
          if (!this.#backingOff) this.#wake?.();
        }
      },
    );
    this.#loop = this.#run();
    this.#watchBacklog();
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    this.#wake?.();
    await this.#loop;
    await this.#unlisten?.();
  }

  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#publishBatch();
      total += n;
      if (n === 0) return total;
    }
  }

  get #batchSize(): number {
    return this.#o.batchSize ?? 100;
  }

  async #run(): Promise<void> {
    const idle = this.#o.pollIntervalMs ?? 100;
    let failures = 0;
    while (this.#running) {
      let published = 0;
      // Cleared before the batch: a commit notified from here on may have missed its snapshot.
      this.#notified = false;
      try {
        published = await this.#publishBatch();
        failures = 0;
        await this.#cleanup();
      } catch (err) {
        failures++;
        this.#o.logger.warn({ err, failures }, "outbox relay batch failed; will retry");
      }
      if (failures === 0) {
        // While notifications arrive, a batch that was not full took everything committed before
        // it: the next one waits for a commit (no empty batch after each event). Without them,
        // keep going while there is something to publish.
        if (published >= this.#batchSize || this.#notified) continue;
        if (!this.#listening && published > 0) continue;
      }
      const poll = this.#listening ? (this.#o.notifiedPollIntervalMs ?? 1_000) : idle;
      const delay = failures > 0 ? Math.min(idle * 2 ** failures, 5_000) : poll;
      // During an outage every commit would wake a retry at once (a busy service: hundreds a
      // second); the backoff holds until stop().
      this.#backingOff = failures > 0;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.#wake = () => {
          this.#wake = undefined;
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async #publishBatch(): Promise<number> {
    const { db, js, ns, signer } = this.#o;
    return db.transaction().execute(async (trx) => {
      // Claimed and marked in one statement; the mark commits only after every PubAck, so a batch
      // that fails to publish is rolled back and stays pending. Locked rows (another replica's
      // batch) are skipped.
      const claimed = await trx
        .updateTable("outbox")
        .set({ published_at: sql<Date>`now()` })
        .where(
          "seq",
          "in",
          trx
            .selectFrom("outbox")
            .select("seq")
            .where("published_at", "is", null)
            .orderBy("seq")
            .limit(this.#batchSize)
            .forUpdate()
            .skipLocked(),
        )
        .returning(["seq", "id", "subject", "type", "payload", "headers", "created_at"])
        .execute();
      // RETURNING has no order: back to the outbox's.
      const rows = claimed.sort((a, b) => compareSeq(a.seq, b.seq));
      // Published back to back on one connection, so the stream gets them in outbox order; the
      // acks are awaited together (one round trip for the batch, not one per row). Any failure
      // rolls the batch back: rows already stored are republished and dropped as duplicates by
      // their Nats-Msg-Id.
      const acks = rows.map((row) => {
        const h = row.headers;
        return publishSigned(
          js,
          ns,
          signer,
          {
            subject: row.subject,
            id: h["ce-id"] ?? row.id,
            type: row.type,
            time: h["ce-time"] ?? "",
            traceparent: h.traceparent ?? "",
            ...(h["ce-subject"] ? { ceSubject: h["ce-subject"] } : {}),
            payload: row.payload,
          },
          { msgId: row.id, tracer: this.#o.tracer },
        );
      });
      const settled = await Promise.allSettled(acks);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      const labels = { service: signer.service };
      const now = Date.now();
      for (const row of rows)
        outboxRelayLag.observe(labels, Math.max(0, now - row.created_at.getTime()) / 1000);
      outboxPublished.inc(labels, rows.length);
      return rows.length;
    });
  }

  /**
   * Backlog and the oldest row's age, counted when Prometheus scrapes: one query on the partial
   * index of unpublished rows (small while the relay keeps up). The age shows a stuck relay, which
   * publishes nothing and so adds nothing to the lag histogram.
   */
  #watchBacklog(): void {
    const labels = { service: this.#o.signer.service };
    let pending: Promise<{ count: number; oldestSeconds: number }> | undefined;
    // Both gauges of one scrape share the query (kept 100 ms).
    const read = () => {
      pending ??= this.#o.db
        .selectFrom("outbox")
        .select([
          sql<string>`count(*)`.as("count"),
          sql<string | null>`extract(epoch from now() - min(created_at))`.as("oldest"),
        ])
        .where("published_at", "is", null)
        .executeTakeFirstOrThrow()
        .then((row) => ({ count: Number(row.count), oldestSeconds: Math.max(0, Number(row.oldest ?? 0)) }))
        .finally(() => {
          setTimeout(() => {
            pending = undefined;
          }, 100).unref();
        });
      return pending;
    };
    this.#unwatch.push(
      outboxBacklog.add(async () => [{ labels, value: (await read()).count }]),
      outboxOldestPendingSeconds.add(async () => [{ labels, value: (await read()).oldestSeconds }]),
    );
  }

  async #cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastCleanup < 60_000) return;
    this.#lastCleanup = now;
    const cutoff = new Date(now - (this.#o.retentionMs ?? 24 * 60 * 60 * 1000));
    await this.#o.db.deleteFrom("outbox").where("published_at", "<", cutoff).execute();
  }
}

/** Orders bigserial values, which pg returns as strings (or numbers, with a type parser). */
function compareSeq(a: string | number | bigint, b: string | number | bigint): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
