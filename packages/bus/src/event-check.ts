import type { MsgHdrs } from "nats";
import type { EventEnvelope } from "./envelope.js";
import { arrivesOn, type EventDefinition, eventOfType, producerOf } from "./events.js";
import { type EventVerifier, eventSignedBy, SIGNATURE_HEADER } from "./signature.js";

/** The outcome of checking a received message before anything acts on it. */
export type EventCheck =
  | {
      readonly ok: true;
      readonly event: EventDefinition<unknown>;
      readonly envelope: EventEnvelope;
    }
  | { readonly ok: false; readonly reason: string };

/** What is checked of a message: where it was published, its headers and payload. */
export interface ReceivedMessage {
  readonly subject: string;
  readonly headers?: MsgHdrs;
  readonly data: Uint8Array;
}

/**
 * Checks, in this order, that a message is an event its producer published: its `ce-type` is in
 * the catalog, it arrived on one of that event's subjects (its own or a variant's), its `ce-source` is the producer owning that
 * event's stream, and the producer's Ed25519 signature covers the subject, the envelope and the
 * payload. The reason of a refusal names the failed check only (never header or payload values).
 */
export function checkEvent(verifier: EventVerifier, ns: string, msg: ReceivedMessage): EventCheck {
  const get = (name: string) => msg.headers?.get(name) ?? "";
  const type = get("ce-type");
  const event = type ? eventOfType(type) : undefined;
  if (!event) return { ok: false, reason: type ? "unknown event type" : "no event type" };
  if (!arrivesOn(event, ns, msg.subject))
    return { ok: false, reason: "subject does not match the event type" };
  const source = get("ce-source");
  if (source !== producerOf(event)) return { ok: false, reason: "source is not the event's producer" };
  const id = get("ce-id");
  if (!id) return { ok: false, reason: "no event id" };
  const signature = get(SIGNATURE_HEADER);
  if (!signature) return { ok: false, reason: "unsigned" };
  const envelope: EventEnvelope = {
    id,
    type,
    source,
    time: get("ce-time"),
    traceparent: get("traceparent"),
    ...(get("ce-subject") ? { subject: get("ce-subject") } : {}),
  };
  const fields = {
    subject: msg.subject,
    id,
    type,
    source,
    time: envelope.time,
    ceSubject: envelope.subject ?? "",
    traceparent: envelope.traceparent,
    payload: msg.data,
  };
  if (!eventSignedBy(verifier, source, fields, signature)) return { ok: false, reason: "bad signature" };
  return { ok: true, event, envelope };
}
