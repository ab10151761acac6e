/**
 * Publishes a stored message again as it was: same subject, payload and envelope, so the
 * producer's signature still verifies (it covers subject, envelope and payload) and consumers'
 * idempotency by event and operation id still applies. Only the NATS message id is new (the
 * stream's duplicate window would drop the original one), and the dead-letter headers are left out.
 */
import type { ReceivedMessage } from "@proximity/bus";
import { type JetStreamClient, headers as natsHeaders, type PubAck } from "nats";

/** Header naming the dead letter a republished message came from (not signed; for people reading the stream). */
export const REPLAYED_FROM_HEADER = "proximity-replayed-from";

export async function republish(
  js: JetStreamClient,
  original: ReceivedMessage,
  msgId: string,
  replayedFrom: string,
): Promise<PubAck> {
  const h = natsHeaders();
  const source = original.headers;
  for (const key of source?.keys() ?? []) {
    if (/^nats-/i.test(key) || key.startsWith("proximity-dlq-")) continue;
    for (const value of source?.values(key) ?? []) h.append(key, value);
  }
  h.set(REPLAYED_FROM_HEADER, replayedFrom);
  return js.publish(original.subject, original.data, { headers: h, msgID: msgId });
}
