import { DiscardPolicy, type JetStreamManager, nanos, RetentionPolicy, StorageType } from "nats";

/** Logical streams; each service publishes into its own. */
export type StreamName = "APPLICATIONS" | "PROVISIONER" | "HOSTS" | "BACKUPS" | "DEAD_LETTERS";

const STREAM_TOPICS: Record<Exclude<StreamName, "DEAD_LETTERS">, string> = {
  APPLICATIONS: "applications",
  PROVISIONER: "provisioner",
  HOSTS: "hosts",
  BACKUPS: "backups",
};

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

/**
 * Declares every stream of the namespace; idempotent (an identical config is accepted as is, a
 * changed one is updated). Event streams keep 7 days; dead letters 30 days and also capture the
 * server's max-deliveries advisories for consumers of this namespace (a consumer process that
 * died on its last attempt leaves a trace there too).
 */
export async function ensureStreams(jsm: JetStreamManager, ns: string): Promise<void> {
  const configs = [
    ...Object.entries(STREAM_TOPICS).map(([stream, topic]) => ({
      name: streamName(ns, stream as StreamName),
      subjects: [`${ns}.${topic}.>`],
      max_age: 7 * DAY_NS,
    })),
    {
      name: streamName(ns, "DEAD_LETTERS"),
      subjects: [`${ns}.deadletters.>`, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${ns.toUpperCase()}_*.>`],
      max_age: 30 * DAY_NS,
    },
  ];
  for (const cfg of configs) {
    const full = {
      ...cfg,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(2 * 60 * 1000),
      num_replicas: 1,
    };
    try {
      await jsm.streams.add(full);
    } catch (err) {
      // 10058: exists with a different configuration → bring it up to date.
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== 10058) throw err;
      await jsm.streams.update(cfg.name, full);
    }
  }
}
