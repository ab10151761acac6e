import { createServer, type Server, Socket } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabaseNotifications } from "../src/notifications.js";

// @proximity/testing depends on this package: the server's URL comes from the global setup.
const url = inject("databaseUrl");

/** A TCP relay to PostgreSQL that can go silent: it stops passing bytes but closes nothing. */
async function silenceableRelay(): Promise<{ url: string; silence: () => void; close: () => void }> {
  const target = new URL(url);
  let silent = false;
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.push(client, upstream);
    upstream.connect(Number(target.port || 5432), target.hostname);
    client.on("data", (chunk) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!silent) client.write(chunk);
    });
    for (const s of [client, upstream]) s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const relayed = new URL(url);
  relayed.hostname = "127.0.0.1";
  relayed.port = String(port);
  return {
    url: relayed.toString(),
    silence: () => {
      silent = true;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe("database notifications", () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("notifications - a connection that goes silent without closing is noticed by the heartbeat and reported lost", async () => {
    const relay = await silenceableRelay();
    cleanups.push(relay.close);
    const states: boolean[] = [];
    let notices = 0;
    const notifications = createDatabaseNotifications({
      url: relay.url,
      schema: "notify_test",
      connectTimeoutMs: 2_000,
      heartbeatMs: 200,
    });
    const stop = notifications.listen(
      "notify_test_heartbeat",
      () => {
        notices += 1;
      },
      (listening) => states.push(listening),
    );
    cleanups.push(stop);
    expect(await until(() => states.at(-1) === true, 5_000)).toBe(true);
    const notifier = new pg.Client({ connectionString: url });
    await notifier.connect();
    cleanups.push(() => notifier.end());
    await notifier.query("select pg_notify('notify_test_heartbeat', '')");
    expect(await until(() => notices === 1, 2_000)).toBe(true);
    relay.silence();
    // Nothing was closed: only the unanswered heartbeat tells the listener it hears nothing.
    expect(await until(() => states.includes(false), 3_000)).toBe(true);
  });
});
