import { KvBuckets, kvBucketName } from "@proximity/bus";

/**
 * The JetStream key-value bucket holding the gateway's rate-limit counters, one per bus namespace.
 * Its name comes from the bus topology, which also derives the gateway's NATS permissions (only
 * the gateway may use it), so the two cannot drift.
 */
export const RATE_LIMIT_BUCKET_SUFFIX = KvBuckets.gatewayRateLimits.name;

/** `<ns>_ratelimit` */
export const rateLimitBucket = (ns: string) => kvBucketName(ns, KvBuckets.gatewayRateLimits);
