import { randomUUID } from "node:crypto";
import { newTraceparent, type Tracer, traceparentOf } from "@proximity/telemetry";
import type { JetStreamClient } from "nats";
import { type EventDefinition, isSnapshotEvent, producerOf, type SnapshotEventDefinition } from "./events.js";
import { snapshotsPublished } from "./metrics.js";
import { outgoingEventOf, publishSigned } from "./publish-signed.js";
import type { EventSigner } from "./signature.js";

export interface SnapshotPublisherOptions {
  readonly js: JetStreamClient;
  readonly ns: string;
  /** Signs every event as this service, which must be the event's producer (as for the outbox relay). */
  readonly signer: EventSigner;
  /** The service's tracer: each publish is a producer span, as the relay's are. */
  readonly tracer?: Tracer;
}

/** What the caller knows about a snapshot besides its payload. */
export interface SnapshotMeta {
  /** The trace it continues when no span is active (with one, the active span's). */
  readonly traceparent?: string;
  /** CloudEvents subject, e.g. the host id. */
  readonly subject?: string;
  /** Explicit event id (default a new UUID); a publish retried with it is dropped as a duplicate. */
  readonly id?: string;
}

/** Publishes snapshot events straight to JetStream; see createSnapshotPublisher. */
export interface SnapshotPublisher {
  /**
   * Publishes `payload` as `event` and resolves with the event id once JetStream acknowledged it.
   * Rejects for an event not marked as a snapshot in the catalog or not this service's, and when
   * JetStream does not acknowledge (NATS down, timeout): the caller drops the observation, the
   * next one replaces it.
   */
  publish<T>(event: SnapshotEventDefinition<T>, payload: T, meta?: SnapshotMeta): Promise<string>;
}

/**
 * Publisher of snapshot events (EventDefinition.snapshot: observations that the next one replaces)
 * without the outbox. The outbox makes an event atomic with a state change, which an observation
 * does not make, and costs several PostgreSQL round trips per event (insert, claim, mark): at a
 * thousand hosts of two nodes every 15 s that is much of an observation's CPU. The message is the
 * relay's exactly (publishSigned: subject, signed envelope, traceparent, `Nats-Msg-Id` = event id,
 * producer span), so consumers verify and deduplicate it the same way. What is lost with it: the
 * outbox's retries and its order with the service's other events, which a snapshot does not need
 * (its consumers ignore an observation older than the latest, and conclude nothing from silence).
 * Every other event must go through the outbox: this publisher refuses it.
 * @example
 * const snapshots = createSnapshotPublisher({ js: bus.js, ns: bus.ns, signer: eventSigner(keys), tracer });
 * await snapshots.publish(Events.ContainersObserved, report, { subject: report.hostId, traceparent });
 */
export function createSnapshotPublisher(options: SnapshotPublisherOptions): SnapshotPublisher {
  const { js, ns, signer, tracer } = options;
  return {
    publish: async (event, payload, meta = {}) => {
      assertPublishable(event, signer.service);
      const id = meta.id ?? randomUUID();
      const labels = { service: signer.service, event: eventName(event) };
      try {
        const outgoing = outgoingEventOf(event, payload, {
          id,
          // As the outbox records it: the active span's, else the caller's, else a new trace.
          traceparent: traceparentOf() ?? (meta.traceparent || newTraceparent()),
          ceSubject: meta.subject,
        });
        await publishSigned(js, ns, signer, outgoing, { msgId: id, tracer });
      } catch (err) {
        snapshotsPublished.inc({ ...labels, result: "failed" });
        throw err;
      }
      snapshotsPublished.inc({ ...labels, result: "published" });
      return id;
    },
  };
}

/** Refuses what must go through the outbox, and another producer's event (its consumers would refuse it). */
function assertPublishable(event: EventDefinition<unknown>, service: string): void {
  if (!isSnapshotEvent(event))
    throw new Error(`${event.type} is not a snapshot event: publish it through the outbox (addToOutbox)`);
  const producer = producerOf(event);
  if (producer !== service)
    throw new Error(`${event.type} is published by ${producer}, not ${service}: consumers would refuse it`);
}

/** The message name of a catalog type (`proximity.events.v1.ContainersObserved` → `ContainersObserved`). */
function eventName(event: EventDefinition<unknown>): string {
  return event.type.slice(event.type.lastIndexOf(".") + 1);
}
