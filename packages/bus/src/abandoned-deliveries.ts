/**
 * Messages whose every delivery was interrupted. After `max_deliver` deliveries the server stops
 * redelivering a message; when the processes handling the last ones all died (or the failure hook
 * of the last could not run), no handler ever gave the message up: the server only publishes a
 * max-deliveries advisory, which the DEAD_LETTERS stream keeps. For a consumer whose definition
 * `recoversAbandoned`, a durable of its own reads those advisories, reads the original message back
 * from its stream, checks it like any delivery and runs its subscription's failure hook
 * (`onExhausted`), so the work it stood for is failed properly (cleanup, failed event) instead of
 * being left in flight for ever. The hook must be idempotent: work already finished is left alone.
 */
import type { Logger } from "@proximity/logger";
import {
  contextFromTraceparent,
  inSpan,
  noopTracer,
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
  type StoredMsg,
} from "nats";
import type { MessageContext, Subscription } from "./consumer.js";
import { createOrUpdateConsumer } from "./create-consumer.js";
import { checkEvent } from "./event-check.js";
import { busDeadLetters } from "./metrics.js";
import type { EventVerifier } from "./signature.js";
import { MAX_DELIVERIES_ADVISORY, streamName } from "./streams.js";
import type { ConsumerDefinition } from "./topology.js";

/** The error a failure hook receives for a message whose every delivery was interrupted. */
export class AbandonedDeliveryError extends Error {
  constructor(readonly deliveries: number) {
    super(`every delivery (${deliveries}) was interrupted before it finished`);
    this.name = "AbandonedDeliveryError";
  }
}

/** Name of the durable reading a consumer's max-deliveries advisories. */
export function abandonedConsumerName(consumer: ConsumerDefinition): string {
  return `${consumer.name}-abandoned`;
}

/** Subject of the server's max-deliveries advisories for `consumer` (kept by DEAD_LETTERS). */
export function abandonedAdvisorySubject(ns: string, consumer: ConsumerDefinition): string {
  return `${MAX_DELIVERIES_ADVISORY}.${streamName(ns, consumer.stream)}.${consumer.name}`;
}

/**
 * Tries of an advisory after which each further failure is logged as an error. The hook is
 * idempotent, so the advisory is retried for as long as it takes (a database outage): giving up
 * would leave the operation running with nobody left to fail it.
 */
const ADVISORY_TRIES_BEFORE_ALARM = 10;
/** JetStream's "no message found": the original has left its stream (age or size limits). */
const NO_MESSAGE_FOUND = 10037;

export interface AbandonedDeliveriesOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ns: string;
  readonly logger: Logger;
  readonly durable: ConsumerDefinition;
  readonly verifier: EventVerifier;
  readonly subscriptions: ReadonlyMap<string, Subscription<unknown>>;
  /** The recovering consumer's metric labels (each advisory counts as one of its dead letters). */
  readonly labels: { readonly stream: string; readonly consumer: string };
  /** Aborted when the consumer stops: a hook still waiting (for a claim) gives the advisory back. */
  readonly stopping: AbortSignal;
  /** How long a hook may run without a heartbeat before the advisory is redelivered. */
  readonly ackWaitMs: number;
  /** Delay before a failed hook is tried again. */
  readonly retryDelayMs: number;
  readonly tracer?: Tracer;
}

/** A running advisory reader; `stop()` waits for the hook in progress. */
export interface AbandonedDeliveries {
  stop(): Promise<void>;
}

interface MaxDeliveriesAdvisory {
  readonly stream: string;
  readonly consumer: string;
  readonly stream_seq: number;
  readonly deliveries: number;
}

export async function startAbandonedDeliveries(o: AbandonedDeliveriesOptions): Promise<AbandonedDeliveries> {
  const deadLetters = streamName(o.ns, "DEAD_LETTERS");
  const name = abandonedConsumerName(o.durable);
  await createOrUpdateConsumer(o.jsm, deadLetters, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(o.ackWaitMs),
    max_deliver: -1,
    filter_subject: abandonedAdvisorySubject(o.ns, o.durable),
  }).catch((err: unknown) => {
    // A refusal by the server's permissions or the stream's subjects is setup's to fix; any
    // other failure (NATS away) is what it is.
    const code = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
    if (!isSetupProblem(err, code)) throw err;
    throw new Error(
      `cannot read the max-deliveries advisories of ${o.durable.name} (${deadLetters}, durable ${name}): run this release's bus setup (deploy/bus-init.ts), which declares the dead-letter stream's subjects and writes the NATS permissions, and have NATS reload its configuration`,
      { cause: err },
    );
  });
  const consumer = await o.js.consumers.get(deadLetters, name);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 1 });
  const log = o.logger.child({ consumer: name });
  const loop = (async () => {
    for await (const msg of messages) await recover(o, msg, log);
  })();
  return {
    stop: async () => {
      await messages.close();
      await loop;
    },
  };
}

/** JetStream's "filter subject is not a subset of the stream's subjects" and "stream not found". */
const SETUP_ERROR_CODES = new Set([10093, 10059]);

/** Whether a failed create is setup's to fix: the stream's subjects, or NATS's permissions. */
function isSetupProblem(err: unknown, code: number | undefined): boolean {
  if (code !== undefined && SETUP_ERROR_CODES.has(code)) return true;
  return /permissions violation|not a valid subset/i.test(err instanceof Error ? err.message : String(err));
}

/** Runs the failure hook of the message one advisory names; settles the advisory (never throws). */
async function recover(o: AbandonedDeliveriesOptions, msg: JsMsg, log: Logger): Promise<void> {
  const advisory = parseAdvisory(msg);
  // Only the server publishes advisories (no service may), and this durable's filter names its
  // consumer; the fields are checked anyway, so nothing but its own stream is ever read.
  if (
    !advisory ||
    advisory.stream !== streamName(o.ns, o.durable.stream) ||
    advisory.consumer !== o.durable.name
  ) {
    log.warn({ seq: msg.seq }, "unreadable max-deliveries advisory; left alone");
    return void msg.term();
  }
  const at = { stream: advisory.stream, streamSeq: advisory.stream_seq, deliveries: advisory.deliveries };
  const tries = msg.info.redeliveryCount;
  if (tries === 1) busDeadLetters.inc({ ...o.labels, reason: "abandoned" });
  let original: StoredMsg | null;
  try {
    original = await o.jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq }).catch((err) => {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === NO_MESSAGE_FOUND)
        return null;
      throw err;
    });
  } catch (err) {
    log.warn({ err, ...at }, "could not read the abandoned message; will retry");
    return void msg.nak(o.retryDelayMs);
  }
  if (!original) {
    log.error(at, "abandoned message no longer in its stream; its work cannot be failed automatically");
    return void msg.term();
  }
  const received = { subject: original.subject, headers: original.header, data: original.data };
  const check = checkEvent(o.verifier, o.ns, received);
  const sub = check.ok ? o.subscriptions.get(check.event.type) : undefined;
  if (!check.ok || !sub?.onExhausted) {
    // Never acted upon (refused), or nothing to fail: the advisory stays listed in DEAD_LETTERS.
    log.info({ ...at, refused: check.ok ? undefined : check.reason }, "abandoned message needs no recovery");
    return void msg.ack();
  }
  const env = check.envelope;
  await inSpan(
    o.tracer ?? noopTracer,
    `${env.type} abandoned`,
    {
      kind: SpanKind.CONSUMER,
      // The request's trace: logs and the failed event carry its trace id, as any delivery's would.
      parent: contextFromTraceparent(env.traceparent),
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": original.subject,
        "messaging.consumer.group.name": o.durable.name,
        "messaging.message.id": env.id,
        "messaging.message.delivery_count": advisory.deliveries,
        "cloudevents.event_type": env.type,
      },
    },
    async (span) => {
      const traceparent = traceparentOf(span) ?? env.traceparent;
      const ctx: MessageContext = {
        eventId: env.id,
        type: env.type,
        subject: original.subject.slice(o.ns.length + 1),
        traceparent,
        attempt: advisory.deliveries,
        maxDeliver: advisory.deliveries,
        isLastAttempt: true,
        log: log.child({
          eventId: env.id,
          eventType: env.type,
          traceId: traceIdOf(traceparent),
          abandoned: true,
        }),
        stopping: o.stopping,
      };
      const keepAlive = setInterval(() => msg.working(), Math.max(50, o.ackWaitMs / 3));
      try {
        const payload = sub.event.codec.decode(original.data);
        await sub.onExhausted?.(payload, ctx, new AbandonedDeliveryError(advisory.deliveries));
        ctx.log.warn(at, "message whose every delivery was interrupted: its failure recorded");
        msg.ack();
      } catch (err) {
        const level = tries >= ADVISORY_TRIES_BEFORE_ALARM ? "error" : "warn";
        ctx.log[level](
          { err, ...at, tries },
          "could not record the failure of an abandoned message; will retry",
        );
        // A stopping process gives it back at once, for another replica.
        msg.nak(o.stopping.aborted ? 0 : o.retryDelayMs);
      } finally {
        clearInterval(keepAlive);
      }
    },
  );
}

function parseAdvisory(msg: JsMsg): MaxDeliveriesAdvisory | undefined {
  try {
    const a = msg.json<Partial<MaxDeliveriesAdvisory>>();
    if (typeof a.stream !== "string" || typeof a.consumer !== "string") return undefined;
    if (!Number.isSafeInteger(a.stream_seq) || (a.stream_seq ?? 0) < 1) return undefined;
    return {
      stream: a.stream,
      consumer: a.consumer,
      stream_seq: a.stream_seq!,
      deliveries: Number(a.deliveries) || 0,
    };
  } catch {
    return undefined;
  }
}
