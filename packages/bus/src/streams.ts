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
 * The service that keeps DEAD_LETTERS up to date (the provisioner serves ListDeadLetters, the
 * operators' view of it). Every consuming service publishes into it and may create it if absent.
 */
export const DEAD_LETTERS_OWNER = "provisioner";

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
 * The size of a stream a consumer creates because its owner has not yet: the owner sizes it at
 * its start (JetStream reserves max_bytes, and reserving storage is the owner's decision). An
 * event stream stays empty until then (only its owner publishes); dead letters written before
 * their owner starts keep the newest.
 */
const PLACEHOLDER_LIMITS: StreamLimits = { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };

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

/**
 * The configuration of a stream, from code. Event streams keep 7 days, dead letters 30 days; a
 * full stream drops its oldest messages, like one past its age (refusing new ones instead would
 * stall the producer's outbox, operation results behind observations). Dead letters also capture
 * the server's max-deliveries advisories for consumers of this namespace (a process that died on
 * its last attempt).
 */
export function streamConfig(ns: string, stream: StreamName, limits: StreamLimits = DEFAULT_STREAM_LIMITS) {
  const common = {
    name: streamName(ns, stream),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(2 * 60 * 1000),
    num_replicas: 1,
    discard: DiscardPolicy.Old,
    max_bytes: limits.maxBytes,
  };
  if (stream === "DEAD_LETTERS")
    return {
      ...common,
      subjects: [`${ns}.deadletters.>`, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${ns.toUpperCase()}_*.>`],
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

/** Who may bring a stream's configuration up to date: its producer (DEAD_LETTERS: DEAD_LETTERS_OWNER). */
export function ownerOfStream(stream: StreamName): string {
  return stream === "DEAD_LETTERS" ? DEAD_LETTERS_OWNER : STREAM_PRODUCERS[stream];
}

/** The streams `service` brings up to date at connect: those it owns. */
export function streamsOwnedBy(service: string): StreamName[] {
  const all: StreamName[] = ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"];
  return all.filter((s) => ownerOfStream(s) === service);
}

/**
 * Declares one stream. `update` (its owner's right): create it, or bring an existing one with
 * another configuration up to date, with `limits`. Otherwise create it only if absent, at a
 * placeholder size its owner replaces: a consumer never changes its producer's stream.
 */
export async function declareStream(
  jsm: JetStreamManager,
  ns: string,
  stream: StreamName,
  options: { readonly update: boolean; readonly limits?: StreamLimits },
): Promise<void> {
  const limits = options.update ? (options.limits ?? DEFAULT_STREAM_LIMITS) : PLACEHOLDER_LIMITS;
  const config = streamConfig(ns, stream, limits);
  try {
    await jsm.streams.add(config);
  } catch (err) {
    const code = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
    if (code !== STREAM_EXISTS_WITH_OTHER_CONFIG) throw err;
    if (options.update) await jsm.streams.update(config.name, config);
  }
}

/**
 * Declares every stream of the namespace, creating or updating each (an identical configuration
 * is accepted as is). For tests and tooling holding full rights on a server; a service declares
 * only its own streams (connectBus) and creates the ones it consumes if absent (its consumers).
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  ns: string,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): Promise<void> {
  for (const stream of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
    await declareStream(jsm, ns, stream, { update: true, limits });
}
