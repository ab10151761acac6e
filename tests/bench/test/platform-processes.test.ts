import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { databaseLeftovers } from "../../../scripts/platform/database.js";
import { GatewayClient } from "../../e2e/src/index.js";
import { startPlatformProcesses } from "../src/platform-processes.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("platform processes", () => {
  it("platform processes - serve the API as separate processes, and stop() leaves no process, database, role or state", async () => {
    const platform = await startPlatformProcesses({
      serviceEnv: { "api-gateway": { RATE_LIMIT_PER_MINUTE: "1000000" } },
    });
    let pids: number[] = [];
    try {
      pids = platform.processes().map((p) => p.pid);
      expect(platform.processes().map((p) => p.service)).toEqual([
        "nats-server",
        "proxmox-sim",
        "secrets",
        "hosts",
        "applications",
        "backups",
        "provisioner",
        "api-gateway",
      ]);
      for (const p of platform.processes()) expect(p.startedMs).toBeGreaterThan(0);
      expect(new URL(platform.databaseUrl).pathname).toMatch(/^\/proximity_bench_[0-9a-f]{8}$/);
      expect(platform.simulatorAdminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const admin = new GatewayClient(platform.url);
      await admin.login(platform.adminUsername, platform.adminPassword);
      const apps = await admin.get("/api/apps");
      expect(apps.status).toBe(200);
    } finally {
      await platform.stop();
    }
    expect(pids.filter(alive)).toEqual([]);
    expect(await databaseLeftovers(platform.databaseUrl)).toEqual({ database: false, roles: [] });
    expect(existsSync(platform.stateDir)).toBe(false);
  }, 240_000);
});
