/**
 * The platform's KV buckets: declared by the setup step from their definition in code
 * (declareKvBucket, as the bus admin), opened by their owning service without any right to
 * create or change them (openKvBucket). Only a service on a server without authentication,
 * told to declare its streams (BUS_DECLARE_STREAMS), creates its own bucket if absent.
 */
import { type JetStreamClient, type JetStreamManager, type KV, nanos, StorageType } from "nats";
import { assertNoCopies, checkBusReplicas, DEFAULT_BUS_REPLICAS, explainMissingStream } from "./streams.js";
import { type KvBucketDefinition, kvBucketName } from "./topology.js";

/** An opened bucket and how long its entries live (its max_age, as the server holds it). */
export interface KvBucket {
  readonly kv: KV;
  readonly ttlMs: number;
}

export interface OpenKvBucketOptions {
  /**
   * Create the bucket if absent (never change an existing one): only on a server without
   * authentication (tests, a development server). Otherwise bind to the bucket setup declared.
   */
  readonly declare: boolean;
  /** The entries' life when this call creates the bucket; default the definition's. */
  readonly ttlMs?: number;
}

/** The stream behind bucket `bucket` of namespace `ns`. */
export function kvStreamName(ns: string, bucket: KvBucketDefinition): string {
  return `KV_${kvBucketName(ns, bucket)}`;
}

/** nats.js's options for the bucket as code defines it. */
function kvOptions(bucket: KvBucketDefinition, ttlMs: number, replicas = DEFAULT_BUS_REPLICAS) {
  return {
    history: 1,
    replicas: checkBusReplicas(replicas),
    ttl: ttlMs,
    storage: bucket.storage === "memory" ? StorageType.Memory : StorageType.File,
    ...(bucket.maxBytes ? { max_bytes: bucket.maxBytes } : {}),
    ...(bucket.maxValueSize ? { maxValueSize: bucket.maxValueSize } : {}),
    // Reads are direct gets: the owner needs DIRECT.GET on its bucket, never STREAM.MSG.GET.
    allow_direct: true,
  };
}

/**
 * Opens the bucket `bucket` for its owning service. Binding reads the bucket's stream info once
 * (its owner's only stream right on it) and fails at once, saying why, when setup has not
 * declared it or declared it without direct gets.
 * @example
 * const { kv, ttlMs } = await openKvBucket(bus.js, bus.ns, KvBuckets.vmidLeases, { declare: false });
 */
export async function openKvBucket(
  js: JetStreamClient,
  ns: string,
  bucket: KvBucketDefinition,
  options: OpenKvBucketOptions,
): Promise<KvBucket> {
  const name = kvBucketName(ns, bucket);
  const kv = options.declare
    ? await js.views.kv(name, kvOptions(bucket, options.ttlMs ?? bucket.ttlMs))
    : await js.views.kv(name, { bindOnly: true, allow_direct: true });
  const status = await kv.status().catch((err: unknown) => {
    throw explainMissingStream(err, `KV bucket ${name}`);
  });
  if (!status.streamInfo.config.allow_direct)
    throw new Error(`KV bucket ${name} was declared without direct gets: run the setup step again`);
  return { kv, ttlMs: status.ttl };
}

/**
 * Declares bucket `bucket` as code defines it (setup, with the bus admin's rights): creates it,
 * or brings an existing one back to its definition (TTL, sizes, subjects) kept in `replicas`
 * copies (the number of every stream, declareBus). A bucket that copies
 * its entries elsewhere (assertNoCopies), or whose storage type changed, cannot be fixed by an
 * update: it is refused with what to do.
 */
export async function declareKvBucket(
  js: JetStreamClient,
  jsm: JetStreamManager,
  ns: string,
  bucket: KvBucketDefinition,
  replicas: number = DEFAULT_BUS_REPLICAS,
): Promise<void> {
  const name = kvBucketName(ns, bucket);
  await js.views.kv(name, kvOptions(bucket, bucket.ttlMs, replicas)); // creates it when absent
  const stream = kvStreamName(ns, bucket);
  const { config } = await jsm.streams.info(stream);
  assertNoCopies(config);
  const storage = bucket.storage === "memory" ? StorageType.Memory : StorageType.File;
  if (config.storage !== storage)
    throw new Error(
      `KV bucket ${name} is stored in ${config.storage}, its definition says ${storage}: delete it (${stream}) and run the setup step again`,
    );
  const wanted = {
    subjects: [`$KV.${name}.>`],
    max_age: nanos(bucket.ttlMs),
    max_bytes: bucket.maxBytes ?? -1,
    max_msg_size: bucket.maxValueSize ?? -1,
    max_msgs_per_subject: 1,
    allow_direct: true,
    num_replicas: replicas,
  };
  const differs = Object.entries(wanted).some(
    ([key, value]) => JSON.stringify(config[key as keyof typeof config]) !== JSON.stringify(value),
  );
  if (differs) await jsm.streams.update(stream, wanted);
}
