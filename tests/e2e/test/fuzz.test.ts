/**
 * The public door under abuse: malformed requests generated from the gateway's own OpenAPI
 * document (fixed seed, so a failure replays), sent as an admin and as a plain user with valid
 * API tokens, so every request passes authentication and reaches validation, against the whole
 * platform (every service on a real database and bus, the Proxmox simulator). An app with a
 * backup and a host exist, so ids in paths name real things. Expected: no answer 5xx, every error
 * the documented `{"detail", "errors"?}` with nothing internal in it, no unsafe request accepted,
 * and not one row of any table of any service changed.
 */
import { writeFileSync } from "node:fs";
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning } from "./support/apps.js";
import { backupCompleted } from "./support/backups.js";
import {
  rowCounts,
  type Snapshot,
  type SnapshotExclusion,
  snapshotDatabase,
  snapshotDifferences,
} from "./support/db-snapshot.js";
import { type FuzzCaller, type FuzzRequest, fuzzRequests, operationsOf } from "./support/fuzz/requests.js";

const SEED = 20_261_202;
const TOTAL_REQUESTS = 10_500;
/** Requests in flight at once: enough to keep the gateway busy on two cores, few enough to stay fair. */
const CONCURRENCY = 8;

/**
 * What changes by design on every request and is therefore left out of the before/after dump.
 * Nothing else may change.
 */
const EXCLUDED: SnapshotExclusion[] = [
  {
    schema: "gateway",
    table: "api_tokens",
    column: "last_used_at",
    reason: "every request authenticated by a token stamps its last use",
  },
  {
    schema: "gateway",
    table: "request_audit",
    reason: "the request audit records every authenticated unsafe request, refused ones included",
  },
  {
    schema: "applications",
    table: "app_counts",
    reason:
      "deltas kept by triggers on apps and folded by a background compaction (same sums, fewer rows); apps itself is compared",
  },
];

/** Texts that only internals would put in an answer: stack frames, SQL, paths, gRPC statuses. */
const INTERNALS: readonly RegExp[] = [
  /\bat [\w$.<>]+ \(/, // a stack frame: "at fn (file:1:2)"
  /\n\s+at /,
  /:\d+:\d+\)/,
  /Error:/,
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/,
  /SQLSTATE|violates|duplicate key|relation "|syntax error/,
  /\/work\//,
  /node_modules/,
  /INTERNAL/,
  /grpc/i,
  /ECONN|EPIPE|ETIMEDOUT/,
  /\bundefined\b|\bnull\b is not/,
];

let platform: Platform;
let callers: FuzzCaller[];

/** The dump, once two in a row (half a second apart) are equal: the platform is at rest. */
async function settledSnapshot(): Promise<Snapshot> {
  let previous = await snapshotDatabase(platform.databaseUrl, EXCLUDED);
  return eventually(
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      const next = await snapshotDatabase(platform.databaseUrl, EXCLUDED);
      const same = snapshotDifferences(previous, next).length === 0;
      previous = next;
      return same ? next : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 0, what: "the platform at rest" },
  );
}

async function tokenOf(client: GatewayClient, scopes: string[]): Promise<string> {
  const res = await client.post("/api/auth/tokens", { name: "fuzz", scopes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token;
}

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "10000000" },
    // Nothing on a timer while the fuzz runs: observation, host checks, reaper and scheduler
    // would change rows by themselves.
    provisionerEnv: { OBSERVE_INTERVAL_MS: "3600000", ORPHAN_RECONCILE_INTERVAL_MS: "3600000" },
    hostsEnv: { HOST_CHECK_INTERVAL_MS: "0" },
    applicationsEnv: { OPERATION_REAPER_INTERVAL_MS: "3600000" },
    backupsEnv: { BACKUP_SCHEDULER_INTERVAL_MS: "3600000" },
  });
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const hostRes = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(hostRes.status, JSON.stringify(hostRes.body)).toBe(201);
  const { client: user, id: userId } = await createUser(platform, admin, "fuzzer");
  const app = await deployRunning(user, "fuzz-target");
  const backup = await backupCompleted(user, app.id);
  const adminToken = await tokenOf(admin, ["read", "write", "admin"]);
  const userToken = await tokenOf(user, ["read", "write"]);
  const userTokenId = userToken.split("_")[1]!;
  const ids = {
    apps: app.id,
    backups: backup.id,
    hosts: hostRes.body.id,
    users: userId,
    catalog: "whoami",
  };
  callers = [
    { name: "admin", token: adminToken, isAdmin: true, ids: { ...ids, tokens: adminToken.split("_")[1]! } },
    { name: "user", token: userToken, isAdmin: false, ids: { ...ids, tokens: userTokenId } },
  ];
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

interface Outcome {
  readonly request: FuzzRequest;
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** Longer than any answer takes: a request still open then (an event stream let through) failed. */
const ANSWER_WITHIN_MS = 30_000;

async function send(request: FuzzRequest): Promise<Outcome> {
  try {
    const res = await fetch(new URL(request.path, platform.url), {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    return {
      request,
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      text: await res.text(),
    };
  } catch (err) {
    if ((err as Error).name !== "TimeoutError") throw err;
    return { request, status: 0, contentType: "", text: `no whole answer within ${ANSWER_WITHIN_MS} ms` };
  }
}

/** Sends every request with at most `limit` in flight; answers in the requests' order. */
async function sendAll(requests: readonly FuzzRequest[], limit: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      outcomes[index] = await send(requests[index]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return outcomes;
}

/** Why an answer breaks the rules (undefined when it keeps them). */
function problemOf({ request, status, contentType, text }: Outcome): string | undefined {
  if (status === 0) return text;
  if (status >= 500) return `status ${status}`;
  const unsafe = !["GET", "HEAD"].includes(request.method);
  if (status < 400) return unsafe ? `accepted (${status}) although malformed` : undefined;
  if (!contentType.startsWith("application/json")) return `error as ${contentType || "no content type"}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "error body is not JSON";
  }
  const { detail, errors, ...rest } = body as { detail?: unknown; errors?: unknown };
  if (typeof detail !== "string" || detail === "") return "no detail";
  if (Object.keys(rest).length > 0) return `unexpected keys ${Object.keys(rest).join(", ")}`;
  if (
    errors !== undefined &&
    !(
      Array.isArray(errors) &&
      errors.every(
        (e) => typeof e?.field === "string" && typeof e?.message === "string" && Object.keys(e).length === 2,
      )
    )
  ) {
    return "errors is not a list of {field, message}";
  }
  const leak = INTERNALS.find((pattern) => pattern.test(text));
  return leak ? `internals in the body (${leak})` : undefined;
}

describe("fuzz - malformed requests from the OpenAPI document", () => {
  it("fuzz - no 5xx, every error a clean {detail}, no malformed write accepted, no row changed", async () => {
    const document = await (await fetch(new URL("/api/openapi.json", platform.url))).json();
    const ops = operationsOf(document as Parameters<typeof operationsOf>[0]);
    const requests = fuzzRequests(ops, callers, TOTAL_REQUESTS, SEED);
    // Every operation is fuzzed by everyone who may call it.
    for (const op of ops) {
      const route = `${op.method} ${op.template}`;
      const by = new Set(requests.filter((r) => r.route === route).map((r) => r.caller));
      expect({ route, by: [...by].sort() }).toEqual({
        route,
        by: op.access === "admin" ? ["admin"] : ["admin", "user"],
      });
    }

    const before = await settledSnapshot();
    const started = Date.now();
    const outcomes = await sendAll(requests, CONCURRENCY);
    const seconds = (Date.now() - started) / 1000;
    const after = await settledSnapshot();

    // FUZZ_REPORT=<file> keeps every request and its answer (JSON lines) for a closer look.
    if (process.env.FUZZ_REPORT) {
      const lines = outcomes.map((o) =>
        JSON.stringify({ ...o.request, status: o.status, answer: o.text.slice(0, 500) }),
      );
      writeFileSync(process.env.FUZZ_REPORT, `${lines.join("\n")}\n`);
    }
    const problems = outcomes
      .map((o) => ({ o, problem: problemOf(o) }))
      .filter((p) => p.problem !== undefined)
      .map(({ o, problem }) => ({
        problem,
        request: `${o.request.caller} ${o.request.method} ${o.request.path.slice(0, 160)}`,
        fault: o.request.fault,
        answer: `${o.status} ${o.text.slice(0, 300)}`,
      }));
    const byStatus: Record<number, number> = {};
    for (const o of outcomes) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    console.info(
      `fuzz: ${outcomes.length} requests over ${ops.length} operations in ${seconds.toFixed(1)} s`,
      `(seed ${SEED}); answers by status ${JSON.stringify(byStatus)}; rows per table`,
      JSON.stringify(rowCounts(before)),
    );

    expect(outcomes.length).toBeGreaterThanOrEqual(10_000);
    expect(problems.slice(0, 30)).toEqual([]);
    expect(snapshotDifferences(before, after)).toEqual([]);
    // The setup left real rows to protect: the dump is not trivially empty.
    expect(rowCounts(before)["applications.apps"]).toBeGreaterThan(0);
    expect(rowCounts(before)["backups.backups"]).toBeGreaterThan(0);
  }, 240_000);
});
