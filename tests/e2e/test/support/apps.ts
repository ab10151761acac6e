/**
 * Small helpers shared by the end-to-end tests: users, waiting for apps to settle or disappear,
 * and the simulator's Proxmox API called as someone working behind Proximity's back.
 */
import { eventually } from "@proximity/testing";
import { expect } from "vitest";
import { GatewayClient, type Platform } from "../../src/index.js";

/** The provisioner settings every life-cycle test uses: failures are retried a few times, quickly. */
export const FAST_RETRIES = {
  PROVISIONER_MAX_DELIVER: "3",
  PROVISIONER_BACKOFF_BASE_MS: "50",
  PROVISIONER_BACKOFF_MAX_MS: "200",
} as const;

/** Creates a user with the admin client and returns a logged-in client plus the user's id. */
export async function createUser(
  platform: Platform,
  admin: GatewayClient,
  username: string,
  isAdmin = false,
): Promise<{ client: GatewayClient; id: string }> {
  const password = `correct-horse-battery-${username.length}-staple`;
  const res = await admin.post("/api/users", { username, password, is_admin: isAdmin });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const client = new GatewayClient(platform.url);
  const user = await client.login(username, password);
  return { client, id: user.id };
}

export const SETTLED = ["running", "stopped", "error"];

/** Waits until the app leaves its in-flight status; returns it. */
export async function settled(client: GatewayClient, id: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const r = await client.get(`/api/apps/${id}`);
      return SETTLED.includes(r.body?.status) ? r.body : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `app ${id} settled` },
  );
}

/** Waits until GET app answers 404 (the app is gone). */
export async function gone(client: GatewayClient, id: string, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => (await client.get(`/api/apps/${id}`)).status === 404 || undefined, {
    timeoutMs,
    intervalMs: 100,
    what: `app ${id} gone`,
  });
}

/** Deploys and waits until the app runs (fails the test otherwise); returns the app. */
export async function deployRunning(
  client: GatewayClient,
  hostname: string,
  catalogId = "whoami",
  extra: Record<string, unknown> = {},
) {
  const res = await client.post("/api/apps", { catalog_id: catalogId, hostname, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const app = await settled(client, res.body.id);
  expect(app.status, app.status_message).toBe("running");
  return app;
}

/**
 * A call to the simulator's Proxmox API with the host's API token, as an administrator working on
 * the host directly would make it. Answers the parsed `data`.
 */
export async function pveApi(
  platform: Platform,
  method: string,
  path: string,
  params?: Record<string, string | number>,
): Promise<{ status: number; data: unknown }> {
  const { tokenId, tokenSecret } = platform.simulatorCredentials;
  const headers: Record<string, string> = { authorization: `PVEAPIToken=${tokenId}=${tokenSecret}` };
  let body: string | undefined;
  if (params) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
  }
  const res = await fetch(`${platform.simulator.baseUrl}/api2/json${path}`, { method, headers, body });
  const json = (await res.json().catch(() => ({}))) as { data?: unknown };
  return { status: res.status, data: json.data };
}

/** Waits for a Proxmox task (UPID) to end OK. */
export async function pveTaskDone(platform: Platform, node: string, upid: unknown): Promise<void> {
  expect(typeof upid, `a task id, got ${JSON.stringify(upid)}`).toBe("string");
  await eventually(
    async () => {
      const r = await pveApi(
        platform,
        "GET",
        `/nodes/${node}/tasks/${encodeURIComponent(String(upid))}/status`,
      );
      const task = r.data as { status?: string; exitstatus?: string } | undefined;
      if (task?.status !== "stopped") return undefined;
      if (task.exitstatus !== "OK") throw new Error(`task ${String(upid)} ended ${task.exitstatus}`);
      return true;
    },
    { timeoutMs: 15_000, what: `task ${String(upid)}` },
  );
}
