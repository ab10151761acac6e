/**
 * The users' side of a chaos run: `deploys` app scripts, `concurrency` at a time, each owned by one
 * of the users. A script deploys an app, waits for it to settle (read from the database, so waiting
 * costs the services nothing), then runs a few life-cycle actions on it (stop, start, restart, now
 * and then a backup or a clone, a retry of a failed deploy) and deletes a third of the apps. A refused
 * action (409: the app is busy or in a state that does not allow it) is counted, never retried.
 */
import { IN_FLIGHT_STATUSES } from "@proximity/applications";
import type pg from "pg";
import type { GatewayClient } from "../../e2e/src/index.js";

export type Action = "deploy" | "start" | "stop" | "restart" | "retry" | "delete" | "backup" | "clone";

export interface WorkloadTally {
  /** Requests answered 202 (an operation was started), per action. */
  readonly accepted: Record<string, number>;
  /** Requests refused with 409 (busy, or not allowed in the app's state), per action. */
  readonly refused: Record<string, number>;
  /** Other answers (5xx, network errors), per action, and a few examples. */
  readonly failed: Record<string, number>;
  readonly failures: string[];
  /** A few 409 answers (why the platform refused). */
  readonly refusals: string[];
  /** POST → `running`, for deploys that got there while the script waited (ms). */
  readonly deployMs: number[];
  /** Scripts whose app did not settle within the wait (the audit after settling tells why). */
  unsettled: number;
  /** Every app the run created (clones included). */
  readonly appIds: Set<string>;
}

export interface WorkloadOptions {
  readonly deploys: number;
  readonly concurrency: number;
  /** One signed-in client per user; app i belongs to users[i % users.length]. */
  readonly users: readonly GatewayClient[];
  readonly db: pg.Pool;
  /** Longest wait for an app to settle between two actions. */
  readonly settleWaitMs: number;
  /** Prefix of host names (unique per run). */
  readonly prefix: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function newTally(): WorkloadTally {
  return {
    accepted: {},
    refused: {},
    failed: {},
    failures: [],
    refusals: [],
    deployMs: [],
    unsettled: 0,
    appIds: new Set(),
  };
}

export async function runWorkload(o: WorkloadOptions, tally: WorkloadTally): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < o.deploys) {
      const i = next++;
      await appScript(o, tally, i).catch((err: unknown) => note(tally, "script", String(err)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.deploys) }, lane));
}

/** A small deterministic generator per script, so a run's mix of actions is reproducible. */
function random(seed: number): () => number {
  let s = (seed * 2654435761 + 1) >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function appScript(o: WorkloadOptions, tally: WorkloadTally, i: number): Promise<void> {
  const client = o.users[i % o.users.length]!;
  const rnd = random(i);
  const started = Date.now();
  const res = await send(tally, "deploy", () =>
    client.post("/api/apps", { catalog_id: "whoami", hostname: `${o.prefix}-${i}` }),
  );
  if (!res) return;
  const id: string = res.id;
  tally.appIds.add(id);
  let status = await settle(o, tally, id);
  if (status === "running") tally.deployMs.push(Date.now() - started);
  if (status === "error" && rnd() < 0.5) {
    if (await send(tally, "retry", () => client.post(`/api/apps/${id}/action`, { action: "retry" })))
      status = await settle(o, tally, id);
  }
  const actions = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < actions && status; k++) {
    const action: Action =
      status === "stopped" ? "start" : status === "running" ? (rnd() < 0.5 ? "stop" : "restart") : "restart";
    if (status !== "running" && status !== "stopped") break;
    if (await send(tally, action, () => client.post(`/api/apps/${id}/action`, { action })))
      status = await settle(o, tally, id);
  }
  if (i % 10 === 3 && (status === "running" || status === "stopped")) {
    if (await send(tally, "backup", () => client.post(`/api/apps/${id}/backups`, {})))
      status = await settle(o, tally, id);
  }
  if (i % 20 === 7 && (status === "running" || status === "stopped")) {
    const clone = await send(tally, "clone", () =>
      client.post(`/api/apps/${id}/clone`, { new_hostname: `${o.prefix}-${i}-c` }),
    );
    if (clone) {
      tally.appIds.add(clone.id);
      const cloned = await settle(o, tally, clone.id);
      if (cloned && rnd() < 0.5) await remove(o, tally, client, clone.id);
    }
    status = await settle(o, tally, id);
  }
  if (i % 3 === 0 && status) await remove(o, tally, client, id);
}

async function remove(o: WorkloadOptions, tally: WorkloadTally, client: GatewayClient, id: string) {
  if (await send(tally, "delete", () => client.delete(`/api/apps/${id}?backups=delete`)))
    await settle(o, tally, id);
}

/**
 * Sends one request: the body of a 202, else undefined (409 refused; anything else failed).
 */
async function send(
  tally: WorkloadTally,
  action: Action,
  request: () => Promise<{ status: number; body: unknown }>,
  // biome-ignore lint/suspicious/noExplicitAny: the answer's fields are read where they are needed
): Promise<any> {
  try {
    const res = await request();
    if (res.status === 202) {
      count(tally.accepted, action);
      // A delete answers `{app, backups}`; a backup `{…backup}`; the others the app.
      const body = res.body as { id?: string; app?: { id: string } };
      return body.app ?? body;
    }
    if (res.status === 409) {
      count(tally.refused, action);
      if (tally.refusals.length < 10) tally.refusals.push(`${action}: ${JSON.stringify(res.body)}`);
    } else note(tally, action, `${res.status} ${JSON.stringify(res.body)}`);
  } catch (err) {
    note(tally, action, String(err));
  }
  return undefined;
}

function count(to: Record<string, number>, key: string) {
  to[key] = (to[key] ?? 0) + 1;
}

function note(tally: WorkloadTally, action: string, what: string) {
  count(tally.failed, action);
  if (tally.failures.length < 20) tally.failures.push(`${action}: ${what}`);
}

/**
 * Waits until the app has no operation in flight; returns its status, or undefined when it did not
 * settle in time (the script stops there).
 */
async function settle(o: WorkloadOptions, tally: WorkloadTally, id: string): Promise<string | undefined> {
  const end = Date.now() + o.settleWaitMs;
  while (Date.now() < end) {
    const { rows } = await o.db.query<{ status: string; current_operation: string | null }>(
      "select status, current_operation from applications.apps where id = $1",
      [id],
    );
    const app = rows[0];
    if (
      app &&
      !(IN_FLIGHT_STATUSES as readonly string[]).includes(app.status) &&
      app.current_operation === null
    )
      return app.status;
    await sleep(500);
  }
  tally.unsettled++;
  return undefined;
}
