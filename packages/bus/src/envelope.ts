import { type MsgHdrs, headers as natsHeaders } from "nats";
import { type EventSigner, SIGNATURE_HEADER, signEvent } from "./signature.js";

/** CloudEvents attributes carried as NATS headers (binary content mode). */
export interface EventEnvelope {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  /** W3C traceparent of the request that caused the event. */
  readonly traceparent: string;
  /** Optional subject of the event (e.g. the app id), for filtering and logs. */
  readonly subject?: string;
}

const H = {
  id: "ce-id",
  type: "ce-type",
  source: "ce-source",
  time: "ce-time",
  subject: "ce-subject",
  traceparent: "traceparent",
  specversion: "ce-specversion",
} as const;

/** Builds NATS headers from an envelope. */
export function envelopeHeaders(envelope: EventEnvelope): MsgHdrs {
  const h = natsHeaders();
  h.set(H.specversion, "1.0");
  h.set(H.id, envelope.id);
  h.set(H.type, envelope.type);
  h.set(H.source, envelope.source);
  h.set(H.time, envelope.time);
  h.set(H.traceparent, envelope.traceparent);
  if (envelope.subject) h.set(H.subject, envelope.subject);
  return h;
}

/**
 * The headers an event is published with: its envelope, with `signer` as the source, and the
 * signer's signature over the full subject, the envelope and the payload (see checkEvent).
 */
export function signedEnvelopeHeaders(
  signer: EventSigner,
  subject: string,
  envelope: Omit<EventEnvelope, "source">,
  payload: Uint8Array,
): MsgHdrs {
  const h = envelopeHeaders({ ...envelope, source: signer.service });
  h.set(
    SIGNATURE_HEADER,
    signEvent(signer, {
      subject,
      id: envelope.id,
      type: envelope.type,
      source: signer.service,
      time: envelope.time,
      ceSubject: envelope.subject ?? "",
      traceparent: envelope.traceparent,
      payload,
    }),
  );
  return h;
}

/** Reads the envelope from NATS headers; undefined fields when a publisher left them out. */
export function readEnvelope(h: MsgHdrs | undefined): Partial<EventEnvelope> {
  const get = (k: string) => h?.get(k) || undefined;
  return {
    id: get(H.id) ?? get("Nats-Msg-Id"),
    type: get(H.type),
    source: get(H.source),
    time: get(H.time),
    traceparent: get(H.traceparent),
    subject: get(H.subject),
  };
}

/** A fresh W3C traceparent, and the trace id of one (for logs): @proximity/telemetry's. */
export { newTraceparent, traceIdOf } from "@proximity/telemetry";
