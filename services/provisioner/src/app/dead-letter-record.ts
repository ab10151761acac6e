/**
 * Reading the dead-letter stream. It holds two kinds of records: copies the consumers make after
 * the last attempt (original payload and headers, plus `proximity-dlq-*` headers) and the server's
 * max-deliveries advisories (JSON), left when a process died during its last attempt; an advisory
 * names the original message only by stream and sequence, so the original is read back from there
 * (while its stream keeps it).
 */
import { type ReceivedMessage, readEnvelope, streamName } from "@proximity/bus";
import type { JetStreamManager, StoredMsg } from "nats";

/** What ListDeadLetters shows of a record. */
export interface DeadLetterView {
  /** Sequence of the record in the dead-letter stream (its id). */
  readonly seq: number;
  /** The durable consumer that gave the message up. */
  readonly consumer: string;
  readonly advisory: boolean;
  /** Where the original message is (stream, sequence, subject). */
  readonly stream: string;
  readonly streamSeq: number;
  readonly subject: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly deliveries: number;
  readonly recordedAt: Date;
}

/** A record with what a replay needs. */
export interface DeadLetterRecord {
  readonly view: DeadLetterView;
  /** Why the consumer gave the message up ("" for an advisory). */
  readonly reason: string;
  /** The message as its producer published it; undefined when its stream no longer holds it. */
  readonly original: ReceivedMessage | undefined;
}

/** JetStream's "no message found" (a deleted record, or a sequence past the end). */
const NO_MESSAGE_FOUND = 10037;

/** The record at `seq` of the namespace's dead-letter stream, or undefined when there is none. */
export async function readDeadLetter(
  jsm: JetStreamManager,
  ns: string,
  seq: number,
): Promise<DeadLetterRecord | undefined> {
  const msg = await jsm.streams.getMessage(streamName(ns, "DEAD_LETTERS"), { seq }).catch((err: unknown) => {
    if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === NO_MESSAGE_FOUND) return null;
    throw err;
  });
  return msg ? recordOf(jsm, ns, msg) : undefined;
}

/** The record a stored message of the dead-letter stream is, or undefined when it is none. */
export async function recordOf(
  jsm: JetStreamManager,
  ns: string,
  msg: StoredMsg,
): Promise<DeadLetterRecord | undefined> {
  if (msg.subject.startsWith("$JS.EVENT.ADVISORY.")) return fromAdvisory(jsm, msg);
  const prefix = `${ns}.deadletters.`;
  if (!msg.subject.startsWith(prefix)) return undefined;
  const h = msg.header;
  const env = readEnvelope(h);
  const subject = h.get("proximity-dlq-subject");
  return {
    view: {
      seq: msg.seq,
      consumer: msg.subject.slice(prefix.length),
      advisory: false,
      stream: h.get("proximity-dlq-stream"),
      streamSeq: Number(h.get("proximity-dlq-seq")) || 0,
      subject,
      eventId: env.id ?? "",
      eventType: env.type ?? "",
      deliveries: Number(h.get("proximity-dlq-deliveries")) || 0,
      recordedAt: msg.time,
    },
    reason: h.get("proximity-dlq-reason"),
    original: subject ? { subject, headers: h, data: msg.data } : undefined,
  };
}

async function fromAdvisory(jsm: JetStreamManager, msg: StoredMsg): Promise<DeadLetterRecord | undefined> {
  let a: { stream?: string; stream_seq?: number; deliveries?: number; consumer?: string };
  try {
    a = msg.json();
  } catch {
    return undefined;
  }
  if (!a.stream || !a.stream_seq) return undefined;
  const original = await jsm.streams.getMessage(a.stream, { seq: a.stream_seq }).catch(() => null);
  const env = readEnvelope(original?.header);
  return {
    view: {
      seq: msg.seq,
      consumer: a.consumer ?? "",
      advisory: true,
      stream: a.stream,
      streamSeq: a.stream_seq,
      subject: original?.subject ?? "",
      eventId: env.id ?? "",
      eventType: env.type ?? "",
      deliveries: a.deliveries ?? 0,
      recordedAt: msg.time,
    },
    reason: "",
    original: original
      ? { subject: original.subject, headers: original.header, data: original.data }
      : undefined,
  };
}
