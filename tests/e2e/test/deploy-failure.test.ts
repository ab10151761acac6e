import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";

let platform: Platform;
let admin: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: {
      PROVISIONER_MAX_DELIVER: "3",
      PROVISIONER_BACKOFF_BASE_MS: "50",
      PROVISIONER_BACKOFF_MAX_MS: "200",
    },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
});

afterAll(async () => {
  await platform?.stop();
});

describe("deploy path, failing host", () => {
  it("bounded retries - a step that keeps failing ends in error with an explanation and no container left", async () => {
    platform.sim.addFault({
      // The install step also runs `docker compose version … apt-get update`: match compose up only.
      match: { sshCommand: "docker compose -f \\S+ up -d" },
      effect: { kind: "ssh-failure", code: 1, stderr: "Error response from daemon: pull access denied" },
    });
    const res = await admin.post("/api/apps", { catalog_id: "whoami", hostname: "doomed-app" });
    expect(res.status).toBe(202);
    const id = res.body.id;
    const app = await eventually(
      async () => {
        const r = await admin.get(`/api/apps/${id}`);
        return r.body.status === "error" ? r.body : undefined;
      },
      { timeoutMs: 60_000, what: "app in error" },
    );
    expect(app.status_message).toContain("pull access denied");
    const logs = (await admin.get(`/api/apps/${id}/logs`)).body.items.map(
      (l: { message: string }) => l.message,
    );
    expect(logs.join("\n")).toMatch(/failed after 3 attempts/i);
    const composeUps = platform.sim
      .commandLog()
      .filter((c) => c.command.includes("docker compose") && c.command.includes("up -d"));
    expect(composeUps).toHaveLength(3);
    expect(platform.sim.containers().filter((c) => c.hostname === "doomed-app")).toEqual([]);
  });
});
