/**
 * Starts the simulator and every service as child processes (scripts/platform/launch.ts) with a
 * consistent local configuration kept in `.dev/` (service keys, key-encryption key, simulator
 * credentials, admin password — generated once, never committed), on the fixed ports of the
 * services' defaults. Used by `scripts/dev.sh`. PLATFORM_RUNTIME=compiled runs the services'
 * compiled JavaScript (`pnpm build` first) instead of their sources.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { devNatsPort } from "./dev-nats.js";
import { ensureDatabase } from "./platform/database.js";
import { type LaunchedPlatform, launchPlatform, type Runtime } from "./platform/launch.js";
import { isBuildCurrent } from "./platform/service-process.js";

const root = resolve(import.meta.dirname, "..");
const dev = join(root, ".dev");

/** A value generated once and kept in .dev (mode 0600). */
function persistent(name: string, make: () => string): string {
  const file = join(dev, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

const PRIVATE_SHELL_VARIABLES = /^(DATABASE_URL|BOOTSTRAP_HOST_JSON|SECRETS_KEK|BOOTSTRAP_ADMIN_)/;

let platform: LaunchedPlatform | undefined;
let stopping = false;
async function stopAll(code: number): Promise<void> {
  stopping = true;
  await platform?.stop();
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(dev, { recursive: true, mode: 0o700 });
  // Each checkout gets its own database and bus namespace (named once in .dev), so two clones on one
  // machine never share users, hosts or messages, and `rm -rf .dev` really starts afresh.
  const instance = persistent("instance", () => `dev${randomBytes(4).toString("hex")}`);
  const databaseUrl = process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/proximity_${instance}`;
  const runtime = (process.env.PLATFORM_RUNTIME as Runtime | undefined) ?? "tsx";
  if (runtime === "compiled" && !isBuildCurrent(root))
    throw new Error(
      "PLATFORM_RUNTIME=compiled: the build is missing or older than the sources: run pnpm build",
    );
  await ensureDatabase(databaseUrl);
  const adminPassword = persistent("admin-password", () => randomBytes(12).toString("base64url"));
  platform = await launchPlatform({
    root,
    stateDir: dev,
    databaseUrl,
    busNamespace: process.env.BUS_NAMESPACE ?? instance,
    // The platform's own nats-server (a user and permissions per service), unless NATS_URL names
    // one (without authentication).
    ...(process.env.NATS_URL ? { externalNatsUrl: process.env.NATS_URL } : {}),
    natsPort: devNatsPort(),
    ports: {
      secrets: 50054,
      hosts: 50052,
      applications: 50051,
      backups: 50053,
      provisioner: 50055,
      "api-gateway": 8080,
      simulatorHttp: 8006,
      simulatorAdmin: 8007,
      simulatorSsh: 2222,
    },
    kek: persistent("kek", () => randomBytes(32).toString("base64")),
    adminPassword,
    simulator: {
      tokenSecret: persistent("sim-token-secret", () => crypto.randomUUID()),
      sshPassword: persistent("sim-ssh-password", () => randomBytes(16).toString("base64url")),
    },
    ...(process.env.BOOTSTRAP_HOST_JSON ? { bootstrapHostJson: process.env.BOOTSTRAP_HOST_JSON } : {}),
    nodes: ["pve1", "pve2"],
    runtime,
    logLevel: process.env.LOG_LEVEL ?? "info",
    // A developer's machine: e.g. the simulator over plain HTTP when openssl is missing.
    mode: "development",
    // Like compose: the public door on this machine only (cookies are Secure; use a TLS proxy beyond).
    gatewayHost: process.env.HTTP_HOST ?? "127.0.0.1",
    // The shell's own secrets go to no service wholesale: DATABASE_URL is the setup's superuser
    // connection; a real host's credentials, the KEK and the admin password go only to the one
    // service that needs each.
    baseEnv: Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !PRIVATE_SHELL_VARIABLES.test(name)),
    ),
    output: "inherit",
    onUnexpectedExit: (p, code, signal) => {
      if (stopping) return;
      console.error(`[platform] ${p.service} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    },
  });
  console.error(
    `\n[platform] Proximity is up: http://localhost:8080/ (web console; REST API docs at /api/docs)\n` +
      `[platform] admin login: admin / ${adminPassword}\n`,
  );
}

process.on("SIGINT", () => void stopAll(130));
process.on("SIGTERM", () => void stopAll(143));
main().catch((err) => {
  console.error("[platform] start failed:", err);
  void stopAll(1);
});
