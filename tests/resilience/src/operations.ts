/**
 * The work a fault test runs through the gateway (deploys and life-cycle actions of one user) and
 * the check that each operation was done exactly once: every app in its expected state, one
 * container each with its own VMID, one Proxmox create per app, one result event per operation,
 * the apps' events all there, no dead letter.
 */
import { streamName } from "@proximity/bus";
import { GatewayClient, type Platform } from "@proximity/e2e";
import { eventually } from "@proximity/testing";
import pg from "pg";
import { expect } from "vitest";
import { countBy, streamEvents } from "./stream-events.js";

/** The provisioner retries quickly, so a fault's failures are retried within the test's time. */
export const FAST_RETRIES = {
  PROVISIONER_MAX_DELIVER: "5",
  PROVISIONER_BACKOFF_BASE_MS: "100",
  PROVISIONER_BACKOFF_MAX_MS: "1000",
} as const;

const SETTLED = ["running", "stopped", "error"];

export interface Workload {
  readonly admin: GatewayClient;
  readonly user: GatewayClient;
}

/** Logs in as the admin, registers the simulator and creates a user allowed `maxApps` apps. */
export async function prepareWorkload(platform: Platform, maxApps: number): Promise<Workload> {
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  const password = "correct-horse-battery-staple-9";
  const created = await admin.post("/api/users", { username: "carol", password, is_admin: false });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const quota = await admin.request("PUT", `/api/users/${created.body.id}/quota`, { max_apps: maxApps });
  expect(quota.status, JSON.stringify(quota.body)).toBe(200);
  const user = new GatewayClient(platform.url);
  await user.login("carol", password);
  return { admin, user };
}

/** Sends a request that must be accepted (202) even while a server is away; answers the body. */
async function accepted(client: GatewayClient, method: string, path: string, body: Record<string, unknown>) {
  const res = await client.request(method, path, body);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(202);
  return res.body;
}

/** Deploys `hostnames` at once; answers the app ids (202 each). */
export async function deployAll(client: GatewayClient, hostnames: readonly string[]): Promise<string[]> {
  const apps = await Promise.all(
    hostnames.map((hostname) => accepted(client, "POST", "/api/apps", { catalog_id: "whoami", hostname })),
  );
  return apps.map((a) => a.id as string);
}

/** Requests `action` on every app at once (202 each). */
export async function actOnAll(client: GatewayClient, ids: readonly string[], action: string): Promise<void> {
  await Promise.all(ids.map((id) => accepted(client, "POST", `/api/apps/${id}/action`, { action })));
}

/** Waits until every app left its in-flight status; answers them in the order of `ids`. */
export async function settledAll(
  client: GatewayClient,
  ids: readonly string[],
  timeoutMs = 60_000,
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field in tests
): Promise<any[]> {
  const fetchAll = () => Promise.all(ids.map(async (id) => (await client.get(`/api/apps/${id}`)).body));
  return eventually(
    async () => {
      const apps = await fetchAll();
      return apps.every((a) => SETTLED.includes(a?.status)) ? apps : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `${ids.length} apps settled` },
  ).catch(async (err: Error) => {
    const unsettled = (await fetchAll()).filter((a) => !SETTLED.includes(a?.status));
    throw new Error(
      `${err.message}; still in flight: ${unsettled.map((a) => `${a?.hostname} ${a?.status} (${a?.status_message ?? ""})`).join(", ")}`,
    );
  });
}

async function rows<T extends pg.QueryResultRow>(databaseUrl: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * How many of the apps are still in flight (an operation running): a fault injected now hits work
 * in progress, which is the point of the test.
 */
export async function appsInFlight(platform: Platform): Promise<number> {
  const [row] = await rows<{ n: number }>(
    platform.databaseUrl,
    "select count(*)::int as n from applications.apps where current_operation_id is not null",
  );
  return row?.n ?? 0;
}

/** The vzcreate tasks of every node of the simulator, as its Proxmox API lists them. */
async function createTasks(platform: Platform): Promise<{ node: string; vmid: number }[]> {
  const { tokenId, tokenSecret } = platform.simulatorCredentials;
  const tasks: { node: string; vmid: number }[] = [];
  for (const { name } of platform.simulator.nodes) {
    const res = await fetch(
      `${platform.simulator.baseUrl}/api2/json/nodes/${name}/tasks?typefilter=vzcreate&source=all&limit=10000`,
      { headers: { authorization: `PVEAPIToken=${tokenId}=${tokenSecret}` } },
    );
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { id: string }[] };
    for (const t of data) tasks.push({ node: name, vmid: Number(t.id) });
  }
  return tasks;
}

/** The public event an operation's success publishes, by operation kind. */
const PUBLIC_OUTCOME: Readonly<Record<string, string>> = {
  deploy: "AppDeployed",
  start: "AppStarted",
  stop: "AppStopped",
  restart: "AppRestarted",
};

export interface Expectations {
  /** Each app id and the status it must end in. */
  readonly apps: ReadonlyMap<string, "running" | "stopped">;
  /** How many life-cycle actions (stop, start, restart) each app was asked, besides its deploy. */
  readonly actions: ReadonlyMap<string, number>;
}

/**
 * Asserts every operation reached its end once: apps in their expected status, one container per
 * app on the simulator (its hostname, VMID and state), distinct VMIDs, one vzcreate task per app,
 * every operation row succeeded, one OperationSucceeded per operation, one AppDeployRequested and
 * one AppDeployed per app, and an empty dead-letter stream.
 */
export async function assertDoneOnce(
  platform: Platform,
  client: GatewayClient,
  natsServers: string,
  expected: Expectations,
): Promise<void> {
  const ids = [...expected.apps.keys()];
  const apps = await settledAll(client, ids);
  for (const app of apps)
    expect(app.status, `${app.hostname}: ${app.status_message}`).toBe(expected.apps.get(app.id));

  // One container per app, under its hostname and VMID, in the app's state; nothing else.
  const containers = platform.sim.containers();
  expect(containers).toHaveLength(ids.length);
  expect(new Set(apps.map((a) => a.vmid)).size, "distinct VMIDs").toBe(ids.length);
  for (const app of apps)
    expect(containers.find((c) => c.vmid === app.vmid && c.node === app.node)).toMatchObject({
      hostname: app.hostname,
      status: app.status,
    });
  // Proxmox was asked to create each container once.
  const creates = await createTasks(platform);
  expect(creates, "one vzcreate task per app").toHaveLength(ids.length);
  expect(new Set(creates.map((t) => `${t.node}/${t.vmid}`)).size).toBe(ids.length);

  // Every operation ended, succeeded, and the app's operations are its deploy and its actions.
  const operations = await rows<{ id: string; app_id: string; kind: string; status: string }>(
    platform.databaseUrl,
    "select id, app_id, kind, status from applications.app_operations",
  );
  for (const op of operations) expect(op.status, `operation ${op.kind} of ${op.app_id}`).toBe("succeeded");
  const perApp = countBy(operations, (op) => op.app_id);
  for (const id of ids)
    expect(perApp.get(id), `operations of app ${id}`).toBe(1 + (expected.actions.get(id) ?? 0));

  // The events: one request, one result and one public outcome per operation. The outboxes may
  // still be publishing what the last fault held back: wait (bounded) until each is there, then
  // count. One missing for good fails below, naming it.
  const ns = platform.busNamespace;
  const outcomeKey = (op: { id: string; kind: string }) => `${PUBLIC_OUTCOME[op.kind]} ${op.id}`;
  const collect = async () => {
    const results = (await streamEvents(natsServers, streamName(ns, "PROVISIONER"))).filter(
      (e) => e.type === "OperationSucceeded" || e.type === "OperationFailed",
    );
    const appEvents = await streamEvents(natsServers, streamName(ns, "APPLICATIONS"));
    return {
      results: countBy(results, (e) => e.data.operationId),
      requests: countBy(
        appEvents.filter((e) => e.type === "AppDeployRequested" || e.type === "AppActionRequested"),
        (e) => e.data.operationId,
      ),
      outcomes: countBy(
        appEvents.filter((e) => Object.values(PUBLIC_OUTCOME).includes(e.type)),
        (e) => `${e.type} ${e.data.operationId}`,
      ),
    };
  };
  const events = await eventually(
    async () => {
      const seen = await collect();
      const complete = operations.every(
        (op) => seen.results.has(op.id) && seen.requests.has(op.id) && seen.outcomes.has(outcomeKey(op)),
      );
      return complete ? seen : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: "every operation's events" },
  ).catch(() => collect());
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
  for (const op of operations) {
    const what = `${op.kind} of app ${op.app_id}`;
    expect(events.requests.get(op.id), `request event of ${what}`).toBe(1);
    expect(events.results.get(op.id), `result event of ${what}`).toBe(1);
    expect(events.outcomes.get(outcomeKey(op)), `${PUBLIC_OUTCOME[op.kind]} event of ${what}`).toBe(1);
  }
  expect(total(events.requests), "request events").toBe(operations.length);
  expect(total(events.results), "result events").toBe(operations.length);
  expect(total(events.outcomes), "outcome events").toBe(operations.length);

  // Nothing was given up.
  const deadLetters = await streamEvents(natsServers, streamName(ns, "DEAD_LETTERS"));
  expect(deadLetters, JSON.stringify(deadLetters.map((d) => d.subject))).toEqual([]);
}
