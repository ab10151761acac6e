import { createServer, type Server, Socket } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabaseNotifications } from "../src/notifications.js";

// @proximity/testing depends on this package: the server's URL comes from the global setup.
const url = inject("databaseUrl");

/**
 * A TCP relay to PostgreSQL that can go silent (it stops passing bytes but closes nothing), or drop
 * the server's notifications (NotificationResponse, message type `A`) while passing everything
 * else, as a connection that no longer delivers them would.
 */
async function silenceableRelay(): Promise<{
  url: string;
  silence: () => void;
  dropNotices: () => void;
  /** Passes everything again, the server's messages `delayMs` late (in order). */
  restore: (delayMs?: number) => void;
  close: () => void;
}> {
  const target = new URL(url);
  let silent = false;
  let droppingNotices = false;
  let delayMs = 0;
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.push(client, upstream);
    upstream.connect(Number(target.port || 5432), target.hostname);
    client.on("data", (chunk) => {
      if (!silent) upstream.write(chunk);
    });
    // Every server message is a type byte and a length (which counts itself): relayed whole.
    let pending = Buffer.alloc(0);
    upstream.on("data", (chunk) => {
      if (silent) return;
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        const end = 1 + pending.readInt32BE(1);
        const message = pending.subarray(0, end);
        pending = pending.subarray(end);
        if (droppingNotices && message[0] === 0x41) continue;
        if (delayMs > 0) setTimeout(() => client.write(message), delayMs);
        else client.write(message);
      }
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
    dropNotices: () => {
      droppingNotices = true;
    },
    restore: (delay = 0) => {
      droppingNotices = false;
      delayMs = delay;
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

  /** Listens on `channel` through `via` (a relay's URL, or the server's): its states and notices so far. */
  function listenVia(via: string, channel: string, heartbeatMs: number) {
    const heard = { states: [] as boolean[], notices: 0 };
    const notifications = createDatabaseNotifications({
      url: via,
      schema: "notify_test",
      connectTimeoutMs: 2_000,
      heartbeatMs,
    });
    cleanups.push(
      notifications.listen(
        channel,
        () => {
          heard.notices += 1;
        },
        (listening) => heard.states.push(listening),
      ),
    );
    return heard;
  }

  /** Sends one notice on `channel` from a connection of its own. */
  async function notify(channel: string): Promise<void> {
    const notifier = new pg.Client({ connectionString: url });
    await notifier.connect();
    try {
      await notifier.query("select pg_notify($1, '')", [channel]);
    } finally {
      await notifier.end();
    }
  }

  /** A listener through a relay, listening and with one notice heard through it. */
  async function heardThroughRelay(channel: string) {
    const relay = await silenceableRelay();
    cleanups.push(relay.close);
    const heard = listenVia(relay.url, channel, 200);
    expect(await until(() => heard.states.at(-1) === true, 5_000)).toBe(true);
    await notify(channel);
    expect(await until(() => heard.notices === 1, 2_000)).toBe(true);
    return { relay, heard };
  }

  it("notifications - a connection that goes silent without closing is noticed by the heartbeat and reported lost", async () => {
    const { relay, heard } = await heardThroughRelay("notify_test_heartbeat");
    relay.silence();
    // Nothing was closed: only the unanswered heartbeat tells the listener it hears nothing.
    expect(await until(() => heard.states.includes(false), 3_000)).toBe(true);
  });

  it("notifications - a live connection that stops delivering notifications is reported lost (its own heartbeat is not heard back)", async () => {
    const { relay, heard } = await heardThroughRelay("notify_test_dropped");
    relay.dropNotices();
    // Queries are still answered: only the notifications are gone.
    expect(await until(() => heard.states.includes(false), 3_000)).toBe(true);
    expect(heard.notices).toBe(1);
  });

  it("notifications - heartbeats, its own and other listeners', are never passed on as notices, and keep a healthy listener listening", async () => {
    const listeners = [0, 1].map(() => listenVia(url, "notify_test_quiet", 100));
    const states = () => listeners.map((l) => l.states);
    const counts = () => listeners.map((l) => l.notices);
    expect(await until(() => states().every((s) => s.at(-1) === true), 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000)); // ten heartbeats each
    expect(counts()).toEqual([0, 0]);
    expect(states()).toEqual([[true], [true]]);
    await notify("notify_test_quiet");
    expect(await until(() => counts().every((n) => n === 1), 2_000)).toBe(true);
  });

  it("notifications - a connection that never delivers notifications is never reported listening; one that delivers them again is, and stays so", async () => {
    const relay = await silenceableRelay();
    cleanups.push(relay.close);
    relay.dropNotices(); // from the start: a pooler that answers LISTEN but delivers nothing
    const { states } = listenVia(relay.url, "notify_test_never", 100);
    await new Promise((r) => setTimeout(r, 1_500)); // LISTEN answered, then lost and retried
    expect(states).not.toContain(true);
    expect(states).toContain(false);
    relay.restore();
    expect(await until(() => states.at(-1) === true, 5_000)).toBe(true);
    const since = states.length;
    await new Promise((r) => setTimeout(r, 600)); // six heartbeats
    expect(states.slice(since)).toEqual([]);
  });

  it("notifications - a heartbeat slower than one period (a loaded machine) is not taken for a loss", async () => {
    const relay = await silenceableRelay();
    cleanups.push(relay.close);
    const { states } = listenVia(relay.url, "notify_test_slow", 200);
    expect(await until(() => states.at(-1) === true, 5_000)).toBe(true);
    relay.restore(260); // every answer comes back 1.3 periods late
    await new Promise((r) => setTimeout(r, 2_000));
    expect(states).toEqual([true]);
  });
});
