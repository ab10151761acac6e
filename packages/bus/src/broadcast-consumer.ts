import { randomUUID } from "node:crypto";
import type { Logger } from "@proximity/logger";
import { type Consumer, type ConsumerMessages, DeliverPolicy, type JetStreamClient, type JsMsg } from "nats";
import type { EventConsumer, MessageContext, Subscription } from "./consumer.js";
import { readEnvelope, traceIdOf } from "./envelope.js";
import { filterSubjectOf, type StreamName, streamName } from "./streams.js";

export interface BroadcastConsumerOptions {
  readonly js: JetStreamClient;
  readonly ns: string;
  readonly logger: Logger;
  /** Purpose of the consumer (e.g. `applications-catalog-reload`); a per-process suffix is added. */
  readonly name: string;
  readonly stream: StreamName;
  // biome-ignore lint/suspicious/noExplicitAny: heterogeneous handler list, each typed by subscribe()
  readonly subscriptions: readonly Subscription<any>[];
}

/**
 * A consumer of this process alone, for events every replica must act on (a durable consumer
 * shares its messages between replicas; this one gives each replica every message). It is an
 * ephemeral ordered JetStream consumer: it starts with the events published after start()
 * (deliver policy "new"), the client re-creates it after a reconnect from where it stopped, and
 * the server forgets it when the process is gone. There is no redelivery and no inbox: handlers
 * must be local and idempotent (reload a file, drop a cache), and a failure is logged, never
 * retried. `onExhausted` of the subscriptions is not used.
 * @example
 * const c = createBroadcastConsumer({ js: bus.js, ns: bus.ns, logger, name: "applications-catalog-reload",
 *   stream: "APPLICATIONS", subscriptions: [subscribe(Events.CatalogReloadRequested, reload)] });
 * await c.start();
 */
export function createBroadcastConsumer(options: BroadcastConsumerOptions): EventConsumer {
  return new BroadcastConsumerImpl(options);
}

class BroadcastConsumerImpl implements EventConsumer {
  readonly #o: BroadcastConsumerOptions;
  readonly #byType: Map<string, Subscription<unknown>>;
  readonly #name: string;
  #consumer: Consumer | undefined;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: BroadcastConsumerOptions) {
    this.#o = options;
    this.#byType = new Map(options.subscriptions.map((s) => [s.event.type, s]));
    this.#name = `${options.name}-${randomUUID().replaceAll("-", "")}`;
  }

  async start(): Promise<void> {
    const { js, ns, stream } = this.#o;
    const subjects = [...new Set(this.#o.subscriptions.map((s) => s.event.subject))];
    this.#consumer = await js.consumers.get(streamName(ns, stream), {
      name_prefix: this.#name,
      // One filter subject (NATS 2.9): the event's subject, or the wildcard of their common topic.
      filterSubjects: filterSubjectOf(ns, subjects),
      deliver_policy: DeliverPolicy.New,
    });
    // Resolves once the server-side consumer exists: events published from now on reach us.
    this.#messages = await this.#consumer.consume({ max_messages: 16 });
    this.#loop = this.#pump(this.#messages);
  }

  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#loop;
    // Delete now rather than after the server's inactivity threshold.
    await this.#consumer?.delete().catch(() => undefined);
  }

  async #pump(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) await this.#handle(msg);
  }

  async #handle(msg: JsMsg): Promise<void> {
    const env = readEnvelope(msg.headers);
    const log = this.#o.logger.child({
      consumer: this.#name,
      eventId: env.id,
      eventType: env.type,
      traceId: traceIdOf(env.traceparent),
    });
    const sub = env.type ? this.#byType.get(env.type) : undefined;
    if (!sub) {
      log.debug({ subject: msg.subject }, "no handler for event type; skipped");
      return;
    }
    const ctx: MessageContext = {
      eventId: env.id ?? `${msg.info.stream}:${msg.seq}`,
      type: sub.event.type,
      traceparent: env.traceparent ?? "",
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
}
