/**
 * Helpers of the backup end-to-end tests: waiting for a backup or a restore to settle, the backup
 * archives the simulated node really holds (read through its Proxmox API, as an administrator of
 * the host would list them), the public backup events on the bus, API-token calls, and the one
 * reach into the backups service's tables the scheduler tests need (moving a policy's next run
 * into the past: the API has no clock to turn).
 */

import { backupsEventsV1 } from "@proximity/proto";
import { eventually, testServers } from "@proximity/testing";
import { connect } from "nats";
import pg from "pg";
import { expect } from "vitest";
import type { GatewayClient, HttpResult, Platform } from "../../src/index.js";
import { pveApi, settled } from "./apps.js";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Proxmox names archives to the second: two dumps of one container need a second between them. */
export const ARCHIVE_NAME_RESOLUTION_MS = 1_100;

/** Statuses a backup leaves by itself (the provisioner's result or the scheduler's dispatch). */
const IN_FLIGHT = ["pending", "running", "deleting"];

/**
 * Waits until the backup is no longer pending, running or deleting, and until the app no longer
 * holds the backup as its operation (the backup record settles first; the app is released by the
 * result event after it); returns the backup.
 */
export async function backupSettled(
  client: GatewayClient,
  appId: string,
  backupId: string,
  timeoutMs = 60_000,
) {
  const backup = await eventually(
    async () => {
      const r = await client.get(`/api/apps/${appId}/backups/${backupId}`);
      if (r.status !== 200) throw new Error(`GET backup ${backupId}: ${r.status} ${JSON.stringify(r.body)}`);
      return IN_FLIGHT.includes(r.body.status) ? undefined : r.body;
    },
    { timeoutMs, intervalMs: 100, what: `backup ${backupId} settled` },
  );
  await eventually(
    async () => {
      const r = await client.get(`/api/apps/${appId}`);
      return r.status === 404 || (r.status === 200 && r.body.current_operation !== "backup");
    },
    { timeoutMs, intervalMs: 50, what: `app ${appId} released by backup ${backupId}` },
  );
  return backup;
}

/** Starts a backup, expects 202, waits for it to end and expects `completed`; returns it. */
export async function backupCompleted(
  client: GatewayClient,
  appId: string,
  body: Record<string, unknown> = {},
) {
  const res = await client.post(`/api/apps/${appId}/backups`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const backup = await backupSettled(client, appId, res.body.id);
  expect(backup.status, backup.error).toBe("completed");
  return backup;
}

/**
 * Waits until no restore runs from the backup any more and the restored app has settled; returns
 * the app. `appId` is the app the backup belongs to; `targetAppId` the app restored into.
 */
export async function restoreSettled(
  client: GatewayClient,
  appId: string,
  backupId: string,
  targetAppId: string,
  timeoutMs = 60_000,
) {
  await eventually(
    async () => {
      const r = await client.get(`/api/apps/${appId}/backups/${backupId}`);
      return r.status === 200 && r.body.restoring === false ? true : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `restore from ${backupId} ended` },
  );
  return settled(client, targetAppId, timeoutMs);
}

/** A backup archive as the node's storage lists it (`GET …/storage/{storage}/content`). */
export interface Archive {
  readonly volid: string;
  readonly size: number;
  readonly ctime: number;
  readonly vmid?: number;
  readonly notes?: string;
  readonly format?: string;
}

/** Every backup archive on the node's backup storages, optionally of one container only. */
export async function archivesOnNode(platform: Platform, vmid?: number, node = "pve1"): Promise<Archive[]> {
  const storages = await pveApi(platform, "GET", `/nodes/${node}/storage?content=backup`);
  expect(storages.status).toBe(200);
  const out: Archive[] = [];
  for (const { storage } of storages.data as { storage: string }[]) {
    const query = `content=backup${vmid === undefined ? "" : `&vmid=${vmid}`}`;
    const content = await pveApi(platform, "GET", `/nodes/${node}/storage/${storage}/content?${query}`);
    expect(content.status).toBe(200);
    out.push(...(content.data as Archive[]));
  }
  return out;
}

/** Waits until the node's storages hold exactly `expected` (volids, any order) for the container. */
export async function archivesBecome(platform: Platform, vmid: number, expected: string[], what: string) {
  const want = [...expected].sort();
  let last: string[] = [];
  await eventually(
    async () => {
      last = (await archivesOnNode(platform, vmid)).map((a) => a.volid).sort();
      return JSON.stringify(last) === JSON.stringify(want) || undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `${what} (last seen ${JSON.stringify(last)})` },
  ).catch((err: Error) => {
    throw new Error(
      `${err.message}; expected ${JSON.stringify(want)}, storage holds ${JSON.stringify(last)}`,
    );
  });
}

/** A public backup event as it travelled on the bus: its type and its decoded message. */
export interface BusEvent {
  readonly subject: string;
  /** e.g. "BackupsPruned" */
  readonly type: string;
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field in tests
  readonly data: any;
}

type Codec = { decode(bytes: Uint8Array): unknown; toJSON(message: never): unknown };

/** Every message of the platform's BACKUPS stream so far, decoded (JSON with camelCase fields). */
export async function backupsStreamEvents(platform: Platform): Promise<BusEvent[]> {
  const nc = await connect({ servers: testServers().natsUrl, name: "e2e-backup-events" });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = `${platform.busNamespace.toUpperCase()}_BACKUPS`;
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (!info) return [];
    const events: BusEvent[] = [];
    const { first_seq, last_seq, messages } = info.state;
    for (let seq = first_seq; messages > 0 && seq <= last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (!m) continue;
      const type = (m.header?.get("ce-type") ?? "").replace(/^proximity\.events\.v1\./, "");
      const codec = (backupsEventsV1 as unknown as Record<string, Partial<Codec>>)[type];
      const data = codec?.decode && codec.toJSON ? codec.toJSON(codec.decode(m.data) as never) : undefined;
      events.push({ subject: m.subject, type, data });
    }
    return events;
  } finally {
    await nc.close();
  }
}

/** Waits until the BACKUPS stream holds an event of `type` matching `predicate`; returns them all. */
export async function eventsOfType(
  platform: Platform,
  type: string,
  predicate: (e: BusEvent) => boolean = () => true,
  what = type,
): Promise<BusEvent[]> {
  return eventually(
    async () => {
      const found = (await backupsStreamEvents(platform)).filter((e) => e.type === type && predicate(e));
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what },
  );
}

/** A call with an API token (`Authorization: Bearer`), as a script would make it. */
export async function withToken(
  platform: Platform,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(new URL(path, platform.url), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Runs one statement on the platform's scratch database. */
export async function sql<T extends pg.QueryResultRow>(
  platform: Platform,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: platform.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Makes the app's backup policy due at `at` (a time in the past), as if the scheduler had been down
 * over that slot. Schedules are at least 15 minutes apart and the API computes the next run from
 * the clock, so this is the only way to get a due slot within a test; the scheduler then does what
 * it does for a missed slot (run it once, move next_run_at to the next slot after now).
 */
export async function makePolicyDue(platform: Platform, appId: string, at: Date): Promise<void> {
  const rows = await sql(
    platform,
    "update backups.backup_policies set next_run_at = $2 where app_id = $1 and enabled returning app_id",
    [appId, at],
  );
  expect(rows, `an enabled policy of ${appId}`).toHaveLength(1);
}

/** A policy body for PUT /api/apps/{id}/backup-policy: every field, overridable. */
export function policyBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    schedule: "0 3 * * *",
    time_zone: "UTC",
    mode: "snapshot",
    compression: "zstd",
    keep_last: 0,
    keep_hourly: 0,
    keep_daily: 0,
    keep_weekly: 0,
    keep_monthly: 0,
    keep_yearly: 0,
    ...overrides,
  };
}

/** Messages of the app's log, oldest first, as one text. */
export async function appLogText(client: GatewayClient, appId: string): Promise<string> {
  const logs = await client.get(`/api/apps/${appId}/logs?limit=1000`);
  expect(logs.status, JSON.stringify(logs.body)).toBe(200);
  return logs.body.items.map((l: { message: string }) => l.message).join("\n");
}

/** vzdump tasks the node ran for the container (finished or running): one per dump, duplicates included. */
export async function vzdumpTasks(platform: Platform, vmid: number, node = "pve1"): Promise<number> {
  const res = await pveApi(
    platform,
    "GET",
    `/nodes/${node}/tasks?typefilter=vzdump&vmid=${vmid}&source=all&limit=10000`,
  );
  expect(res.status).toBe(200);
  return (res.data as unknown[]).length;
}

/** The app's backups as its owner lists them (every page). */
export async function listBackups(client: GatewayClient, appId: string) {
  const res = await client.get(`/api/apps/${appId}/backups?per_page=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field in tests
  return res.body.items as any[];
}

/**
 * Waits for the scheduler to start a backup of the app that is not in `known`, then for it to end;
 * returns it (whatever its status: callers assert it).
 */
export async function nextScheduledBackup(client: GatewayClient, appId: string, known: ReadonlySet<string>) {
  const fresh = await eventually(
    async () => (await listBackups(client, appId)).find((b) => b.trigger === "scheduled" && !known.has(b.id)),
    { timeoutMs: 30_000, intervalMs: 100, what: `a scheduled backup of ${appId}` },
  );
  return backupSettled(client, appId, fresh.id);
}
