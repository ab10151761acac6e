/**
 * Dead letters of the namespace, newest first. The stream holds two kinds of records: copies the
 * consumers make after the last attempt (original payload, `proximity-dlq-*` headers) and the
 * server's max-deliveries advisories (JSON), left when a process died during its last attempt.
 */
import { readEnvelope, streamName } from "@proximity/bus";
import type { JetStreamManager, StoredMsg } from "nats";

export interface DeadLetterView {
  readonly stream: string;
  readonly streamSeq: number;
  readonly subject: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly deliveries: number;
  readonly recordedAt: Date;
}

export const DEFAULT_DEAD_LETTER_LIMIT = 50;
export const MAX_DEAD_LETTER_LIMIT = 500;

export async function listDeadLetters(
  jsm: JetStreamManager,
  ns: string,
  limit: number,
): Promise<DeadLetterView[]> {
  const want = Math.min(limit > 0 ? limit : DEFAULT_DEAD_LETTER_LIMIT, MAX_DEAD_LETTER_LIMIT);
  const name = streamName(ns, "DEAD_LETTERS");
  const { state } = await jsm.streams.info(name);
  const out: DeadLetterView[] = [];
  for (let seq = state.last_seq; seq >= state.first_seq && seq > 0 && out.length < want; seq--) {
    const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null); // gaps: deleted messages
    const view = msg ? await toView(jsm, msg) : null;
    if (view) out.push(view);
  }
  return out;
}

async function toView(jsm: JetStreamManager, msg: StoredMsg): Promise<DeadLetterView | null> {
  if (msg.subject.startsWith("$JS.EVENT.ADVISORY.")) return fromAdvisory(jsm, msg);
  const h = msg.header;
  const env = readEnvelope(h);
  return {
    stream: h.get("proximity-dlq-stream"),
    streamSeq: Number(h.get("proximity-dlq-seq")) || 0,
    subject: h.get("proximity-dlq-subject"),
    eventId: env.id ?? "",
    eventType: env.type ?? "",
    deliveries: Number(h.get("proximity-dlq-deliveries")) || 0,
    recordedAt: msg.time,
  };
}

/** An advisory names the original message; its envelope is read from the original stream. */
async function fromAdvisory(jsm: JetStreamManager, msg: StoredMsg): Promise<DeadLetterView | null> {
  let a: { stream?: string; stream_seq?: number; deliveries?: number };
  try {
    a = msg.json();
  } catch {
    return null;
  }
  if (!a.stream || !a.stream_seq) return null;
  const original = await jsm.streams.getMessage(a.stream, { seq: a.stream_seq }).catch(() => null);
  const env = readEnvelope(original?.header);
  return {
    stream: a.stream,
    streamSeq: a.stream_seq,
    subject: original?.subject ?? "",
    eventId: env.id ?? "",
    eventType: env.type ?? "",
    deliveries: a.deliveries ?? 0,
    recordedAt: msg.time,
  };
}
