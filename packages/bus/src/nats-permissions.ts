/**
 * Each service's NATS permissions, derived from the code's own definitions: the event catalog (a
 * stream's topic names its producer), the consumer catalogs (Durables, Broadcasts) and the KV
 * buckets. A service may publish its own events only, create and use its own consumers only (by
 * exact name and filter), read replies under its own inbox prefix only, and use no KV bucket but
 * its own, through its keys and direct gets. It administers nothing: no stream or bucket is
 * created, changed, purged or deleted by a service (NATS permissions name API subjects, not stream
 * configurations, so a right to update one's own stream would be a right to point it at anyone's
 * traffic). The setup step declares them all as the bus admin (BUS_ADMIN, declareBus).
 * Everything not listed is refused by the server.
 */
import { abandonedAdvisorySubject, abandonedConsumerName } from "./abandoned-deliveries.js";
import { BUS_ADMIN } from "./bus-admin.js";
import { inboxPrefixOf } from "./connect.js";
import { subjectsOf } from "./events.js";
import {
  ALL_STREAMS,
  DEAD_LETTERS_OWNER,
  deadLetterSubject,
  type EventStreamName,
  STREAM_PRODUCERS,
  type StreamName,
  streamName,
  subjectOf,
} from "./streams.js";
import {
  Broadcasts,
  type ConsumerDefinition,
  consumerFilterSubject,
  Durables,
  type KvBucketDefinition,
  KvBuckets,
  kvBucketName,
  RetiredDurables,
} from "./topology.js";

/** What one NATS user may publish and subscribe to (allow lists; the rest is denied). */
export interface NatsPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/** The platform's consumers and buckets, as the permissions see them. */
export interface BusTopology {
  readonly durables: readonly ConsumerDefinition[];
  /** Durables a release replaced: drained and deleted by their service (retireDurable). */
  readonly retiredDurables?: readonly ConsumerDefinition[];
  readonly broadcasts: readonly ConsumerDefinition[];
  readonly kvBuckets: readonly KvBucketDefinition[];
}

/** The platform's own topology (the catalogs in topology.ts). */
export const platformTopology: BusTopology = {
  durables: Object.values(Durables),
  retiredDurables: Object.values(RetiredDurables),
  broadcasts: Object.values(Broadcasts),
  kvBuckets: Object.values(KvBuckets),
};

const API = "$JS.API";

/** The services that use the bus: producers, consumers and bucket owners. */
function busServices(topology: BusTopology): string[] {
  return [
    ...new Set([
      ...Object.values(STREAM_PRODUCERS),
      DEAD_LETTERS_OWNER,
      ...topology.durables.map((d) => d.service),
      ...topology.broadcasts.map((b) => b.service),
      ...topology.kvBuckets.map((k) => k.service),
    ]),
  ].sort();
}

/**
 * Per service (those that use the bus), its publish and subscribe allow lists in namespace `ns`.
 * @example
 * natsPermissions("proximity").get("hosts")?.publish // ["$JS.API.INFO", "proximity.hosts.>", …]
 */
export function natsPermissions(
  ns: string,
  topology: BusTopology = platformTopology,
): ReadonlyMap<string, NatsPermissions> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(ns)) throw new Error(`not a bus namespace: ${ns}`);
  const out = new Map<string, NatsPermissions>();
  for (const service of busServices(topology)) {
    if (service === BUS_ADMIN) throw new Error(`${BUS_ADMIN} is the setup's identity, not a service's`);
    const publish = new Set<string>([`${API}.INFO`]);
    const subscribe = new Set<string>([`${inboxPrefixOf(service)}.>`]);
    const stream = (s: StreamName) => streamName(ns, s);

    // Its own events (through its outbox relay, and the snapshot publisher for the snapshot events:
    // same subjects), and its stream's state (connectBus checks it exists).
    const produced = (Object.entries(STREAM_PRODUCERS) as [EventStreamName, string][]).find(
      ([, producer]) => producer === service,
    );
    if (produced) {
      publish.add(`${ns}.${service}.>`);
      publish.add(`${API}.STREAM.INFO.${stream(produced[0])}`);
    }

    const retired = new Set(topology.retiredDurables ?? []);
    for (const d of [...topology.durables, ...retired].filter((c) => c.service === service)) {
      const s = stream(d.stream);
      if (retired.has(d)) {
        // Drained as it is (never created again) up to where its stream was when that began,
        // then deleted (retireDurable).
        publish.add(`${API}.STREAM.INFO.${s}`);
        publish.add(`${API}.CONSUMER.DELETE.${s}.${d.name}`);
      } else {
        // The filter is part of the subject (NATS ≥ 2.9), so the durable is created with its own.
        publish.add(`${API}.CONSUMER.CREATE.${s}.${d.name}.${consumerFilterSubject(ns, d)}`);
      }
      publish.add(`${API}.CONSUMER.INFO.${s}.${d.name}`);
      publish.add(`${API}.CONSUMER.MSG.NEXT.${s}.${d.name}`);
      publish.add(`$JS.ACK.${s}.${d.name}.>`); // ack, nak, term, in progress
      publish.add(deadLetterSubject(ns, d.name));
      if (d.recoversAbandoned) {
        // Its max-deliveries advisories (abandoned-deliveries.ts), read by a durable of its own on
        // DEAD_LETTERS, and the original messages they name, read back from its stream by sequence.
        const dl = stream("DEAD_LETTERS");
        const name = abandonedConsumerName(d);
        publish.add(`${API}.CONSUMER.CREATE.${dl}.${name}.${abandonedAdvisorySubject(ns, d)}`);
        publish.add(`${API}.CONSUMER.INFO.${dl}.${name}`);
        publish.add(`${API}.CONSUMER.MSG.NEXT.${dl}.${name}`);
        publish.add(`$JS.ACK.${dl}.${name}.>`);
        publish.add(`${API}.STREAM.MSG.GET.${s}`);
      }
    }

    for (const b of topology.broadcasts.filter((c) => c.service === service)) {
      const s = stream(b.stream);
      publish.add(`${API}.STREAM.INFO.${s}`);
      publish.add(`${API}.STREAM.MSG.GET.${s}`); // reads the stream by sequence
      publish.add(deadLetterSubject(ns, b.name));
      subscribe.add(consumerFilterSubject(ns, b)); // wake-ups only
    }

    if (service === DEAD_LETTERS_OWNER) {
      // ListDeadLetters: the dead letters, and the original message a max-deliveries advisory
      // names only by stream and sequence (for its event id and type).
      publish.add(`${API}.STREAM.INFO.${stream("DEAD_LETTERS")}`);
      for (const s of ALL_STREAMS) publish.add(`${API}.STREAM.MSG.GET.${stream(s)}`);
      // ReplayDeadLetter: the original request, republished unchanged (its producer's signature
      // intact, so nothing can be forged with it) to the subjects of the owner's own consumers only.
      for (const d of topology.durables.filter((c) => c.service === service)) {
        for (const e of d.events) for (const s of subjectsOf(e)) publish.add(subjectOf(ns, s));
      }
    }

    for (const k of topology.kvBuckets.filter((b) => b.service === service)) {
      const bucket = kvBucketName(ns, k);
      const s = `KV_${bucket}`;
      publish.add(`$KV.${bucket}.>`); // put, create, update, delete: a publish to the key
      publish.add(`${API}.STREAM.INFO.${s}`); // openKvBucket: it exists, its TTL
      publish.add(`${API}.DIRECT.GET.${s}`); // get (direct gets; never STREAM.MSG.GET)
      publish.add(`${API}.DIRECT.GET.${s}.>`);
    }

    out.set(service, { publish: [...publish], subscribe: [...subscribe] });
  }
  return out;
}
