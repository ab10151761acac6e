/**
 * The JetStream layer: streams declared in code, the event catalog and who consumes what, the
 * transactional outbox and its relay (signing every event as its producer), the direct publisher
 * of snapshot events (observations, which change no state to be atomic with), idempotent inbox
 * processing, durable consumers with bounded redelivery and per-process broadcast consumers (both
 * refusing any event that is not its producer's signed event), KV buckets, and the nats-server
 * configuration (per-service users and permissions) derived from the same definitions. Streams
 * and buckets are declared by the setup step as the bus admin (declareBus); services only use them.
 */

export { AbandonedDeliveryError, abandonedConsumerName } from "./abandoned-deliveries.js";
export { retryDelayMs } from "./backoff.js";
export type { BroadcastConsumerOptions } from "./broadcast-consumer.js";
export { createBroadcastConsumer } from "./broadcast-consumer.js";
export type { BusAdminKey, ConnectBusAdminOptions } from "./bus-admin.js";
export {
  BUS_ADMIN,
  BUS_ADMIN_SEED_FILE,
  connectBusAdmin,
  declareBus,
  readBusAdminSeed,
  writeBusAdminSeed,
} from "./bus-admin.js";
export type { Bus, ConnectBusOptions } from "./connect.js";
export { connectBus, inboxPrefixOf } from "./connect.js";
export type {
  EventConsumer,
  EventConsumerOptions,
  EventHandler,
  MessageContext,
  Subscription,
} from "./consumer.js";
export { createEventConsumer, DeliveryDeferred, PermanentFailure, subscribe } from "./consumer.js";
export type { EventEnvelope } from "./envelope.js";
export { envelopeHeaders, newTraceparent, readEnvelope, traceIdOf } from "./envelope.js";
export type { EventCheck, ReceivedMessage } from "./event-check.js";
export { checkEvent } from "./event-check.js";
export type {
  EventDefinition,
  EventName,
  EventPayload,
  MessageCodec,
  SnapshotEventDefinition,
} from "./events.js";
export {
  asVariant,
  Events,
  eventOfType,
  isSnapshotEvent,
  producerOf,
  subjectFor,
  subjectsOf,
} from "./events.js";
export { processOnce } from "./inbox.js";
export type { KvBucket, OpenKvBucketOptions } from "./kv.js";
export { declareKvBucket, kvStreamName, openKvBucket } from "./kv.js";
export type { LeaderWaitOptions } from "./leader-wait.js";
export { isNoResponders, isRequestTimeout, untilLeaderAnswers } from "./leader-wait.js";
export type { BusTopology, NatsPermissions } from "./nats-permissions.js";
export { natsPermissions, platformTopology } from "./nats-permissions.js";
export type { NatsServerConfigOptions } from "./nats-server-config.js";
export { natsServerConfig } from "./nats-server-config.js";
export type { OutboxEventMeta, OutboxInsert, OutboxInsertOptions, OutboxRecord } from "./outbox.js";
export { addToOutbox, outboxInsertStatement } from "./outbox.js";
export type { OutboxRelay, OutboxRelayOptions } from "./outbox-relay.js";
export { createOutboxRelay } from "./outbox-relay.js";
export type { RetireDurableOptions, RetiringDurable } from "./retired-durable.js";
export { retireDurable } from "./retired-durable.js";
export type { EventSigner, EventVerifier } from "./signature.js";
export { eventSigner, eventVerifier, SIGNATURE_HEADER } from "./signature.js";
export type { SnapshotMeta, SnapshotPublisher, SnapshotPublisherOptions } from "./snapshot-publisher.js";
export { createSnapshotPublisher } from "./snapshot-publisher.js";
export type { EventStreamName, StreamLimits, StreamName } from "./streams.js";
export {
  ALL_STREAMS,
  checkBusReplicas,
  DEAD_LETTERS_OWNER,
  DEFAULT_BUS_REPLICAS,
  DEFAULT_STREAM_LIMITS,
  deadLetterSubject,
  ensureStreams,
  MAX_BUS_REPLICAS,
  STREAM_PRODUCERS,
  streamName,
  subjectOf,
} from "./streams.js";
export type { InboxTable, MessagingTables, OutboxTable } from "./tables.js";
export { createMessagingTables, dropMessagingTables } from "./tables.js";
export type { ConsumerDefinition, KvBucketDefinition } from "./topology.js";
export {
  Broadcasts,
  consumerFilterSubject,
  Durables,
  defineConsumer,
  KvBuckets,
  kvBucketName,
  RetiredDurables,
} from "./topology.js";
