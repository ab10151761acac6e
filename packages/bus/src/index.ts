/**
 * The JetStream layer: streams declared in code, the event catalog, the transactional outbox and
 * its relay, idempotent inbox processing, durable consumers with bounded redelivery, and per-process
 * broadcast consumers (every replica gets every event).
 */

export { retryDelayMs } from "./backoff.js";
export type { BroadcastConsumerOptions } from "./broadcast-consumer.js";
export { createBroadcastConsumer } from "./broadcast-consumer.js";
export type { Bus, ConnectBusOptions } from "./connect.js";
export { connectBus } from "./connect.js";
export type {
  EventConsumer,
  EventConsumerOptions,
  EventHandler,
  MessageContext,
  Subscription,
} from "./consumer.js";
export { createEventConsumer, PermanentFailure, subscribe } from "./consumer.js";
export type { EventEnvelope } from "./envelope.js";
export { envelopeHeaders, newTraceparent, readEnvelope, traceIdOf } from "./envelope.js";
export type { EventDefinition, EventName, EventPayload, MessageCodec } from "./events.js";
export { Events } from "./events.js";
export { processOnce } from "./inbox.js";
export type { OutboxEventMeta } from "./outbox.js";
export { addToOutbox } from "./outbox.js";
export type { OutboxRelay, OutboxRelayOptions } from "./outbox-relay.js";
export { createOutboxRelay } from "./outbox-relay.js";
export type { StreamName } from "./streams.js";
export { deadLetterSubject, ensureStreams, streamName, subjectOf } from "./streams.js";
export type { InboxTable, MessagingTables, OutboxTable } from "./tables.js";
export { createMessagingTables, dropMessagingTables } from "./tables.js";
