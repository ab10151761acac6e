import { DiscardPolicy, type JetStreamManager, nanos, RetentionPolicy, StorageType } from "nats";

/** Logical streams; each service publishes into its own. */
export type StreamName = "APPLICATIONS" | "PROVISIONER" | "HOSTS" | "BACKUPS" | "DEAD_LETTERS";

/** The event streams (every stream but DEAD_LETTERS). */
export type EventStreamName = Exclude<StreamName, "DEAD_LETTERS">;

/**
 * The topic of each event stream (`<ns>.<topic>.>`), which is also the name of the one service
 * that publishes into it: the producer of every event of the stream.
 */
export const STREAM_PRODUCERS: Readonly<Record<EventStreamName, string>> = {
  APPLICATIONS: "applications",
  PROVISIONER: "provisioner",
  HOSTS: "hosts",
  BACKUPS: "backups",
};

/**
 * The service that reads DEAD_LETTERS (the provisioner serves ListDeadLetters, the operators' view
 * of it). Every consuming service publishes into it.
 */
export const DEAD_LETTERS_OWNER = "provisioner";

/** Prefix of the server's max-deliveries advisories (`<prefix>.<stream>.<consumer>`). */
export const MAX_DELIVERIES_ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES";

/** Size limits of a stream (review #20: a stream never grows without bound). */
export interface StreamLimits {
  /** Bytes a stream may hold (reserved on the server); beyond it the oldest messages go. */
  readonly maxBytes: number;
  /** Largest message a stream accepts, payload and headers. */
  readonly maxMessageBytes: number;
}

/** 1 GiB per stream, 1 MiB per event (the server's default max_payload). */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxBytes: 1024 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024,
};

/**
 * The size of a stream a consuming service creates because its owner has not yet (only when
 * services declare their streams themselves, BUS_DECLARE_STREAMS): the owner sizes it at its
 * start (JetStream reserves max_bytes, and reserving storage is the owner's decision). An event
 * stream stays empty until then (only its owner publishes); dead letters written before their
 * owner starts keep the newest.
 */
const PLACEHOLDER_LIMITS: StreamLimits = { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };

/**
 * Copies JetStream keeps of every stream and KV bucket the setup step declares (num_replicas): 1
 * on a single server (the default), 3 on a three-node cluster (Kubernetes production overlay),
 * at most 5 (JetStream's limit). Services never choose it: they only use what setup declared.
 */
export const DEFAULT_BUS_REPLICAS = 1;
export const MAX_BUS_REPLICAS = 5;

/** `replicas`, refused unless a whole number of copies JetStream can keep (1 … MAX_BUS_REPLICAS). */
export function checkBusReplicas(replicas: number): number {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_BUS_REPLICAS)
    throw new Error(`bus replicas must be a whole number from 1 to ${MAX_BUS_REPLICAS}, not ${replicas}`);
  return replicas;
}

/** Concrete stream name in a namespace: `proximity` + APPLICATIONS → `PROXIMITY_APPLICATIONS`. */
export function streamName(ns: string, stream: StreamName): string {
  return `${ns.toUpperCase()}_${stream}`;
}

/** Concrete subject in a namespace: `proximity` + `applications.v1.x` → `proximity.applications.v1.x`. */
export function subjectOf(ns: string, relativeSubject: string): string {
  return `${ns}.${relativeSubject}`;
}

/**
 * The one filter subject of a consumer (NATS 2.9 takes one) for events of `relativeSubjects`: the
 * event's own subject, or `prefix.>` over the longest dot-separated prefix they share (their topic).
 */
export function filterSubjectOf(ns: string, relativeSubjects: readonly string[]): string {
  if (relativeSubjects.length === 1) return subjectOf(ns, relativeSubjects[0]!);
  const parts = relativeSubjects.map((s) => s.split("."));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return subjectOf(ns, `${first.slice(0, n).join(".")}.>`);
}

/** Subject under which exhausted messages of consumer `durable` are kept. */
export function deadLetterSubject(ns: string, durable: string): string {
  return `${ns}.deadletters.${durable}`;
}

const DAY_NS = nanos(24 * 60 * 60 * 1000);
const STREAM_EXISTS_WITH_OTHER_CONFIG = 10058;
const STREAM_NOT_FOUND = 10059;

/**
 * `err` explained when it says that a stream does not exist (`what`: the stream or KV bucket):
 * setup has not declared it. Any other error is returned as is.
 */
export function explainMissingStream(err: unknown, what: string): unknown {
  if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== STREAM_NOT_FOUND) return err;
  return new Error(
    `${what} does not exist: the setup step declares it (declareBus: deploy/bus-init.ts, scripts/dev.sh), or BUS_DECLARE_STREAMS=true lets the service declare it on a server without authentication`,
    { cause: err },
  );
}

/**
 * The configuration of a stream, from code. Event streams keep 7 days, dead letters 30 days; a
 * full stream drops its oldest messages, like one past its age (refusing new ones instead would
 * stall the producer's outbox, operation results behind observations). Dead letters also capture
 * the server's max-deliveries advisories for consumers of this namespace (a process that died on
 * its last attempt).
 */
export function streamConfig(
  ns: string,
  stream: StreamName,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  replicas: number = DEFAULT_BUS_REPLICAS,
) {
  const common = {
    name: streamName(ns, stream),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(2 * 60 * 1000),
    num_replicas: checkBusReplicas(replicas),
    discard: DiscardPolicy.Old,
    max_bytes: limits.maxBytes,
  };
  if (stream === "DEAD_LETTERS")
    return {
      ...common,
      // One advisory subject per event stream: a `*` inside a token (`NS_*`) is no wildcard.
      subjects: [
        `${ns}.deadletters.>`,
        ...(Object.keys(STREAM_PRODUCERS) as EventStreamName[]).map(
          (s) => `${MAX_DELIVERIES_ADVISORY}.${streamName(ns, s)}.>`,
        ),
      ],
      max_age: 30 * DAY_NS,
      // A dead letter is the original message plus the proximity-dlq-* headers.
      max_msg_size: limits.maxMessageBytes + 16 * 1024,
    };
  return {
    ...common,
    subjects: [`${ns}.${STREAM_PRODUCERS[stream]}.>`],
    max_age: 7 * DAY_NS,
    max_msg_size: limits.maxMessageBytes,
  };
}

/** Who sizes a stream when services declare their own: its producer (DEAD_LETTERS: DEAD_LETTERS_OWNER). */
export function ownerOfStream(stream: StreamName): string {
  return stream === "DEAD_LETTERS" ? DEAD_LETTERS_OWNER : STREAM_PRODUCERS[stream];
}

/** Every stream of a namespace. */
export const ALL_STREAMS: readonly StreamName[] = [
  "APPLICATIONS",
  "PROVISIONER",
  "HOSTS",
  "BACKUPS",
  "DEAD_LETTERS",
];

/** The streams `service` sizes when it declares its own: those it owns. */
export function streamsOwnedBy(service: string): StreamName[] {
  return ALL_STREAMS.filter((s) => ownerOfStream(s) === service);
}

/**
 * Refuses a stream that copies messages elsewhere or takes them from elsewhere (republish,
 * sources, mirror): the code never configures that, and NATS cannot remove republishing by an
 * update, so the operator must delete the stream (after reading what it holds) and run setup again.
 */
export function assertNoCopies(config: {
  readonly name: string;
  readonly republish?: unknown;
  readonly sources?: readonly unknown[];
  readonly mirror?: unknown;
}): void {
  if (config.republish || config.mirror || (config.sources?.length ?? 0) > 0)
    throw new Error(
      `stream ${config.name} republishes, mirrors or sources messages, which the code never configures: delete it and run the setup step again`,
    );
}

/**
 * Declares one stream. `update`: create it, or bring an existing one with another configuration
 * back to the one in code (subjects, limits, replicas); one that copies messages elsewhere is refused
 * (assertNoCopies). Otherwise create it only if absent, at a placeholder size its owner replaces.
 * Setup declares every stream with `update` (declareBus); a service does so only on a server
 * without authentication, told to (connectBus `declareStreams`).
 */
export async function declareStream(
  jsm: JetStreamManager,
  ns: string,
  stream: StreamName,
  options: { readonly update: boolean; readonly limits?: StreamLimits; readonly replicas?: number },
): Promise<void> {
  const limits = options.update ? (options.limits ?? DEFAULT_STREAM_LIMITS) : PLACEHOLDER_LIMITS;
  const config = streamConfig(ns, stream, limits, options.replicas);
  try {
    await jsm.streams.add(config);
  } catch (err) {
    const code = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
    if (code !== STREAM_EXISTS_WITH_OTHER_CONFIG) throw err;
    if (!options.update) return;
    assertNoCopies((await jsm.streams.info(config.name)).config);
    await jsm.streams.update(config.name, config);
  }
}

/**
 * Declares every stream of the namespace, creating or updating each (an identical configuration
 * is accepted as is), each kept in `replicas` copies. For setup (declareBus) and tests holding
 * full rights on a server.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  ns: string,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  replicas: number = DEFAULT_BUS_REPLICAS,
): Promise<void> {
  for (const stream of ALL_STREAMS) await declareStream(jsm, ns, stream, { update: true, limits, replicas });
}
