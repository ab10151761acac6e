import type { provisionerV1 } from "@proximity/proto";
import type { DeadLetterView } from "../app/dead-letter-record.js";

export function toProtoDeadLetter(v: DeadLetterView, replayedAt: Date | undefined): provisionerV1.DeadLetter {
  return {
    stream: v.stream,
    streamSeq: v.streamSeq,
    subject: v.subject,
    eventId: v.eventId,
    eventType: v.eventType,
    deliveries: v.deliveries,
    recordedAt: v.recordedAt,
    seq: v.seq,
    consumer: v.consumer,
    advisory: v.advisory,
    replayedAt,
  };
}
