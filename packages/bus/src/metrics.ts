import { counter, gaugeFromSources, histogram } from "@proximity/metrics";

// Labels are the logical stream (APPLICATIONS, not the namespaced name) and the durable's name:
// both fixed in code (topology.ts), so their number is bounded.
const BY_CONSUMER = ["stream", "consumer"] as const;

export const busDeliveries = counter({
  name: "proximity_bus_deliveries_total",
  help: "Messages delivered to a durable consumer (first deliveries and redeliveries)",
  labelNames: BY_CONSUMER,
});

export const busRedeliveries = counter({
  name: "proximity_bus_redeliveries_total",
  help: "Messages delivered again after a failed, deferred or timed-out attempt",
  labelNames: BY_CONSUMER,
});

export const busAcks = counter({
  name: "proximity_bus_acks_total",
  help: "Messages acknowledged (handled, or not this consumer's to handle)",
  labelNames: BY_CONSUMER,
});

export const busNaks = counter({
  name: "proximity_bus_naks_total",
  help: "Messages given back for redelivery (failed, deferred), by reason",
  labelNames: [...BY_CONSUMER, "reason"],
});

export const busDeadLetters = counter({
  name: "proximity_bus_dead_letters_total",
  help: "Messages dead-lettered, by reason: refused (not its producer's signed event), undecodable, exhausted, abandoned (every delivery died; a max-deliveries advisory)",
  labelNames: [...BY_CONSUMER, "reason"],
});

export const busHandlingSeconds = histogram({
  name: "proximity_bus_handling_seconds",
  help: "Time a handler took for one delivery, by outcome (ack, nak, dead_letter)",
  labelNames: [...BY_CONSUMER, "outcome"],
});

/** Messages of the consumer's filter not yet delivered, read from the server at scrape time. */
export const busConsumerPending = gaugeFromSources({
  name: "proximity_bus_consumer_pending",
  help: "Messages waiting for a durable consumer (not yet delivered), read from JetStream on scrape",
  labelNames: BY_CONSUMER,
});

/** Messages delivered and not yet acknowledged, read from the server at scrape time. */
export const busConsumerAckPending = gaugeFromSources({
  name: "proximity_bus_consumer_ack_pending",
  help: "Messages delivered to a durable consumer and not yet acknowledged, read from JetStream on scrape",
  labelNames: BY_CONSUMER,
});

const BY_SERVICE = ["service"] as const;

export const outboxPublished = counter({
  name: "proximity_outbox_published_total",
  help: "Outbox rows published to JetStream by the relay, by producing service",
  labelNames: BY_SERVICE,
});

/** From the business transaction's commit (the row's created_at) to the stream's PubAck. */
export const outboxRelayLag = histogram({
  name: "proximity_outbox_relay_lag_seconds",
  help: "Time from an outbox row's creation to its publication, by producing service",
  labelNames: BY_SERVICE,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});

export const outboxBacklog = gaugeFromSources({
  name: "proximity_outbox_backlog",
  help: "Outbox rows not yet published, counted on scrape",
  labelNames: BY_SERVICE,
});

/** Age of the oldest unpublished row: grows when the relay is stuck, even with no publication. */
export const outboxOldestPendingSeconds = gaugeFromSources({
  name: "proximity_outbox_oldest_pending_seconds",
  help: "Age of the oldest unpublished outbox row (0 when none), measured on scrape",
  labelNames: BY_SERVICE,
});

/** Snapshot events published straight to JetStream (no outbox), by producer, event and result. */
export const snapshotsPublished = counter({
  name: "proximity_bus_snapshots_published_total",
  help: "Snapshot events (observations) published without the outbox, by producing service, event and result (published, failed)",
  labelNames: ["service", "event", "result"],
});
