/**
 * PostgreSQL notifications (LISTEN/NOTIFY) for databases made by createDatabase, on a connection of
 * their own (a pooled connection cannot hold a LISTEN). A notification is delivered when the
 * notifying transaction commits, which is exactly when what it announces becomes visible: the
 * outbox relay uses it to publish an event as soon as its business transaction commits instead of
 * on its next poll. Notifications are a hint, never the only path: a listener reconnects after a
 * lost connection (notifications sent meanwhile are lost), so callers keep a slower poll.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@proximity/logger";
import pg from "pg";

/**
 * Where a Kysely instance made by createDatabase keeps its notifications (a registered symbol, so
 * packages that only hold the Kysely instance, such as the bus, can find it without depending on
 * this package): `(db as any)[DATABASE_NOTIFICATIONS] as DatabaseNotifications | undefined`.
 */
export const DATABASE_NOTIFICATIONS: unique symbol = Symbol.for("proximity.db.notifications") as never;

/** The notifications of a Kysely instance made by createDatabase; undefined for any other. */
export function notificationsOf(db: object): DatabaseNotifications | undefined {
  return (db as { [DATABASE_NOTIFICATIONS]?: DatabaseNotifications })[DATABASE_NOTIFICATIONS];
}

/** Notifications of one service's database. */
export interface DatabaseNotifications {
  /** The service's schema (channels are named per schema, as services share one database). */
  readonly schema: string;
  /**
   * LISTENs on `channel` (a plain identifier) and calls `onNotify` for each notification on it;
   * `onListening` says whether the listener is connected (false after a loss, until it is back).
   * @returns stops listening and closes the connection.
   */
  listen(
    channel: string,
    onNotify: () => void,
    onListening?: (listening: boolean) => void,
  ): () => Promise<void>;
}

/** Delay before a lost listener connects again. */
const RECONNECT_MS = 1_000;
/**
 * How often a listening connection proves it still hears its channel (the proof may take two
 * periods). The proof is a notification of its own on the channel, heard back (`HEARTBEAT_PREFIX`): a
 * connection dropped without a reset (a NAT or firewall forgetting it, a failover) would otherwise
 * look like one that is listening while every notification is lost, and so would a live connection
 * that no longer delivers them (a transaction-mode pooler between the service and PostgreSQL, where
 * the LISTEN stays on a server connection the client no longer reads).
 */
const DEFAULT_HEARTBEAT_MS = 5_000;
/**
 * Payloads of the listeners' own heartbeats: never passed on (every listener of the channel, in
 * every replica, hears every replica's heartbeats). The notifiers' own payloads are empty. A
 * replica older than the heartbeat passes them on: during a rolling upgrade its caches are emptied,
 * and its relay runs a batch, at each newer replica's heartbeat, until it is replaced.
 */
const HEARTBEAT_PREFIX = "proximity-heartbeat:";

export function createDatabaseNotifications(options: {
  readonly url: string;
  readonly schema: string;
  readonly connectTimeoutMs: number;
  readonly logger?: Logger | undefined;
  /** Heartbeat period (tests shorten it); a heartbeat not heard back within two is a loss. */
  readonly heartbeatMs?: number;
}): DatabaseNotifications {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  return {
    schema: options.schema,
    listen(channel, onNotify, onListening) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
      let closed = false;
      let current: pg.Client | undefined;
      let timer: NodeJS.Timeout | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      /** The payload of this listener's heartbeat not yet heard back, and the ticks it has missed. */
      let unheard: string | undefined;
      let missed = 0;
      const lost = (client: pg.Client, err?: unknown) => {
        if (current !== client) return; // already handled (error then end)
        current = undefined;
        unheard = undefined; // a late heartbeat of this connection proves nothing of the next
        clearInterval(heartbeat);
        onListening?.(false);
        client.end().catch(() => undefined);
        if (closed) return;
        if (err) options.logger?.warn({ err, channel }, "database notifications lost; reconnecting");
        timer = setTimeout(connect, RECONNECT_MS);
      };
      const beat = (client: pg.Client) => {
        unheard = `${HEARTBEAT_PREFIX}${randomUUID()}`;
        missed = 0;
        client
          .query("select pg_notify($1, $2)", [channel, unheard])
          .catch((err: unknown) => lost(client, err));
      };
      const connect = () => {
        timer = undefined;
        if (closed) return;
        const client = new pg.Client({
          connectionString: options.url,
          application_name: `${options.schema}-listen`,
          connectionTimeoutMillis: options.connectTimeoutMs,
          keepAlive: true,
          query_timeout: 2 * heartbeatMs,
        });
        current = client;
        // Listening is reported once the first heartbeat came back, not when LISTEN answered: a
        // connection that does not deliver notifications never counts as listening.
        let heard = false;
        client.on("notification", (n) => {
          if (n.channel !== channel) return;
          if (n.payload?.startsWith(HEARTBEAT_PREFIX)) {
            if (n.payload !== unheard || current !== client) return; // another listener's
            unheard = undefined;
            if (!heard) onListening?.(true);
            heard = true;
            return;
          }
          onNotify();
        });
        client.on("error", (err) => lost(client, err));
        client.on("end", () => lost(client));
        client
          .connect()
          .then(() => client.query(`listen "${channel}"`))
          .then(() => {
            if (current !== client) return;
            beat(client);
            heartbeat = setInterval(() => {
              if (unheard === undefined) return beat(client);
              // A heartbeat has two periods to come back (PostgreSQL delivers a session's own
              // notification as its statement commits): one slow commit or a busy event loop on a
              // loaded machine is not taken for a loss.
              missed += 1;
              if (missed >= 2) lost(client, new Error("the listener did not hear its own notification back"));
            }, heartbeatMs);
            heartbeat.unref();
          })
          .catch((err: unknown) => lost(client, err));
      };
      connect();
      return async () => {
        closed = true;
        clearTimeout(timer);
        clearInterval(heartbeat);
        const client = current;
        current = undefined;
        onListening?.(false);
        await client?.end().catch(() => undefined);
      };
    },
  };
}
