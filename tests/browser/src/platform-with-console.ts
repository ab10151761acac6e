import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayClient, type Platform, type PlatformOptions, startPlatform } from "@proximity/e2e";
import { testServers } from "@proximity/testing";

/** The console as `pnpm --filter @proximity/web-console build` leaves it (what the gateway serves by default). */
export const BUILT_CONSOLE_DIR = fileURLToPath(
  new URL("../../../services/web-console/dist", import.meta.url),
);

/**
 * Where the built console is: `WEB_CONSOLE_DIR` when set (a build elsewhere, e.g. `vite build
 * --outDir`), else the package's dist/. The gateway serves nothing at `/` without index.html, so a
 * missing build fails here with what to run, not later as a page that never loads.
 */
export function builtConsoleDir(): string {
  const dir = process.env.WEB_CONSOLE_DIR || BUILT_CONSOLE_DIR;
  if (!existsSync(join(dir, "index.html")))
    throw new Error(
      `no built web console in ${dir}: run \`pnpm --filter @proximity/web-console build\` first`,
    );
  return dir;
}

export interface ConsolePlatform extends Platform {
  /** A client of the REST API signed in as the bootstrap admin (to set the scene quickly). */
  readonly adminApi: GatewayClient;
  /** Creates a user through the API and returns their password. */
  createUser(username: string, options?: { isAdmin?: boolean }): Promise<string>;
  /** Registers the simulator as a host through the API (for journeys that need somewhere to deploy). */
  registerSimulatorHost(name?: string): Promise<string>;
}

/**
 * The whole platform (every service and the Proxmox VE simulator, on the test PostgreSQL and NATS),
 * with the gateway serving the built console at `/` under its production settings: Secure
 * `__Host-` cookies and the strict Content-Security-Policy.
 */
export async function startPlatformWithConsole(
  options: Partial<Omit<PlatformOptions, "databaseUrl" | "natsUrl">> = {},
): Promise<ConsolePlatform> {
  const platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    ...options,
    gatewayEnv: { WEB_CONSOLE_DIR: builtConsoleDir(), ...options.gatewayEnv },
  });
  try {
    const adminApi = new GatewayClient(platform.url);
    await adminApi.login(platform.adminUsername, platform.adminPassword);
    return Object.assign(platform, {
      adminApi,
      async createUser(username: string, { isAdmin = false } = {}) {
        // Random, and never containing the username (the password policy refuses that).
        const password = `correct-horse-${randomBytes(6).toString("hex")}-battery-staple`;
        const res = await adminApi.post("/api/users", { username, password, is_admin: isAdmin });
        if (res.status !== 201)
          throw new Error(`creating ${username}: ${res.status} ${JSON.stringify(res.body)}`);
        return password;
      },
      async registerSimulatorHost(name = "simulator") {
        const res = await adminApi.post("/api/proxmox/hosts", platform.hostRegistration(name));
        if (res.status !== 201)
          throw new Error(`registering ${name}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.id as string;
      },
    });
  } catch (error) {
    await platform.stop();
    throw error;
  }
}
