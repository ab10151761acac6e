import { createHash, randomUUID } from "node:crypto";
import { applicationsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, issueToken, login, request, type Session } from "./support/http-client.js";
import { sessionSecretOf } from "./support/session-ids.js";
import { openSse, type SseConnection, type SseEvent } from "./support/sse-client.js";

const S = applicationsV1.AppStatus;
const EVENTS_ENV = { SSE_POLL_INTERVAL_MS: "50", SSE_HEARTBEAT_MS: "300", SSE_MAX_STREAMS_PER_USER: "2" };

let h: Harness;
let admin: Session;
let owner: Session;
let other: Session;
const open: SseConnection[] = [];

async function stream(path: string, auth: Session | { bearer: string }, headers?: Record<string, string>) {
  const connection = await openSse(h.url, path, { auth, headers });
  open.push(connection);
  return connection;
}

const isStatus = (status: string) => (e: SseEvent) => e.event === "status" && e.data.status === status;

beforeAll(async () => {
  h = await startHarness({ env: EVENTS_ENV });
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  owner = await createUserAndLogin(h.url, admin, "events-owner");
  other = await createUserAndLogin(h.url, admin, "events-other");
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  // Every stream's slot is free again before the next test counts them.
  await eventually(async () => (await openCount()) === 0, { timeoutMs: 5_000, what: "streams to close" });
});
afterAll(async () => {
  await h?.stop();
});

/** Streams the gateway still holds: each one polls ListAppLogs, so new polls mean a live stream. */
async function openCount(): Promise<number> {
  const before = h.fakes.callsTo("listAppLogs").length;
  await new Promise((r) => setTimeout(r, 200));
  return h.fakes.callsTo("listAppLogs").length - before;
}

describe("app events - server-sent progress", () => {
  it("app events - streams the status, new log lines and status changes, then ends when the app is gone", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_DEPLOYING });
    const first = h.fakes.apps.addLog(app.id, { step: "create", message: "creating the container" });
    const sse = await stream(`/api/apps/${app.id}/events`, owner);
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(sse.headers.get("cache-control")).toBe("no-cache");
    expect(sse.headers.get("x-accel-buffering")).toBe("no");
    expect(sse.headers.get("x-request-id")).toBeTruthy();
    expect(sse.headers.get("x-content-type-options")).toBe("nosniff");

    const log = await sse.waitFor((e) => e.event === "log", "the first log line");
    await sse.waitFor(isStatus("deploying"), "the initial status");
    expect(log).toEqual({
      event: "log",
      id: String(first.id),
      data: {
        id: first.id,
        level: "info",
        step: "create",
        message: "creating the container",
        created_at: first.createdAt?.toISOString(),
      },
    });

    const second = h.fakes.apps.addLog(app.id, { step: "start", message: "starting" });
    h.fakes.apps.update(app.id, { status: S.APP_STATUS_RUNNING });
    await sse.waitFor((e) => e.id === String(second.id), "the new log line");
    const running = await sse.waitFor(isStatus("running"), "the status change");
    expect(running.data).toEqual({ status: "running", status_message: null });
    h.fakes.apps.update(app.id, { status: S.APP_STATUS_RUNNING, statusMessage: "update rolled back" });
    await sse.waitFor((e) => e.data?.status_message === "update rolled back", "a changed message");

    h.fakes.apps.remove(app.id);
    await sse.ended;
    expect(sse.events.at(-1)).toEqual({
      event: "status",
      data: { status: "deleted", status_message: "The app no longer exists" },
    });
    // Each line and each status exactly once, in order; a poll's lines come before its status.
    const seen = sse.events.filter((e) => e.event).map((e) => (e.event === "log" ? e.id : e.data.status));
    expect(seen).toEqual([String(first.id), "deploying", String(second.id), "running", "running", "deleted"]);
  });

  it("app events - heartbeats keep an idle stream alive", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });
    const sse = await stream(`/api/apps/${app.id}/events`, owner);
    await sse.waitFor((e) => e.comment === "heartbeat", "a heartbeat");
  });

  it("app events - a reconnect resumes after Last-Event-ID", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });
    const [a, b, c] = [1, 2, 3].map((n) => h.fakes.apps.addLog(app.id, { message: `line ${n}` }));
    const sse = await stream(`/api/apps/${app.id}/events`, owner, { "last-event-id": String(a!.id) });
    await sse.waitFor((e) => e.id === String(c!.id), "the last line");
    expect(sse.events.filter((e) => e.event === "log").map((e) => e.id)).toEqual([
      String(b!.id),
      String(c!.id),
    ]);
    expect(
      h.fakes.callsTo("listAppLogs").find((call) => call.request.appId === app.id)?.request,
    ).toMatchObject({
      afterId: a!.id,
    });
  });

  it("app events - a new stream starts after ?after_id; a Last-Event-ID of its own reconnect wins", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });
    const [a, b, c] = [1, 2, 3].map((n) => h.fakes.apps.addLog(app.id, { message: `line ${n}` }));
    const resumed = await stream(`/api/apps/${app.id}/events?after_id=${a!.id}`, owner);
    await resumed.waitFor((e) => e.id === String(c!.id), "the last line");
    expect(resumed.events.filter((e) => e.event === "log").map((e) => e.id)).toEqual([
      String(b!.id),
      String(c!.id),
    ]);
    const reconnected = await stream(`/api/apps/${app.id}/events?after_id=${a!.id}`, owner, {
      "last-event-id": String(b!.id),
    });
    await reconnected.waitFor((e) => e.id === String(c!.id), "the last line");
    expect(reconnected.events.filter((e) => e.event === "log").map((e) => e.id)).toEqual([String(c!.id)]);
    const bad = await stream(`/api/apps/${app.id}/events?after_id=-1`, owner);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["after_id"]);
  });

  it("app events - another user's app is a plain 404 and no stream opens; admins may watch", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId });
    const denied = await stream(`/api/apps/${app.id}/events`, other);
    expect(denied).toMatchObject({ status: 404, body: { detail: "App not found" } });
    const unknown = await stream(`/api/apps/${randomUUID()}/events`, owner);
    expect(unknown.body).toEqual({ detail: "App not found" });
    const notUuid = await stream("/api/apps/nope/events", owner);
    expect(notUuid.status).toBe(404);
    const watched = await stream(`/api/apps/${app.id}/events`, admin);
    expect(watched.status).toBe(200);
  });

  it("app events - a read-only API token may stream (GET needs no CSRF); anonymous callers get 401", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_STOPPED });
    const token = await issueToken(h.url, owner, { name: "watcher", scopes: ["read"] });
    const sse = await stream(`/api/apps/${app.id}/events`, { bearer: token });
    await sse.waitFor(isStatus("stopped"), "the status over a token");
    const anonymous = await openSse(h.url, `/api/apps/${app.id}/events`);
    expect(anonymous).toMatchObject({ status: 401, body: { detail: "Not authenticated" } });
  });

  it("app events - a malformed Last-Event-ID is 400 at the field", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId });
    const sse = await stream(`/api/apps/${app.id}/events`, owner, { "last-event-id": "12; drop" });
    expect(sse.status).toBe(400);
    expect(sse.body.errors.map((e: { field: string }) => e.field)).toEqual(["last-event-id"]);
  });

  it("app events - at most SSE_MAX_STREAMS_PER_USER streams per user; closing one frees its place", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });
    const path = `/api/apps/${app.id}/events`;
    const one = await stream(path, owner);
    await stream(path, owner);
    const third = await stream(path, owner);
    expect(third).toMatchObject({
      status: 429,
      body: { detail: expect.stringMatching(/At most 2 event streams/) },
    });
    // Another user's budget is their own.
    expect((await stream(path, admin)).status).toBe(200);
    one.close();
    await eventually(async () => (await stream(path, owner)).status === 200, {
      timeoutMs: 5_000,
      what: "a freed stream slot",
    });
  });

  it("app events - logging out ends the session's open streams at the next heartbeat", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });
    const session = await login(h.url, "events-owner", "a-long-enough-password-123");
    const sse = await stream(`/api/apps/${app.id}/events`, session);
    await sse.waitFor(isStatus("running"), "the stream to open");
    const logout = await request(h.url, "POST", "/api/auth/logout", { auth: session });
    expect(logout.status).toBe(204);
    await Promise.race([
      sse.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error("stream outlived the logout")), 5_000)),
    ]);
  });
});

describe("app events - idle sessions", () => {
  it("app events - an open stream does not keep its session alive: the heartbeat re-checks without touching, and the idle session ends it", async () => {
    const app = h.fakes.apps.seed({ ownerId: owner.userId, status: S.APP_STATUS_RUNNING });
    const session = await login(h.url, "events-owner", "a-long-enough-password-123");
    const idHash = createHash("sha256").update(sessionSecretOf(session), "utf8").digest("hex");
    const sse = await stream(`/api/apps/${app.id}/events`, session);
    await sse.waitFor(isStatus("running"), "the stream to open");
    // Last used almost the idle timeout (30 minutes) ago: only a touch would keep it alive.
    const idleMs = 30 * 60_000;
    await sql`update sessions set last_seen_at = now() - make_interval(secs => ${(idleMs - 2_000) / 1000})
      where id_hash = ${idHash}`.execute(h.db);
    // A recorded use only ever moves forward, so it sends no notice (migration 0008); this one moved
    // back by hand: the notice makes the replica read the session again instead of its cached copy.
    await sql`select pg_notify('gateway_credentials', '')`.execute(h.db);
    const lastSeen = async () =>
      (
        await h.db
          .selectFrom("sessions")
          .select("last_seen_at")
          .where("id_hash", "=", idHash)
          .executeTakeFirst()
      )?.last_seen_at.getTime();
    const before = await lastSeen();
    // Two heartbeats later the first one's credential check (run after its comment) is done.
    const seen = sse.events.length;
    const heartbeatsSince = () => sse.events.slice(seen).filter((e) => e.comment === "heartbeat");
    await sse.waitFor(() => heartbeatsSince().length >= 2, "two heartbeats after the backdating");
    expect(await lastSeen()).toBe(before);
    // Past the idle timeout the next heartbeat finds the session gone and ends the stream.
    await Promise.race([
      sse.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error("stream kept an idle session")), 6_000)),
    ]);
    expect((await request(h.url, "GET", "/api/auth/me", { auth: session })).status).toBe(401);
  });
});

describe("app events - shutdown", () => {
  it("app events - a graceful stop ends open streams instead of waiting for them", async () => {
    const own = await startHarness({ env: EVENTS_ENV });
    const session = await login(own.url, "admin", ADMIN_PASSWORD);
    const app = own.fakes.apps.seed({ ownerId: session.userId, status: S.APP_STATUS_RUNNING });
    const sse = await openSse(own.url, `/api/apps/${app.id}/events`, { auth: session });
    await sse.waitFor(isStatus("running"), "the stream to open");
    const stopped = own.stop().then(() => "stopped");
    const result = await Promise.race([
      stopped,
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 8_000)),
    ]);
    expect(result).toBe("stopped");
    await sse.ended;
  });
});
