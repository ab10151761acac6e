import type { Logger } from "@proximity/logger";
import type { MsgRequest, Subscription as NatsSubscription, StoredMsg } from "nats";
import type { Bus } from "./connect.js";
import type { EventConsumer, MessageContext, Subscription } from "./consumer.js";
import { assertSubscriptionsMatch } from "./consumer.js";
import { traceIdOf } from "./envelope.js";
import { checkEvent } from "./event-check.js";
import type { EventVerifier } from "./signature.js";
import { deadLetterSubject, explainMissingStream, streamName } from "./streams.js";
import { type ConsumerDefinition, consumerFilterSubject } from "./topology.js";

export interface BroadcastConsumerOptions {
  readonly bus: Pick<Bus, "nc" | "js" | "jsm" | "ns">;
  readonly logger: Logger;
  /** The consumer (one of `Broadcasts`): its name, stream and events. */
  readonly consumer: ConsumerDefinition;
  /** One per event of the consumer. */
  // biome-ignore lint/suspicious/noExplicitAny: heterogeneous handler list, each typed by subscribe()
  readonly subscriptions: readonly Subscription<any>[];
  /** Checks each event's type, subject, producer and signature before a handler sees it. */
  readonly verifier: EventVerifier;
  /** Longest wait between two reads when no wake-up arrives, default 1 s. */
  readonly pollIntervalMs?: number;
}

const NO_MESSAGE = 10037;

/**
 * A consumer of this process alone, for events every replica must act on (a durable consumer
 * shares its messages between replicas; this one gives each replica every message). It reads the
 * stream by sequence with direct message gets (`next_by_subj` from the last sequence it saw),
 * starting with the events published after start(); a core subscription to the same subject only
 * wakes it up early (its content is ignored), and a poll catches anything a reconnect missed. It
 * keeps no consumer on the server, so it needs no right over any consumer of the stream (which
 * would also reach the other services' durables there). There is no redelivery and no inbox:
 * handlers must be local and idempotent (reload a file, drop a cache), and a failure is logged,
 * never retried. `onExhausted` of the subscriptions is not used. Every event is checked like a
 * durable consumer's (checkEvent); a refused one is dead-lettered (once, whatever the number of
 * replicas) and never handled.
 * @example
 * const c = createBroadcastConsumer({ bus, logger, verifier: eventVerifier(keys),
 *   consumer: Broadcasts.applicationsCatalogReload,
 *   subscriptions: [subscribe(Events.CatalogReloadRequested, reload)] });
 * await c.start();
 */
export function createBroadcastConsumer(options: BroadcastConsumerOptions): EventConsumer {
  assertSubscriptionsMatch(options.consumer, options.subscriptions);
  // A durable consumer narrowed to a variant checks each payload is of it (consumer.ts); this one
  // has no such check, so it takes no event that has variants until it is given one.
  const withVariants = options.consumer.events.filter((e) => e.variants !== undefined);
  if (withVariants.length > 0)
    throw new Error(
      `broadcast consumer ${options.consumer.name}: ${withVariants.map((e) => e.type).join(", ")} has variants, which broadcast consumers do not check`,
    );
  return new BroadcastConsumerImpl(options);
}

class BroadcastConsumerImpl implements EventConsumer {
  readonly #o: BroadcastConsumerOptions;
  readonly #byType: Map<string, Subscription<unknown>>;
  readonly #stream: string;
  readonly #filter: string;
  #lastSeq = 0;
  #running = false;
  #woken = false;
  #wake: (() => void) | undefined;
  #wakeups: NatsSubscription | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: BroadcastConsumerOptions) {
    this.#o = options;
    this.#byType = new Map(options.subscriptions.map((s) => [s.event.type, s]));
    this.#stream = streamName(options.bus.ns, options.consumer.stream);
    this.#filter = consumerFilterSubject(options.bus.ns, options.consumer);
  }

  async start(): Promise<void> {
    const { jsm, nc } = this.#o.bus;
    // Events published from now on are ours ("deliver new").
    const info = await jsm.streams.info(this.#stream).catch((err: unknown) => {
      throw explainMissingStream(err, `stream ${this.#stream}`);
    });
    this.#lastSeq = info.state.last_seq;
    this.#wakeups = nc.subscribe(this.#filter, {
      callback: () => {
        this.#woken = true;
        this.#wake?.();
      },
    });
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeups?.unsubscribe();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const log = this.#o.logger.child({ consumer: this.#o.consumer.name });
    let failing = false;
    while (this.#running) {
      let msg: StoredMsg | null = null;
      try {
        msg = await this.#next();
        failing = false;
      } catch (err) {
        if (!failing) log.warn({ err }, "broadcast read failed; retrying");
        failing = true;
      }
      if (msg) {
        await this.#handle(msg);
        this.#lastSeq = msg.seq;
        continue;
      }
      // A wake-up can beat the stream's write by a moment: look again shortly, once.
      const woken = this.#woken;
      this.#woken = false;
      await this.#sleep(woken ? 50 : (this.#o.pollIntervalMs ?? 1_000));
    }
  }

  async #next(): Promise<StoredMsg | null> {
    const query = { seq: this.#lastSeq + 1, next_by_subj: this.#filter } as unknown as MsgRequest;
    try {
      return await this.#o.bus.jsm.streams.getMessage(this.#stream, query);
    } catch (err) {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === NO_MESSAGE) return null;
      throw err;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.#running) return resolve();
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async #handle(msg: StoredMsg): Promise<void> {
    const check = checkEvent(this.#o.verifier, this.#o.bus.ns, {
      subject: msg.subject,
      headers: msg.header,
      data: msg.data,
    });
    if (!check.ok) {
      const log = this.#o.logger.child({ consumer: this.#o.consumer.name });
      log.warn(
        { reason: check.reason, subject: msg.subject, streamSeq: msg.seq },
        "event refused (not its producer's signed event); dead-lettered unhandled",
      );
      await this.#deadLetter(msg, check.reason, log);
      return;
    }
    const env = check.envelope;
    const log = this.#o.logger.child({
      consumer: this.#o.consumer.name,
      eventId: env.id,
      eventType: env.type,
      traceId: traceIdOf(env.traceparent),
    });
    const sub = this.#byType.get(env.type);
    if (!sub) {
      log.debug({ subject: msg.subject }, "no handler for event type; skipped");
      return;
    }
    const ctx: MessageContext = {
      eventId: env.id,
      type: env.type,
      traceparent: env.traceparent,
      attempt: 1,
      maxDeliver: 1,
      isLastAttempt: true,
      log,
    };
    try {
      await sub.handle(sub.event.codec.decode(msg.data), ctx);
    } catch (err) {
      log.error({ err }, "broadcast handler failed (not retried)");
    }
  }

  /** Every replica refuses the same message: the message id keeps one copy. */
  async #deadLetter(msg: StoredMsg, reason: string, log: Logger): Promise<void> {
    const h = msg.header;
    h.set("proximity-dlq-stream", this.#stream);
    h.set("proximity-dlq-seq", String(msg.seq));
    h.set("proximity-dlq-subject", msg.subject);
    h.set("proximity-dlq-deliveries", "1");
    h.set("proximity-dlq-reason", `refused: ${reason}`);
    const { js, ns } = this.#o.bus;
    try {
      await js.publish(deadLetterSubject(ns, this.#o.consumer.name), msg.data, {
        msgID: `dlq:${this.#stream}:${msg.seq}`,
        headers: h,
      });
    } catch (err) {
      log.error({ err }, "dead-lettering a refused broadcast event failed");
    }
  }
}
