import { setMaxListeners } from "node:events";
import { type Logger, lazyChild } from "@proximity/logger";
import {
  contextFromTraceparent,
  failSpan,
  inSpan,
  noopTracer,
  type Span,
  SpanKind,
  type Tracer,
  traceIdOf,
  traceparentOf,
} from "@proximity/telemetry";
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  nanos,
  headers as natsHeaders,
} from "nats";
import { type AbandonedDeliveries, startAbandonedDeliveries } from "./abandoned-deliveries.js";
import { retryDelayMs } from "./backoff.js";
import { createOrUpdateConsumer } from "./create-consumer.js";
import type { EventEnvelope } from "./envelope.js";
import { checkEvent } from "./event-check.js";
import { arrivesOn, type EventDefinition, eventOfType, fitsItsSubject } from "./events.js";
import {
  busAcks,
  busConsumerAckPending,
  busConsumerPending,
  busDeadLetters,
  busDeliveries,
  busHandlingSeconds,
  busNaks,
  busRedeliveries,
} from "./metrics.js";
import type { EventVerifier } from "./signature.js";
import { deadLetterSubject, explainMissingStream, streamName } from "./streams.js";
import { type ConsumerDefinition, consumerFilterSubject } from "./topology.js";

/** What a handler learns about the message besides its payload. */
export interface MessageContext {
  readonly eventId: string;
  readonly type: string;
  /**
   * The subject it arrived on, below the namespace (durable consumers set it, broadcast consumers
   * do not): the event's own or a variant's, or, from an older producer, one the catalog now gives
   * other payloads.
   */
  readonly subject?: string;
  /** The handling span's traceparent (its parent is the publish of the event). */
  readonly traceparent: string;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly maxDeliver: number;
  /** True when a failure now is final (no redelivery will follow). */
  readonly isLastAttempt: boolean;
  readonly log: Logger;
  /**
   * Aborted when the consumer stops: a handler still waiting to begin (for capacity) may give up
   * by throwing DeliveryDeferred. Work already begun should finish instead. (Durable consumers set it.)
   */
  readonly stopping?: AbortSignal;
}

/** Handles one event type; throwing means "not done" (retried, then exhausted). */
export type EventHandler<T> = (payload: T, ctx: MessageContext) => Promise<void>;

/** One handler per event the consumer receives. */
export interface Subscription<T> {
  readonly event: EventDefinition<T>;
  readonly handle: EventHandler<T>;
  /** Called once when the last attempt failed, before the message is dead-lettered. */
  readonly onExhausted?: (payload: T, ctx: MessageContext, error: unknown) => Promise<void>;
}

/** Builds a subscription with its payload type inferred from the event. */
export function subscribe<T>(
  event: EventDefinition<T>,
  handle: EventHandler<T>,
  onExhausted?: Subscription<T>["onExhausted"],
): Subscription<T> {
  return onExhausted ? { event, handle, onExhausted } : { event, handle };
}

/** Errors a handler throws to skip the remaining attempts (the input can never succeed). */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentFailure";
  }
}

/**
 * Thrown by a handler that did not begin its work (it was still waiting for capacity when the
 * consumer stopped): the message goes back at once for another consumer, with no failure logged
 * and no backoff. On the last attempt it counts as a failure, since no redelivery would follow.
 */
export class DeliveryDeferred extends Error {
  constructor(message = "delivery deferred", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryDeferred";
  }
}

export interface EventConsumerOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ns: string;
  readonly logger: Logger;
  /** The durable consumer (one of `Durables`): its name, stream and events. */
  readonly durable: ConsumerDefinition;
  /** One per event of the durable, no more, no fewer. */
  // biome-ignore lint/suspicious/noExplicitAny: heterogeneous handler list, each typed by subscribe()
  readonly subscriptions: readonly Subscription<any>[];
  /**
   * Checks every message a handler would act on — type, subject, producer and signature —
   * (eventVerifier(keys)); a message that fails is dead-lettered untouched. Catalog events on one of
   * their subjects that this consumer has no handler for are acknowledged unchecked (unused).
   */
  readonly verifier: EventVerifier;
  /**
   * Deliveries before a message is given up, default 5. The server allows CRASH_REDELIVERIES more:
   * a process that dies during the last attempt leaves the message to another one, which fails it
   * properly (onExhausted, dead letter) instead of leaving only a max-deliveries advisory.
   */
  readonly maxDeliver?: number;
  /** Retry delays: base and cap, default 1 s → 30 s. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Redelivery after a crashed handler, default 30 s (handlers in progress are kept alive). */
  readonly ackWaitMs?: number;
  /**
   * Messages in flight at once (handled, or waiting inside their handler), default 1. Handlers
   * that await I/O cost no thread: set it high and bound the real work inside the handlers.
   */
  readonly concurrency?: number;
  /**
   * The service's tracer: each delivery a handler acts on is a consumer span, child of the
   * event's traceparent; the handler runs inside it. Default: none.
   */
  readonly tracer?: Tracer;
  /**
   * Use the durable as the server holds it, never create or change it: start() fails when it is
   * absent. For a retired durable being drained (retireDurable), which must not come back once a
   * replica deleted it.
   */
  readonly bindExisting?: boolean;
}

/** A running durable pull consumer. */
export interface EventConsumer {
  start(): Promise<void>;
  /** Stops pulling and waits for the handlers in flight. */
  stop(): Promise<void>;
}

/**
 * Creates a durable pull consumer with explicit acks and bounded redelivery: a failed handler
 * is retried with `nak(delay)` on a capped exponential schedule; after `maxDeliver` attempts the
 * subscription's `onExhausted` runs (e.g. emit a *failed* event), the message is copied to the
 * dead-letter stream and terminated. Failures are never acked.
 *
 * Before any of that, each message is checked (checkEvent): a catalog type on one of its subjects,
 * published and signed by that event's producer. One that fails is dead-lettered at once, logged
 * with the reason, and neither its handler nor `onExhausted` runs: a forged event has no effect.
 * The one exception costs nothing to trust: a catalog event on one of its subjects whose type the
 * consumer has no handler for is acknowledged without its signature checked (logged at debug).
 * @example
 * createEventConsumer({ js: bus.js, jsm: bus.jsm, ns: bus.ns, logger, verifier: eventVerifier(keys),
 *   durable: Durables.hostsHostChecks, subscriptions: [subscribe(Events.HostChecked, handle)] });
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  assertSubscriptionsMatch(options.durable, options.subscriptions);
  return new EventConsumerImpl(options);
}

/** The subscriptions must be exactly the consumer's events: the definition is what permissions allow. */
export function assertSubscriptionsMatch(
  consumer: ConsumerDefinition,
  subscriptions: readonly Subscription<unknown>[],
): void {
  const defined = new Set(consumer.events.map((e) => e.type));
  const subscribed = new Set(subscriptions.map((s) => s.event.type));
  const extra = [...subscribed].filter((t) => !defined.has(t));
  const missing = [...defined].filter((t) => !subscribed.has(t));
  if (extra.length > 0 || missing.length > 0 || subscribed.size !== subscriptions.length)
    throw new Error(
      `consumer ${consumer.name}: subscriptions do not match its definition (extra: ${extra.join(", ") || "none"}; missing: ${missing.join(", ") || "none"}; or one event twice)`,
    );
}

/**
 * Deliveries the server makes beyond `maxDeliver`: only a process that died holding a message (it
 * neither acked nor nak'd it) gets there; every such delivery is a last attempt.
 */
export const CRASH_REDELIVERIES = 3;

/**
 * Listeners one handler in flight may hold on ctx.stopping at once, with room to spare (the
 * provisioner's deploys hold one each while they wait for a node slot). The signal is shared by
 * every handler in flight, so Node's default warning at 11 ("possible EventTarget memory leak")
 * fired on a busy consumer that leaked nothing; the limit is sized to the consumer instead, and a
 * real leak still warns.
 */
const STOP_LISTENERS_PER_HANDLER = 4;

class EventConsumerImpl implements EventConsumer {
  readonly #o: EventConsumerOptions;
  readonly #byType: Map<string, Subscription<unknown>>;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #abandoned: AbandonedDeliveries | undefined;
  #stopping = false;
  /** The consumer's metric labels: its logical stream and durable name, both fixed in code. */
  readonly #labels: { stream: string; consumer: string };
  readonly #unwatch: (() => void)[] = [];

  constructor(options: EventConsumerOptions) {
    this.#o = options;
    // The handlers in flight and the advisory reader's recovery.
    const listeners = ((options.concurrency ?? 1) + 1) * STOP_LISTENERS_PER_HANDLER;
    setMaxListeners(Math.max(10, listeners), this.#stop.signal);
    this.#byType = new Map(options.subscriptions.map((s) => [s.event.type, s]));
    this.#labels = { stream: options.durable.stream, consumer: options.durable.name };
  }

  get #maxDeliver(): number {
    return this.#o.maxDeliver ?? 5;
  }

  async start(): Promise<void> {
    const { jsm, js, ns } = this.#o;
    const { name: durable, stream } = this.#o.durable;
    // The stream is setup's (or, without authentication, the service's connectBus declared it):
    // the consumer creates only its own durable.
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.#o.ackWaitMs ?? 30_000),
      max_deliver: this.#maxDeliver + CRASH_REDELIVERIES,
      max_ack_pending: Math.max(16, (this.#o.concurrency ?? 1) * 4),
      // One filter per consumer on NATS 2.9: a single event subject, or the wildcard of the topic.
      filter_subject: consumerFilterSubject(ns, this.#o.durable),
    };
    if (!this.#o.bindExisting)
      await createOrUpdateConsumer(jsm, streamName(ns, stream), config).catch((err: unknown) => {
        throw explainMissingStream(err, `stream ${streamName(ns, stream)}`);
      });
    // The advisory reader first: a start that fails there has taken no request (a replica that
    // crash-loops holding requests would spend their deliveries).
    if (this.#o.durable.recoversAbandoned) {
      this.#abandoned = await startAbandonedDeliveries({
        js,
        jsm,
        ns,
        logger: this.#o.logger,
        durable: this.#o.durable,
        verifier: this.#o.verifier,
        subscriptions: this.#byType,
        labels: this.#labels,
        stopping: this.#stop.signal,
        ackWaitMs: this.#o.ackWaitMs ?? 30_000,
        retryDelayMs: this.#o.backoffMaxMs ?? 30_000,
        ...(this.#o.tracer ? { tracer: this.#o.tracer } : {}),
      });
    }
    try {
      const consumer = await js.consumers.get(streamName(ns, stream), durable);
      this.#messages = await consumer.consume({ max_messages: this.#o.concurrency ?? 1 });
    } catch (err) {
      this.#stop.abort(new DeliveryDeferred("consumer failed to start"));
      await this.#abandoned?.stop();
      throw err;
    }
    this.#loop = this.#pump(this.#messages);
    // Every dead-letter series exists from the start, at 0: the alert is an increase(), and a series
    // that first appears at 1 shows none.
    const reasons = ["refused", "undecodable", "exhausted"];
    if (this.#o.durable.recoversAbandoned) reasons.push("abandoned");
    for (const reason of reasons) busDeadLetters.inc({ ...this.#labels, reason }, 0);
    // Backlog and unacknowledged messages are the server's to know: asked when Prometheus scrapes.
    const info = () => jsm.consumers.info(streamName(ns, stream), durable);
    this.#unwatch.push(
      busConsumerPending.add(async () => [{ labels: this.#labels, value: (await info()).num_pending }]),
      busConsumerAckPending.add(async () => [
        { labels: this.#labels, value: (await info()).num_ack_pending },
      ]),
    );
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    // Pulling ends first (close() unsubscribes at once): a waiting delivery given back below goes
    // to another consumer, never straight back to this stopping one (which would spend one more of
    // its attempts). The waiting handlers are released at once too: with every slot taken, the
    // pump only sees the close once one of them returns. Only then the advisory reader: while it
    // finished a recovery, new requests would bounce off this stopping consumer until the server
    // gave them up.
    const closing = this.#messages?.close();
    this.#stop.abort(new DeliveryDeferred("consumer stopping"));
    await closing;
    await this.#loop;
    await Promise.allSettled([...this.#inFlight, this.#abandoned?.stop()]);
  }

  async #pump(messages: ConsumerMessages): Promise<void> {
    const limit = this.#o.concurrency ?? 1;
    for await (const msg of messages) {
      if (this.#stopping) {
        busNaks.inc({ ...this.#labels, reason: "stopping" });
        msg.nak();
        continue;
      }
      const task = this.#handle(msg).finally(() => this.#inFlight.delete(task));
      this.#inFlight.add(task);
      if (this.#inFlight.size >= limit) await Promise.race(this.#inFlight);
    }
  }

  #isCatalogEventOnItsSubject(type: string, subject: string): boolean {
    const event = type ? eventOfType(type) : undefined;
    return event !== undefined && arrivesOn(event, this.#o.ns, subject);
  }

  async #handle(msg: JsMsg): Promise<void> {
    const attempt = msg.info.redeliveryCount;
    busDeliveries.inc(this.#labels);
    if (attempt > 1) busRedeliveries.inc(this.#labels);
    const type = msg.headers?.get("ce-type") ?? "";
    const sub = this.#byType.get(type);
    // Another event of the catalog on one of its subjects (the progress events on a results consumer's
    // subjects, say): not ours to handle, so acknowledged without checking its signature (the
    // costly part), since nothing of it is used. Anything else is checked and refused below.
    if (!sub && this.#isCatalogEventOnItsSubject(type, msg.subject)) {
      this.#o.logger.debug(
        { consumer: this.#o.durable.name, subject: msg.subject, streamSeq: msg.seq },
        "event type without a handler here; acknowledged unchecked",
      );
      busAcks.inc(this.#labels);
      msg.ack();
      return;
    }
    const check = checkEvent(this.#o.verifier, this.#o.ns, msg);
    if (!check.ok) {
      // Nothing of the message is trusted, so nothing of it is logged but where it came from.
      const log = this.#o.logger.child({ consumer: this.#o.durable.name, attempt });
      log.warn(
        { reason: check.reason, subject: msg.subject, streamSeq: msg.seq },
        "event refused (not its producer's signed event); dead-lettered unhandled",
      );
      await this.#deadLetter(msg, attempt, log, "refused", `refused: ${check.reason}`);
      return;
    }
    const env = check.envelope;
    await inSpan(
      this.#o.tracer ?? noopTracer,
      `${env.type} process`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceparent(env.traceparent),
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "process",
          "messaging.destination.name": msg.subject,
          "messaging.consumer.group.name": this.#o.durable.name,
          "messaging.message.id": env.id,
          "messaging.message.delivery_count": attempt,
          "cloudevents.event_type": env.type,
        },
      },
      (span) => this.#process(msg, sub, check.event, env, attempt, span),
    );
  }

  /** Handles a checked delivery inside its span; settles the message itself (never throws). */
  async #process(
    msg: JsMsg,
    sub: Subscription<unknown> | undefined,
    /** The catalog's event (checkEvent), whatever copy of it the subscription holds (asVariant). */
    event: EventDefinition<unknown>,
    env: EventEnvelope,
    attempt: number,
    span: Span,
  ): Promise<void> {
    const traceparent = traceparentOf(span) ?? env.traceparent;
    const ctx: MessageContext = {
      eventId: env.id,
      type: env.type,
      subject: msg.subject.slice(this.#o.ns.length + 1),
      traceparent,
      attempt,
      maxDeliver: this.#maxDeliver,
      isLastAttempt: attempt >= this.#maxDeliver,
      // Made when first used: most handlers log nothing.
      log: lazyChild(this.#o.logger, {
        consumer: this.#o.durable.name,
        eventId: env.id,
        eventType: env.type,
        traceId: traceIdOf(traceparent),
        attempt,
      }),
      stopping: this.#stop.signal,
    };
    // A checked event is a catalog event on one of its subjects, so one without a handler was
    // acknowledged above; this only narrows the type.
    if (!sub) {
      busAcks.inc(this.#labels);
      return void msg.ack();
    }
    let payload: unknown;
    try {
      payload = sub.event.codec.decode(msg.data);
    } catch (err) {
      ctx.log.error({ err }, "undecodable message; dead-lettered");
      await this.#deadLetter(msg, attempt, ctx.log, "undecodable", "undecodable payload");
      return;
    }
    // A subscription narrowed to one variant (asVariant) acts on that variant's payloads only:
    // another on its subject is its producer's mistake, for the event's whole consumers to handle
    // (they take every variant's subject), not this one's.
    if (sub.event.subject !== event.subject && !fitsItsSubject(event, sub.event.subject, payload)) {
      ctx.log.warn(
        { subject: msg.subject },
        "event not of the variant this consumer takes; acknowledged unhandled",
      );
      busAcks.inc(this.#labels);
      msg.ack();
      return;
    }
    // Keep the message ours while the handler works (three times per ack_wait, so one lost
    // heartbeat is harmless); ack_wait then only covers crashed processes.
    const timer = busHandlingSeconds.startTimer(this.#labels);
    const keepAlive = setInterval(() => msg.working(), Math.max(50, (this.#o.ackWaitMs ?? 30_000) / 3));
    let handled = false;
    try {
      await sub.handle(payload, ctx);
      handled = true;
      clearInterval(keepAlive);
      await msg.ackAck();
      timer({ outcome: "ack" });
      busAcks.inc(this.#labels);
    } catch (err) {
      clearInterval(keepAlive);
      if (handled) {
        // The work is done; only its acknowledgement went unconfirmed (NATS away, a stream leader
        // changing). Neither a retry nor, on the last attempt, onExhausted and a dead letter: the
        // server redelivers after ack_wait and the handler's idempotency finds the work done.
        ctx.log.warn({ err }, "handled, but the ack was not confirmed; a redelivery finds it done");
        timer({ outcome: "ack" });
        busAcks.inc(this.#labels);
        return;
      }
      if (!(err instanceof DeliveryDeferred)) failSpan(span, err);
      if (err instanceof DeliveryDeferred && !ctx.isLastAttempt) {
        ctx.log.debug({ reason: err.message }, "delivery deferred; returned for redelivery");
        timer({ outcome: "nak" });
        busNaks.inc({ ...this.#labels, reason: "deferred" });
        msg.nak();
        return;
      }
      const permanent = err instanceof PermanentFailure;
      if (!permanent && !ctx.isLastAttempt) {
        const delay = retryDelayMs(attempt, this.#o.backoffBaseMs ?? 1_000, this.#o.backoffMaxMs ?? 30_000);
        ctx.log.warn({ err, retryInMs: delay }, "handler failed; will retry");
        timer({ outcome: "nak" });
        busNaks.inc({ ...this.#labels, reason: "failed" });
        msg.nak(delay);
        return;
      }
      ctx.log.error({ err, permanent }, "handler failed for the last time");
      // The hook (a cleanup on a slow host) may outlast ack_wait: the message stays ours meanwhile,
      // or the server would hand it to another process while this one is still failing it.
      const hookKeepAlive = setInterval(() => msg.working(), Math.max(50, (this.#o.ackWaitMs ?? 30_000) / 3));
      try {
        await sub.onExhausted?.(payload, { ...ctx, isLastAttempt: true }, err);
      } catch (hookErr) {
        clearInterval(hookKeepAlive);
        // The failure could not be recorded: let the server redeliver (or advise max deliveries).
        ctx.log.error({ err: hookErr }, "onExhausted failed; message left for redelivery");
        timer({ outcome: "nak" });
        busNaks.inc({ ...this.#labels, reason: "exhausted_hook_failed" });
        msg.nak(this.#o.backoffMaxMs ?? 30_000);
        return;
      }
      clearInterval(hookKeepAlive);
      timer({ outcome: "dead_letter" });
      await this.#deadLetter(
        msg,
        attempt,
        ctx.log,
        "exhausted",
        err instanceof Error ? err.message : String(err),
      );
    }
  }

  /** `kind` is the bounded reason counted in metrics; `reason` the dead letter's own words. */
  async #deadLetter(
    msg: JsMsg,
    attempt: number,
    log: Logger,
    kind: "refused" | "undecodable" | "exhausted",
    reason: string,
  ): Promise<void> {
    // A forged message may come without headers: the dead letter still says what happened.
    const h = msg.headers ?? natsHeaders();
    const { js, ns } = this.#o;
    h.set("proximity-dlq-stream", msg.info.stream);
    h.set("proximity-dlq-seq", String(msg.seq));
    h.set("proximity-dlq-subject", msg.subject);
    h.set("proximity-dlq-deliveries", String(attempt));
    h.set("proximity-dlq-reason", reason.slice(0, 500));
    try {
      const published = await js.publish(deadLetterSubject(ns, this.#o.durable.name), msg.data, {
        msgID: `dlq:${msg.info.stream}:${msg.seq}`,
        headers: h,
      });
      log.warn({ deadLetterSeq: published.seq }, "message dead-lettered");
      busDeadLetters.inc({ ...this.#labels, reason: kind });
      msg.term();
    } catch (err) {
      // Not kept anywhere yet: leave it to a later delivery rather than drop it.
      log.error({ err }, "dead-lettering failed; message left for redelivery");
      busNaks.inc({ ...this.#labels, reason: "dead_letter_failed" });
      msg.nak(this.#o.backoffMaxMs ?? 30_000);
    }
  }
}
