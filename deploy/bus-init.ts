/**
 * Compose's bus-init step (one-shot, as `node`, once NATS listens, before any service starts):
 * declares every stream and KV bucket of the namespace from their definitions in code
 * (declareBus: stream limits, KvBuckets), as the bus admin whose seed init wrote into
 * BUS_ADMIN_DIR. Services have no right to create or change a stream or bucket; they only use
 * these. Idempotent: a re-run brings every stream and bucket back to the code's configuration.
 * Environment: NATS_URL, BUS_NAMESPACE, BUS_ADMIN_DIR, BUS_STREAM_MAX_BYTES and
 * BUS_MAX_MESSAGE_BYTES (limits of each stream, default 1 GiB and 1 MiB), BUS_REPLICAS (copies
 * of every stream and KV bucket: 1, the default, on one server; 3 on a three-node JetStream
 * cluster; at most 5), BUS_INIT_WAIT_MS (how long NATS may take to accept connections, default 60 s).
 */
import {
  connectBusAdmin,
  DEFAULT_BUS_REPLICAS,
  DEFAULT_STREAM_LIMITS,
  declareBus,
  MAX_BUS_REPLICAS,
  readBusAdminSeed,
} from "../packages/bus/src/index.js";
import { createLogger } from "../packages/logger/src/index.js";

const logger = createLogger({ service: "bus-init", level: process.env.LOG_LEVEL ?? "info" });

function fail(problem: string): never {
  process.stderr.write(`Invalid configuration:\n  - ${problem}\n`);
  process.exit(78);
}

function setting(name: string, fallback?: string): string {
  return process.env[name] || fallback || fail(`${name}: required but not set`);
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(setting(name, String(fallback)));
  return Number.isInteger(value) && value > 0 ? value : fail(`${name}: not a positive integer`);
}

const ns = setting("BUS_NAMESPACE", "proximity");
const servers = setting("NATS_URL", "nats://nats:4222");
const limits = {
  maxBytes: positiveInteger("BUS_STREAM_MAX_BYTES", DEFAULT_STREAM_LIMITS.maxBytes),
  maxMessageBytes: positiveInteger("BUS_MAX_MESSAGE_BYTES", DEFAULT_STREAM_LIMITS.maxMessageBytes),
};
const replicas = positiveInteger("BUS_REPLICAS", DEFAULT_BUS_REPLICAS);
if (replicas > MAX_BUS_REPLICAS) fail(`BUS_REPLICAS: at most ${MAX_BUS_REPLICAS} (JetStream's limit)`);
const { seed } = readBusAdminSeed(setting("BUS_ADMIN_DIR"));

const nc = await connectBusAdmin({ servers, seed, waitMs: positiveInteger("BUS_INIT_WAIT_MS", 60_000) });
try {
  await declareBus(nc, ns, { limits, replicas });
} finally {
  await nc.close();
}
logger.info({ ns, limits, replicas }, "streams and KV buckets declared");
