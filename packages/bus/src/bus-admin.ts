/**
 * The bus admin: the NATS identity of the setup step (compose's bus-init, the dev runner, tests
 * on a server with authentication), the only one allowed the whole JetStream API. Setup declares
 * every stream and KV bucket of the namespace with it, from their definitions in code
 * (declareBus); services then only use them. Its nkey seed is generated once by setup and kept
 * with the setup's material, never in a service's bundle.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateNatsUser, natsKeyPairFromSeed } from "@proximity/identity";
import { connect, type NatsConnection, nkeyAuthenticator } from "nats";
import { inboxPrefixOf } from "./connect.js";
import { declareKvBucket } from "./kv.js";
import {
  checkBusReplicas,
  DEFAULT_BUS_REPLICAS,
  DEFAULT_STREAM_LIMITS,
  ensureStreams,
  type StreamLimits,
} from "./streams.js";
import { KvBuckets } from "./topology.js";

/** The admin's name: its connection name and inbox prefix (`_INBOX_bus-admin`); never a service's. */
export const BUS_ADMIN = "bus-admin";

/** The file holding the admin's nkey seed, in the setup's directory for it. */
export const BUS_ADMIN_SEED_FILE = "bus-admin.seed";

/** The admin's NATS user: the JetStream API, replies under its own inbox; nothing else. */
export const busAdminPermissions = {
  publish: ["$JS.API.>"],
  subscribe: [`${inboxPrefixOf(BUS_ADMIN)}.>`],
} as const;

/** The admin's nkey pair: the seed (secret) and its public key (the server's configuration). */
export interface BusAdminKey {
  readonly seed: string;
  readonly publicKey: string;
}

/**
 * Writes the admin's seed into `dir` (mode 0400, handed to `owner` when given) unless it is
 * already there, and returns it with its public key. Idempotent: a re-run of setup keeps it.
 * @example
 * const admin = writeBusAdminSeed(".dev/nats"); // natsServerConfig({ …, admin: admin.publicKey })
 */
export function writeBusAdminSeed(
  dir: string,
  options: { owner?: { uid: number; gid: number } } = {},
): BusAdminKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, BUS_ADMIN_SEED_FILE);
  if (!existsSync(file)) writeFileSync(file, `${generateNatsUser().seed}\n`, { mode: 0o400 });
  chmodSync(file, 0o400);
  if (options.owner) {
    chownSync(dir, options.owner.uid, options.owner.gid);
    chownSync(file, options.owner.uid, options.owner.gid);
  }
  return readBusAdminSeed(dir);
}

/** The admin's seed kept in `dir` by writeBusAdminSeed. */
export function readBusAdminSeed(dir: string): BusAdminKey {
  const seed = readFileSync(join(dir, BUS_ADMIN_SEED_FILE), "utf8").trim();
  return { seed, publicKey: natsKeyPairFromSeed(new TextEncoder().encode(seed)).getPublicKey() };
}

export interface ConnectBusAdminOptions {
  readonly servers: string;
  /** The admin's seed; none for a server without authentication (the shared test server). */
  readonly seed?: string;
  /** How long to wait for a server that refuses connections (just starting); default 0. */
  readonly waitMs?: number;
}

/**
 * Connects as the bus admin. A server that is not listening yet is tried again until `waitMs`
 * has passed; any other failure (credentials refused) is final at once.
 */
export async function connectBusAdmin(options: ConnectBusAdminOptions): Promise<NatsConnection> {
  const end = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    try {
      return await connect({
        servers: options.servers.split(","),
        name: BUS_ADMIN,
        inboxPrefix: inboxPrefixOf(BUS_ADMIN),
        ...(options.seed ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(options.seed)) } : {}),
      });
    } catch (err) {
      if ((err as { code?: string }).code !== "CONNECTION_REFUSED" || Date.now() >= end) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Declares the namespace's whole bus from code, as the admin: every stream (streamConfig, with
 * `limits`) and every KV bucket (KvBuckets), created or brought back to its definition, each kept
 * in `replicas` copies (default 1; 3 on a three-node cluster). Run by setup before any service
 * starts, and again at every setup run (idempotent; a changed `replicas` is applied to what exists).
 * @example
 * const nc = await connectBusAdmin({ servers, seed });
 * try { await declareBus(nc, "proximity"); } finally { await nc.close(); }
 */
export async function declareBus(
  nc: NatsConnection,
  ns: string,
  options: { readonly limits?: StreamLimits; readonly replicas?: number } = {},
): Promise<void> {
  const replicas = checkBusReplicas(options.replicas ?? DEFAULT_BUS_REPLICAS);
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, ns, options.limits ?? DEFAULT_STREAM_LIMITS, replicas);
  const js = nc.jetstream();
  for (const bucket of Object.values(KvBuckets)) await declareKvBucket(js, jsm, ns, bucket, replicas);
}
