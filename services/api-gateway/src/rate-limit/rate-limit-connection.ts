import { inboxPrefixOf } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { connect, type NatsConnection, nkeyAuthenticator } from "nats";

/** The gateway's NATS connection for rate-limit counters: usable only while `current()` is set. */
export interface RateLimitConnection {
  /** The connection while it is up; undefined before the first connect and during outages. */
  current(): NatsConnection | undefined;
  /** Resolves once the first connect attempt succeeded or failed, at most after `timeoutMs` (never throws). */
  ready(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitConnectionOptions {
  readonly servers: string;
  /** The gateway's NATS user seed (ServiceKeys.natsSeed). */
  readonly natsSeed: string;
  readonly logger: Logger;
}

/**
 * Connects in the background and reconnects forever. The gateway starts and serves without NATS
 * (rate limits then fail open, see kv-counter-store.ts); callers never wait on a connection that
 * is down, they check `current()`.
 */
export function connectRateLimitNats(options: RateLimitConnectionOptions): RateLimitConnection {
  const log = options.logger.child({ component: "rate-limit-nats" });
  let nc: NatsConnection | undefined;
  let up = false;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failedAttempts = 0;

  const watch = async (connection: NatsConnection) => {
    for await (const status of connection.status()) {
      if (status.type === "disconnect" || status.type === "error") up = false;
      if (status.type === "reconnect") up = true;
      if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error")
        log.warn({ status: status.type }, "nats connection status changed");
    }
  };

  // The first connect is retried here (nats.js reconnects by itself only once connected), so a
  // NATS that is down at start delays nothing and close() can always stop the attempts.
  const attempt = async (): Promise<void> => {
    try {
      const connection = await connect({
        servers: options.servers.split(","),
        name: "api-gateway",
        // Replies arrive under the gateway's own inbox prefix, the only one its NATS user may read.
        inboxPrefix: inboxPrefixOf("api-gateway"),
        timeout: 5_000,
        authenticator: nkeyAuthenticator(new TextEncoder().encode(options.natsSeed)),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        noAsyncTraces: true, // as @proximity/bus: no stack captured per KV request
      });
      if (closed) {
        await connection.close();
        return;
      }
      nc = connection;
      up = true;
      void watch(connection);
    } catch (err) {
      if (closed) return;
      // Once a minute at most while it stays down.
      if (failedAttempts++ % 30 === 0)
        log.warn({ err }, "nats connection failed; rate limits fail open until it succeeds");
      retryTimer = setTimeout(() => void attempt(), 2_000);
      retryTimer.unref();
    }
  };
  const first = attempt();

  return {
    current: () => (up && nc && !nc.isClosed() ? nc : undefined),
    ready: async (timeoutMs) => {
      // The first attempt settles either way (connected, or failed and retrying in the background).
      await Promise.race([first, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
    close: async () => {
      closed = true;
      up = false;
      clearTimeout(retryTimer);
      await first;
      if (nc && !nc.isClosed()) await nc.close();
    },
  };
}
