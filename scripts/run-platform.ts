/**
 * Starts the simulator and every service as child processes with a consistent local
 * configuration kept in `.dev/` (service keys, key-encryption key, simulator credentials, admin
 * password — generated once, never committed). Used by `scripts/dev.sh`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import pg from "pg";
import { setupPlatformDatabase } from "../deploy/service-databases.js";
import { type SimulatorState, simulatorBootstrapHost } from "../deploy/sim-bootstrap-host.js";
import { ServiceIdentities, writeServiceBundles } from "../packages/identity/src/index.js";
import { declareDevBus, prepareDevNats } from "./dev-nats.js";

const root = resolve(import.meta.dirname, "..");
const dev = join(root, ".dev");
const trustDir = join(dev, "trust");

/** A value generated once and kept in .dev (mode 0600). */
function persistent(name: string, make: () => string): string {
  const file = join(dev, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

/** One bundle per service under .dev/trust (each service is given only its own directory). */
async function ensureKeys(): Promise<void> {
  await writeServiceBundles(trustDir, ServiceIdentities);
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = $1", [name]);
  if (exists.rowCount === 0) await client.query(`create database "${name.replace(/"/g, "")}"`);
  await client.end();
}

async function waitForPort(port: number, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const open = await new Promise<boolean>((ok) => {
      const s = connect({ host: "127.0.0.1", port }, () => ok(!!s.end()));
      s.on("error", () => ok(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not open port ${port}`);
}

/** Each service's `database-url` file (its own runtime role), from setupPlatformDatabase. */
const databaseUrlFiles = new Map<string, string>();

const PRIVATE_SHELL_VARIABLES = /^(DATABASE_URL|BOOTSTRAP_HOST_JSON|SECRETS_KEK|BOOTSTRAP_ADMIN_)/;

const children: ChildProcess[] = [];
function start(service: string, env: Record<string, string>): void {
  // The shell's own secrets go to no service wholesale: DATABASE_URL is the setup's superuser
  // connection; a real host's credentials, the KEK and the admin password are passed below to
  // the one service that needs each.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !PRIVATE_SHELL_VARIABLES.test(name)),
  );
  const databaseUrlFile = databaseUrlFiles.get(service);
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "services", service, "src/main.ts")], {
    // Each service reads only its own bundle (its private keys, the peers' public ones).
    env: {
      ...inherited,
      ...env,
      ...(service === "proxmox-sim" ? {} : { SERVICE_KEYS_DIR: join(trustDir, service) }),
      // Like production: setup migrated as the schema's owner; the service runs as its runtime role.
      ...(databaseUrlFile ? { DATABASE_URL_FILE: databaseUrlFile, MIGRATE_ON_START: "false" } : {}),
    },
    stdio: "inherit",
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[platform] ${service} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  children.push(child);
}

let stopping = false;
async function stopAll(code: number): Promise<void> {
  stopping = true;
  // Reverse start order: the gateway stops taking requests first.
  for (const child of [...children].reverse()) {
    // Gone already (Ctrl-C reaches every process of the group; a signal leaves exitCode null):
    // its exit event has passed, so waiting for it would hang and leave nats-server running.
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(dev, { recursive: true, mode: 0o700 });
  await ensureKeys();
  // Each checkout gets its own database and bus namespace (named once in .dev), so two clones on one
  // machine never share users, hosts or messages, and `rm -rf .dev` really starts afresh.
  const instance = persistent("instance", () => `dev${randomBytes(4).toString("hex")}`);
  const databaseUrl = process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/proximity_${instance}`;
  await ensureDatabase(databaseUrl);
  // One owner and one runtime role per service schema; the runtime URLs go into the bundles.
  for (const [service, file] of await setupPlatformDatabase({ adminUrl: databaseUrl, bundlesDir: trustDir }))
    databaseUrlFiles.set(service, file);
  const busNamespace = process.env.BUS_NAMESPACE ?? instance;
  // The platform's own nats-server (a user and permissions per service), unless NATS_URL names one
  // (without authentication). Setup, not the services, declares every stream and KV bucket.
  const nats: { url: string; adminSeed?: string } = process.env.NATS_URL
    ? { url: process.env.NATS_URL }
    : await startNats(busNamespace);
  const natsUrl = nats.url;
  await declareDevBus(natsUrl, busNamespace, nats.adminSeed);
  const common = {
    NATS_URL: natsUrl,
    BUS_NAMESPACE: busNamespace,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    // A developer's machine: e.g. the simulator over plain HTTP when openssl is missing.
    PROXIMITY_MODE: "development",
  };
  const adminPassword = persistent("admin-password", () => randomBytes(12).toString("base64url"));
  let bootstrapHost = process.env.BOOTSTRAP_HOST_JSON;
  if (!bootstrapHost) bootstrapHost = await startSimulator();

  start("secrets", { ...common, SECRETS_KEK: persistent("kek", () => randomBytes(32).toString("base64")) });
  await waitForPort(50054, "secrets");
  start("hosts", { ...common, BOOTSTRAP_HOST_JSON: bootstrapHost });
  await waitForPort(50052, "hosts");
  start("applications", common);
  start("backups", common);
  start("provisioner", common);
  await Promise.all([
    waitForPort(50051, "applications"),
    waitForPort(50053, "backups"),
    waitForPort(50055, "provisioner"),
  ]);
  start("api-gateway", {
    ...common,
    // Like compose: the public door on this machine only (cookies are Secure; use a TLS proxy beyond).
    HTTP_HOST: process.env.HTTP_HOST ?? "127.0.0.1",
    BOOTSTRAP_ADMIN_USERNAME: "admin",
    BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
  });
  await waitForPort(8080, "api-gateway");
  console.error(
    `\n[platform] Proximity is up: http://localhost:8080/api/docs\n[platform] admin login: admin / ${adminPassword}\n`,
  );
}

/**
 * Starts nats-server from a configuration generated for `ns` (scripts/dev-nats.ts); returns its
 * URL and the bus admin's seed.
 */
async function startNats(ns: string): Promise<{ url: string; adminSeed?: string }> {
  const nats = prepareDevNats(dev, trustDir, ns);
  const taken = await new Promise<boolean>((ok) => {
    const s = connect({ host: "127.0.0.1", port: nats.port }, () => ok(!!s.end()));
    s.on("error", () => ok(false));
  });
  if (taken)
    throw new Error(
      `port ${nats.port} is taken (a nats-server of an earlier run?): stop it, or set DEV_NATS_PORT`,
    );
  // Its own process group: Ctrl-C (or timeout) reaches the services, which drain their connections
  // while the server still runs; stopAll stops it last.
  const child = spawn(nats.command, [...nats.args], { stdio: "inherit", detached: true });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(
        `[platform] nats-server exited (${signal ?? code}, see ${nats.logFile}); stopping everything`,
      );
      void stopAll(1);
    }
  });
  children.push(child);
  await waitForPort(nats.port, "nats-server");
  return { url: nats.url, adminSeed: nats.adminSeed };
}

/** Starts the simulator and returns the bootstrap host registering it. */
async function startSimulator(): Promise<string> {
  const tokenSecret = persistent("sim-token-secret", () => crypto.randomUUID());
  const sshPassword = persistent("sim-ssh-password", () => randomBytes(16).toString("base64url"));
  const stateFile = join(dev, "sim-state.json");
  start("proxmox-sim", {
    ...simulatorCertificate(),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    SIM_TOKEN_SECRET: tokenSecret,
    SIM_SSH_PASSWORD: sshPassword,
    SIM_STATE_FILE: stateFile,
    SIM_HOST_KEY_DIR: join(dev, "sim-host-keys"),
    SIM_NODES: "pve1,pve2",
  });
  await waitForPort(8006, "proxmox-sim");
  await new Promise((r) => setTimeout(r, 300));
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as SimulatorState;
  return simulatorBootstrapHost(state, { tokenSecret, sshPassword });
}

/**
 * A self-signed certificate for the simulator's API (as a fresh Proxmox node has), made once with
 * the openssl CLI; the bootstrap host pins its fingerprint. Without openssl the simulator serves
 * plain HTTP.
 */
function simulatorCertificate(): Record<string, string> {
  const cert = join(dev, "sim-cert.pem");
  const key = join(dev, "sim-key.pem");
  if (!existsSync(cert)) {
    const made = spawnSync("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", key, "-out", cert, "-days", "825", "-subj", "/CN=pve-sim"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    ]);
    if (made.status !== 0) {
      console.error("[platform] openssl unavailable: the simulator serves plain HTTP");
      return {};
    }
  }
  return { SIM_TLS_CERT_FILE: cert, SIM_TLS_KEY_FILE: key };
}

process.on("SIGINT", () => void stopAll(130));
process.on("SIGTERM", () => void stopAll(143));
main().catch((err) => {
  console.error("[platform] start failed:", err);
  void stopAll(1);
});
