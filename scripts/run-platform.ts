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

/** Where the gateway answers (its fixed port below), as the banner shows it. */
const CONSOLE_URL = "http://localhost:8080/";
const HEALTH_PATIENCE_MS = 60_000;

/** The start-up under way: a stop asked for meanwhile waits for it, so no process is left behind. */
let launching: Promise<LaunchedPlatform> | undefined;
let stopping = false;

/**
 * Stops the platform once, in order: the gateway and the services first, the simulator and
 * nats-server last (launch.ts stop()), so no service loses a peer while it drains. `why` is said
 * when a person asked for it (Ctrl-C), with the end, so the terminal shows that it is over.
 */
async function stopAll(code: number, why?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why) console.error(`\n[platform] ${why}: stopping the services, then the simulator and NATS…`);
  const platform = await launching?.catch(() => undefined); // a failed launch stopped its own processes
  await platform?.stop();
  setTerminalTitle("");
  if (why) console.error("[platform] stopped");
  process.exit(code);
}

/**
 * A second Ctrl-C while stopping: every process of the group (this runner's, under dev.sh) is
 * killed at once. Run directly, without a group of its own, only this process ends.
 */
function stopNow(): never {
  console.error("\n[platform] second Ctrl-C: killing what is left");
  setTerminalTitle("");
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    // Not a process group leader (run without dev.sh): nothing but this process to end.
  }
  process.exit(130);
}

/** The address also in the terminal's title (when it is one), where no log line scrolls it away. */
function setTerminalTitle(title: string): void {
  if (process.stderr.isTTY && process.env.TERM !== "dumb") process.stderr.write(`\x1b]0;${title}\x07`);
}

/**
 * Waits until the gateway reports itself and its dependencies healthy (GET /api/health) and serves
 * the console (GET /): only then is the address worth following. Says what is still wrong when
 * that takes longer than HEALTH_PATIENCE_MS.
 */
async function waitHealthy(url: string): Promise<string | undefined> {
  const deadline = Date.now() + HEALTH_PATIENCE_MS;
  let problem = "no answer";
  while (Date.now() < deadline) {
    try {
      const health = await fetch(new URL("/api/health", url), { signal: AbortSignal.timeout(5_000) });
      const page = await fetch(new URL("/", url), { signal: AbortSignal.timeout(5_000) });
      if (health.ok && page.ok) return undefined;
      problem = health.ok
        ? `the web console answers ${page.status}`
        : `health: ${JSON.stringify(((await health.json()) as { checks?: unknown }).checks)}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return problem;
}

/** Printed last, once everything is healthy: where to go, how to sign in, how to stop. */
function banner(adminPassword: string, problem: string | undefined): string {
  const rule = "=".repeat(72);
  return [
    "",
    rule,
    problem ? `  Proximity started, but is not healthy yet (${problem})` : "  Proximity is up and healthy",
    `  Web console:   ${CONSOLE_URL}`,
    `  REST API docs: ${CONSOLE_URL}api/docs`,
    `  Sign in as:    admin / ${adminPassword}`,
    // dev.sh started in the background cannot be stopped by Ctrl-C: it names its own command.
    process.env.DEV_STOP_COMMAND
      ? `  ${process.env.DEV_STOP_COMMAND} stops everything: the services first, then the simulator and NATS.`
      : "  Ctrl-C stops everything: the services first, then the simulator and NATS.",
    rule,
    "",
  ].join("\n");
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
  launching = launchPlatform({
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
  const platform = await launching;
  const problem = await waitHealthy(platform.url);
  if (stopping) return;
  console.error(banner(adminPassword, problem));
  setTerminalTitle(`Proximity · ${CONSOLE_URL}`);
}

// scripts/dev.sh runs this process in a process group of its own and passes Ctrl-C on as SIGINT:
// only this process hears it, and it stops the others in order.
process.on("SIGINT", () => (stopping ? stopNow() : void stopAll(130, "Ctrl-C")));
process.on("SIGTERM", () => void stopAll(143, "SIGTERM"));
process.on("SIGHUP", () => void stopAll(129));
main().catch((err) => {
  console.error("[platform] start failed:", err);
  void stopAll(1);
});
