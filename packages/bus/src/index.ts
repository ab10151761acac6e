/**
 * The JetStream layer: streams declared in code, the event catalog, the transactional outbox and
 * its relay, idempotent inbox processing, and durable consumers with bounded redelivery.
 */
export { connectBus } from "./connect.js";
export type { Bus, ConnectBusOptions } from "./connect.js";
export { ensureStreams, streamName, subjectOf, deadLetterSubject } from "./streams.js";
export type { StreamName } from "./streams.js";
export { Events } from "./events.js";
export type { EventDefinition, EventName, EventPayload, MessageCodec } from "./events.js";
export { envelopeHeaders, readEnvelope, newTraceparent, traceIdOf } from "./envelope.js";
export type { EventEnvelope } from "./envelope.js";
export { createMessagingTables, dropMessagingTables } from "./tables.js";
export type { MessagingTables, OutboxTable, InboxTable } from "./tables.js";
export { addToOutbox } from "./outbox.js";
export type { OutboxEventMeta } from "./outbox.js";
export { createOutboxRelay } from "./outbox-relay.js";
export type { OutboxRelay, OutboxRelayOptions } from "./outbox-relay.js";
export { processOnce } from "./inbox.js";
export { createEventConsumer, subscribe, PermanentFailure } from "./consumer.js";
export type { EventConsumer, EventConsumerOptions, EventHandler, MessageContext, Subscription } from "./consumer.js";
export { retryDelayMs } from "./backoff.js";
