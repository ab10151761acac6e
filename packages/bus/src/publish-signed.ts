import {
  contextFromTraceparent,
  failSpan,
  noopTracer,
  SpanKind,
  type Tracer,
  traceparentOf,
} from "@proximity/telemetry";
import type { JetStreamClient, PubAck } from "nats";
import { signedEnvelopeHeaders } from "./envelope.js";
import { type EventDefinition, subjectFor } from "./events.js";
import type { EventSigner } from "./signature.js";
import { subjectOf } from "./streams.js";

/** One event as it goes on the bus: its envelope (the source is the signer) and encoded payload. */
export interface OutgoingEvent {
  /** The catalog's subject for its payload (subjectFor), below the namespace. */
  readonly subject: string;
  /** CloudEvents `id`. */
  readonly id: string;
  readonly type: string;
  /** CloudEvents `time` (ISO 8601). */
  readonly time: string;
  /** The trace the event continues: the parent of its publish span. */
  readonly traceparent: string;
  /** CloudEvents `subject`, when the event has one. */
  readonly ceSubject?: string;
  readonly payload: Uint8Array;
}

/**
 * A catalog event as it goes on the bus, stamped now: what a producer that publishes without the
 * outbox (snapshot publishers, the test helper) builds from the event's definition and payload.
 */
export function outgoingEventOf<T>(
  event: EventDefinition<T>,
  payload: T,
  meta: { readonly id: string; readonly traceparent: string; readonly ceSubject?: string | undefined },
): OutgoingEvent {
  return {
    subject: subjectFor(event, payload),
    id: meta.id,
    type: event.type,
    time: new Date().toISOString(),
    traceparent: meta.traceparent,
    ...(meta.ceSubject ? { ceSubject: meta.ceSubject } : {}),
    payload: event.codec.encode(payload).finish(),
  };
}

export interface SignedPublishOptions {
  /** `Nats-Msg-Id`: JetStream drops a second message with it within the duplicate window. */
  readonly msgId?: string;
  /** The producer span `<subject> publish`; with tracing on, the envelope carries its traceparent. */
  readonly tracer?: Tracer;
}

/**
 * Publishes `event` signed by `signer` (signedEnvelopeHeaders) and resolves on its PubAck: the one
 * way every producer path puts an event on the bus (the outbox relay, snapshot publishers, the
 * test helper), so a consumer cannot tell them apart. The publish is a producer span, child of the
 * event's traceparent; the envelope carries the span's traceparent (with tracing off, a no-op span
 * keeps its parent's, so the event's own travels).
 */
export function publishSigned(
  js: JetStreamClient,
  ns: string,
  signer: EventSigner,
  event: OutgoingEvent,
  options: SignedPublishOptions = {},
): Promise<PubAck> {
  const subject = subjectOf(ns, event.subject);
  const tracer = options.tracer ?? noopTracer;
  const span = tracer.startSpan(
    `${event.subject} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": subject,
        "messaging.message.id": options.msgId ?? event.id,
        "cloudevents.event_type": event.type,
      },
    },
    contextFromTraceparent(event.traceparent),
  );
  try {
    const headers = signedEnvelopeHeaders(
      signer,
      subject,
      {
        id: event.id,
        type: event.type,
        time: event.time,
        traceparent: traceparentOf(span) ?? event.traceparent,
        ...(event.ceSubject ? { subject: event.ceSubject } : {}),
      },
      event.payload,
    );
    return js
      .publish(subject, event.payload, { headers, ...(options.msgId ? { msgID: options.msgId } : {}) })
      .then(
        (ack) => {
          span.end();
          return ack;
        },
        (err: unknown) => {
          failSpan(span, err);
          span.end();
          throw err;
        },
      );
  } catch (err) {
    failSpan(span, err);
    span.end();
    return Promise.reject(err);
  }
}
