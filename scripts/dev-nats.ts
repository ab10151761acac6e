/**
 * The development platform's own nats-server (scripts/run-platform.ts): its configuration is
 * generated from the code (natsServerConfig: one nkey user per service, with the permissions its
 * events and consumers need, and the bus admin of the setup step) and the services' public nkeys
 * in `.dev/trust/public/nats-users.json`; configuration, log, JetStream store and the admin's seed
 * (`bus-admin.seed`, never given to a service) live under `.dev/nats/` (a benchmark's state
 * directory instead). It listens on 127.0.0.1 at DEV_NATS_PORT (default 4322, beside a machine's
 * own 4222). Before any service starts, the runner declares every stream and KV bucket with the
 * admin (declareDevBus).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import {
  connectBusAdmin,
  declareBus,
  natsServerConfig,
  writeBusAdminSeed,
} from "../packages/bus/src/index.js";

export interface DevNats {
  readonly url: string;
  readonly port: number;
  /** The nats-server binary and its arguments. */
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  /** The bus admin's nkey seed (setup's identity on this server). */
  readonly adminSeed: string;
}

/** nats-server on PATH, else the Debian package's. */
function natsServerBinary(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter))
    if (dir && existsSync(join(dir, "nats-server"))) return join(dir, "nats-server");
  if (existsSync("/usr/sbin/nats-server")) return "/usr/sbin/nats-server";
  throw new Error("nats-server not found (PATH or /usr/sbin): run scripts/ensure-infra.sh, or set NATS_URL");
}

/** DEV_NATS_PORT, default 4322 (beside a machine's own 4222). */
export function devNatsPort(): number {
  const port = Number(process.env.DEV_NATS_PORT ?? 4322);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`DEV_NATS_PORT: not a port (${port})`);
  return port;
}

/**
 * Writes `<devDir>/nats/nats-server.conf` for namespace `ns` (regenerated at every start), listening
 * on `port` (benchmarks pass a free one).
 */
export function prepareDevNats(devDir: string, trustDir: string, ns: string, port = devNatsPort()): DevNats {
  const dir = join(devDir, "nats");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const users = JSON.parse(readFileSync(join(trustDir, "public", "nats-users.json"), "utf8")) as Record<
    string,
    string
  >;
  const admin = writeBusAdminSeed(dir);
  const file = join(dir, "nats-server.conf");
  writeFileSync(
    file,
    natsServerConfig({ ns, users, admin: admin.publicKey, port, storeDir: join(dir, "store") }),
    { mode: 0o600 },
  );
  const logFile = join(dir, "nats-server.log");
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    command: natsServerBinary(),
    args: ["-c", file, "-l", logFile],
    logFile,
    adminSeed: admin.seed,
  };
}

/**
 * Declares every stream and KV bucket of namespace `ns` on the server at `url` from the code,
 * as the bus admin (`adminSeed`; none for a server without authentication given as NATS_URL).
 */
export async function declareDevBus(url: string, ns: string, adminSeed?: string): Promise<void> {
  const nc = await connectBusAdmin({
    servers: url,
    ...(adminSeed ? { seed: adminSeed } : {}),
    waitMs: 10_000,
  });
  try {
    await declareBus(nc, ns);
  } finally {
    await nc.close();
  }
}
