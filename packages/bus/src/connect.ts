import type { Logger } from "@proximity/logger";
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";
import { ensureStreams } from "./streams.js";

/** A NATS connection with its JetStream handles. */
export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ns: string;
  /** Drains (finishes pending publishes) then closes. */
  close(): Promise<void>;
}

export interface ConnectBusOptions {
  readonly servers: string;
  /** Connection name shown by the server (the service name). */
  readonly name: string;
  readonly ns: string;
  readonly logger: Logger;
}

/**
 * Connects to NATS, reconnecting forever, and declares the namespace's streams (idempotent).
 * @example
 * const bus = await connectBus({ servers: config.NATS_URL, name: "applications", ns, logger });
 */
export async function connectBus(options: ConnectBusOptions): Promise<Bus> {
  const nc = await connect({
    servers: options.servers.split(","),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  });
  const log = options.logger.child({ component: "nats" });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error")
        log.warn({ status: s.type }, "nats connection status changed");
    }
  })();
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, options.ns);
  return {
    nc,
    js: nc.jetstream(),
    jsm,
    ns: options.ns,
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
