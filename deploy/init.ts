/**
 * Compose's init step (one-shot, as root, before anything else starts): the platform's setup.
 * 1. Trust bundles (writeServiceBundles): a CA and, per identity, `TRUST_DIR/<name>/` with only
 *    its own keys, owned by the services' user; compose mounts each into its service alone, and
 *    `sre` and the CA key into none.
 * 2. The NATS server configuration (natsServerConfig): one nkey user per service with its
 *    permissions, no anonymous access, and the bus admin (its seed in BUS_ADMIN_DIR, for
 *    compose's bus-init alone, which declares the streams and KV buckets once NATS is up).
 * 3. The simulator's credentials, certificate and nodes' SSH host keys (writeSimulatorCredentials),
 *    and the bootstrap host registering it, for the hosts service alone (SIM_BOOTSTRAP_FILE).
 * 4. The database: roles per service, migrations as each schema's owner, runtime URLs into the
 *    bundles (setupPlatformDatabase).
 * Idempotent: keys, credentials and passwords written before are kept.
 * Environment: POSTGRES_PASSWORD (required), POSTGRES_HOST/PORT/USER/DB, TRUST_DIR, BUNDLE_OWNER
 * (uid:gid), NATS_CONFIG_FILE, NATS_STORE_DIR, BUS_NAMESPACE, BUS_ADMIN_DIR, SIM_DIR, SIM_NODES,
 * SIM_HTTP_PORT, SIM_SSH_PORT, SIM_ADDRESS, SIM_BOOTSTRAP_FILE, WRITABLE_DIRS (data
 * directories handed to BUNDLE_OWNER, comma separated).
 */
import { chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { natsServerConfig, writeBusAdminSeed } from "../packages/bus/src/index.js";
import { ServiceIdentities, writeServiceBundles } from "../packages/identity/src/index.js";
import { createLogger } from "../packages/logger/src/index.js";
import { setupPlatformDatabase } from "./service-databases.js";
import { writeSimulatorBootstrapHost, writeSimulatorCredentials } from "./simulator-credentials.js";

const logger = createLogger({ service: "init", level: process.env.LOG_LEVEL ?? "info" });

function setting(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (!value) {
    process.stderr.write(`Invalid configuration:\n  - ${name}: required but not set\n`);
    process.exit(78);
  }
  return value;
}

function ownerOf(text: string): { uid: number; gid: number } {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) throw new Error(`BUNDLE_OWNER must be uid:gid, not ${text}`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

const trustDir = setting("TRUST_DIR", "/keys");
const owner = ownerOf(setting("BUNDLE_OWNER", "1000:1000"));

await writeServiceBundles(trustDir, ServiceIdentities, { owner });
logger.info({ trustDir, identities: ServiceIdentities }, "trust bundles ready");

const natsConfigFile = setting("NATS_CONFIG_FILE", "/nats-config/nats.conf");
const users = JSON.parse(readFileSync(join(trustDir, "public", "nats-users.json"), "utf8")) as Record<
  string,
  string
>;
// The bus admin's seed: read by bus-init alone (its own volume), never by a service.
const busAdmin = writeBusAdminSeed(setting("BUS_ADMIN_DIR", "/bus-admin"), { owner });
mkdirSync(dirname(natsConfigFile), { recursive: true });
// Public keys and permissions only: readable by the NATS server's user.
writeFileSync(
  natsConfigFile,
  natsServerConfig({
    ns: setting("BUS_NAMESPACE", "proximity"),
    users,
    admin: busAdmin.publicKey,
    storeDir: setting("NATS_STORE_DIR", "/data"),
    host: "0.0.0.0",
  }),
  { mode: 0o644 },
);
logger.info({ natsConfigFile }, "NATS configuration written");

if (process.env.SIM_DIR) {
  // The simulator's topology (SIM_NODES, SIM_HTTP_PORT, SIM_SSH_PORT as the simulator reads them)
  // and SIM_ADDRESS, where the platform reaches it: the bootstrap host the hosts service registers.
  const topology = {
    nodes: setting("SIM_NODES", "pve1")
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean),
    address: setting("SIM_ADDRESS", "proxmox-sim"),
    httpPort: Number(setting("SIM_HTTP_PORT", "8006")),
    sshPort: Number(setting("SIM_SSH_PORT", "2222")),
  };
  await writeSimulatorCredentials(process.env.SIM_DIR, owner, topology.nodes);
  if (process.env.SIM_BOOTSTRAP_FILE)
    writeSimulatorBootstrapHost(process.env.SIM_BOOTSTRAP_FILE, process.env.SIM_DIR, topology, owner);
  logger.info({ dir: process.env.SIM_DIR, nodes: topology.nodes }, "simulator credentials ready");
}
for (const dir of (process.env.WRITABLE_DIRS ?? "").split(",").filter(Boolean)) {
  mkdirSync(dir, { recursive: true });
  chownSync(dir, owner.uid, owner.gid);
}

const adminUrl = new URL("postgres://postgres");
adminUrl.hostname = setting("POSTGRES_HOST", "postgres");
adminUrl.port = setting("POSTGRES_PORT", "5432");
adminUrl.username = encodeURIComponent(setting("POSTGRES_USER", "postgres"));
adminUrl.password = encodeURIComponent(setting("POSTGRES_PASSWORD"));
adminUrl.pathname = `/${setting("POSTGRES_DB", "proximity")}`;
await setupPlatformDatabase({ adminUrl: adminUrl.toString(), bundlesDir: trustDir, owner, logger });
logger.info("database roles and schemas ready");
