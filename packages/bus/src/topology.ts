/**
 * Who consumes what: every durable consumer, broadcast consumer and KV bucket of the platform,
 * defined once. The services build their consumers from these definitions and the NATS server
 * configuration derives each service's permissions from them (natsPermissions), so the two
 * cannot drift apart. Who produces what is the event catalog (an event's stream names its producer).
 */
import { asVariant, type EventDefinition, Events, subjectsOf } from "./events.js";
import { type EventStreamName, filterSubjectOf } from "./streams.js";

/** A consumer of some events of one stream, owned by one service. */
export interface ConsumerDefinition {
  /**
   * Durable name (and `consumer` key of its inbox rows); for a broadcast consumer, the prefix of
   * its log context and its dead-letter subject.
   */
  readonly name: string;
  /** The consuming service (its NATS user may use this consumer, no other may). */
  readonly service: string;
  readonly stream: EventStreamName;
  // biome-ignore lint/suspicious/noExplicitAny: events of different payload types
  readonly events: readonly EventDefinition<any>[];
  /**
   * The failure hooks also run for messages whose every delivery was interrupted (processes killed
   * during each): see abandoned-deliveries.ts. Its own durable on DEAD_LETTERS reads the advisories.
   */
  readonly recoversAbandoned?: boolean;
}

/**
 * A consumer definition: `events` (at least one) must all be on one stream. Use the catalogs below
 * for the platform's consumers; tests and examples define their own.
 */
export function defineConsumer(
  service: string,
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: events of different payload types
  events: readonly EventDefinition<any>[],
  options: { readonly recoversAbandoned?: boolean } = {},
): ConsumerDefinition {
  const stream = events[0]?.stream;
  if (!stream) throw new Error(`consumer ${name}: no events`);
  if (events.some((e) => e.stream !== stream)) throw new Error(`consumer ${name}: events of several streams`);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(name)) throw new Error(`consumer ${name}: not a valid consumer name`);
  return options.recoversAbandoned
    ? { name, service, stream, events, recoversAbandoned: true }
    : { name, service, stream, events };
}

/** The one filter subject of a consumer in namespace `ns`. */
export function consumerFilterSubject(ns: string, consumer: ConsumerDefinition): string {
  return filterSubjectOf(ns, consumer.events.flatMap(subjectsOf));
}

/** The durable consumers of the platform (createEventConsumer). */
export const Durables = {
  /** Operation results, in publication order per operation. */
  applicationsProvisionerEvents: defineConsumer("applications", "applications-provisioner-events", [
    Events.OperationProgressed,
    Events.OperationsProgressed,
    Events.OperationSucceeded,
    Events.OperationFailed,
  ]),
  /** Container observations, apart so they never delay operation results. */
  applicationsObservations: defineConsumer("applications", "applications-observations", [
    Events.ContainersObserved,
  ]),
  /** Owners, deletions, restored apps, failed archive operations. */
  backupsAppEvents: defineConsumer("backups", "backups-app-events", [
    Events.AppDeployed,
    Events.AppCloned,
    Events.AppAdopted,
    Events.AppRestored,
    Events.AppDeleted,
    Events.AppOperationFailed,
  ]),
  /**
   * Results of backups, restores and archive deletions, on their `archive` subjects: the results
   * of the other operations and every progress event never reach the backups service.
   */
  backupsArchiveResults: defineConsumer("backups", "backups-archive-results", [
    asVariant(Events.OperationSucceeded, "archive"),
    asVariant(Events.OperationFailed, "archive"),
  ]),
  /** Storage listings, apart so they never delay results. */
  backupsStorageObservations: defineConsumer("backups", "backups-storage-observations", [
    Events.BackupsObserved,
  ]),
  /** Host check results. */
  hostsHostChecks: defineConsumer("hosts", "hosts-host-checks", [Events.HostChecked]),
  /** Deploy requests. */
  provisionerDeploy: defineConsumer("provisioner", "provisioner-deploy", [Events.AppDeployRequested], {
    recoversAbandoned: true,
  }),
  /** The other life-cycle requests (their own concurrency: a burst of deploys never delays a stop). */
  provisionerLifecycle: defineConsumer(
    "provisioner",
    "provisioner-lifecycle",
    [
      Events.AppActionRequested,
      Events.AppDeleteRequested,
      Events.AppCloneRequested,
      Events.AppAdoptRequested,
    ],
    { recoversAbandoned: true },
  ),
  /** Backups, restores and archive deletions (hours long: never in front of life-cycle requests). */
  provisionerArchives: defineConsumer(
    "provisioner",
    "provisioner-archives",
    [Events.BackupRequested, Events.RestoreRequested, Events.BackupDeleteRequested],
    { recoversAbandoned: true },
  ),
  /** Host check requests. */
  provisionerHostChecks: defineConsumer("provisioner", "provisioner-host-checks", [
    Events.HostCheckRequested,
  ]),
} as const;

/**
 * Durables a release replaced, kept until no server holds them: their service drains what an older
 * producer left in them and deletes them (retireDurable). Their permissions are the same as a
 * durable's, plus deleting it.
 */
export const RetiredDurables = {
  /**
   * Every operation result, and with them the progress events (its filter is
   * `provisioner.v1.operation.>`), of which the backups service used only the archive operations'
   * results; replaced by backupsArchiveResults.
   */
  backupsOperationResults: defineConsumer("backups", "backups-operation-results", [
    Events.OperationSucceeded,
    Events.OperationFailed,
  ]),
} as const;

/** The broadcast consumers of the platform (createBroadcastConsumer: every replica gets every event). */
export const Broadcasts = {
  /** Each applications replica reloads its catalog when any replica's ReloadCatalog succeeded. */
  applicationsCatalogReload: defineConsumer("applications", "applications-catalog-reload", [
    Events.CatalogReloadRequested,
  ]),
  /** Each provisioner replica reads a host's record again when the hosts service changed it. */
  provisionerHostConnections: defineConsumer("provisioner", "provisioner-host-connections", [
    Events.HostConnectionChanged,
  ]),
} as const;

/**
 * A JetStream KV bucket that only its owning service may use. The setup step declares it with
 * this configuration (declareBus); the service only binds to it (openKvBucket), unless it runs
 * on a server without authentication and is told to declare its streams itself.
 */
export interface KvBucketDefinition {
  readonly service: string;
  /** Name below the namespace: the bucket is `<ns>_<name>`. */
  readonly name: string;
  /** How long an entry lives (the bucket's max_age); the service checks it suits its use. */
  readonly ttlMs: number;
  /** Where entries live: `file` (kept across a server restart) or `memory`. */
  readonly storage: "file" | "memory";
  /** Bytes the bucket may hold (reserved on the server up front); unlimited when absent. */
  readonly maxBytes?: number;
  /** Largest entry, headers included; unlimited when absent. */
  readonly maxValueSize?: number;
}

/** The KV buckets of the platform. */
export const KvBuckets = {
  /**
   * VMID leases `<hostId>.<vmid>` (create-if-absent, TTL, fencing revision). The TTL is the life
   * of a lease the provisioner does not renew (it renews every third of it).
   */
  vmidLeases: { service: "provisioner", name: "vmid_leases", ttlMs: 60_000, storage: "file" },
  /**
   * Which replica observes a host in an interval (`<hostId>.<slot>`). The TTL only collects old
   * slots; it must outlast an observation interval (the provisioner refuses a longer interval).
   */
  observationSlots: {
    service: "provisioner",
    name: "observation_slots",
    ttlMs: 2 * 60 * 60_000,
    storage: "file",
  },
  /**
   * Who works on a node (`n.<hostId>.<node>`) and on a host (`h.<hostId>`) now, across every
   * provisioner replica: one key each holding its holders and their expiries (compare-and-set).
   * Holders expire by their own expiry; the TTL only collects keys of idle nodes, and must
   * outlast a renewal period (the provisioner refuses a slot TTL longer than it).
   */
  nodeSlots: { service: "provisioner", name: "node_slots", ttlMs: 10 * 60_000, storage: "file" },
  /**
   * The gateway's rate-limit counters, shared by its replicas (its only use of NATS): a minute each
   * (the longest window), small entries. On file although they are worth nothing after their
   * window: a memory stream is gone after a NATS restart, and the gateway may not create it again.
   */
  gatewayRateLimits: {
    service: "api-gateway",
    name: "ratelimit",
    ttlMs: 60_000,
    storage: "file",
    maxBytes: 64 * 1024 * 1024,
    maxValueSize: 256,
  },
} as const satisfies Record<string, KvBucketDefinition>;

/** The bucket name in namespace `ns`. */
export function kvBucketName(ns: string, bucket: KvBucketDefinition): string {
  return `${ns}_${bucket.name}`;
}
