/**
 * Test helpers (`@proximity/bus/internal`): publishing events as a producer would without an
 * outbox, for tests that stand in for another service.
 */
import { randomUUID } from "node:crypto";
import type { JetStreamClient, PubAck } from "nats";
import { newTraceparent } from "./envelope.js";
import type { EventDefinition } from "./events.js";
import { outgoingEventOf, publishSigned } from "./publish-signed.js";
import type { EventSigner } from "./signature.js";

export interface PublishSignedOptions {
  /** Event id (`ce-id`), default a new UUID. */
  readonly id?: string;
  /** Also sent as `Nats-Msg-Id` when true (the relay does; tests that want duplicates do not). */
  readonly withMsgId?: boolean;
  readonly traceparent?: string;
  readonly ceSubject?: string;
}

/**
 * Publishes `payload` as `event`, signed by `signer`, with the headers the outbox relay sends.
 * @example
 * await publishSignedEvent(js, ns, eventSigner(keys.get("provisioner")!), Events.HostChecked, report);
 */
export async function publishSignedEvent<T>(
  js: JetStreamClient,
  ns: string,
  signer: EventSigner,
  event: EventDefinition<T>,
  payload: T,
  options: PublishSignedOptions = {},
): Promise<PubAck> {
  const id = options.id ?? randomUUID();
  const outgoing = outgoingEventOf(event, payload, {
    id,
    traceparent: options.traceparent ?? newTraceparent(),
    ceSubject: options.ceSubject,
  });
  return publishSigned(js, ns, signer, outgoing, options.withMsgId ? { msgId: id } : {});
}
