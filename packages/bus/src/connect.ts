import type { Logger } from "@proximity/logger";
import {
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  nkeyAuthenticator,
} from "nats";
import { DEFAULT_STREAM_LIMITS, declareStream, type StreamLimits, streamsOwnedBy } from "./streams.js";

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
  /**
   * The connecting service: the connection's name, its inbox prefix (inboxPrefixOf) and the
   * streams it keeps up to date (those it owns).
   */
  readonly name: string;
  readonly ns: string;
  readonly logger: Logger;
  /**
   * The service's NATS user nkey seed (ServiceKeys.natsSeed). A server with authentication
   * refuses a connection without the seed of a user it knows; one without ignores it.
   */
  readonly natsSeed?: string;
  /** Limits of the streams this service owns; default DEFAULT_STREAM_LIMITS. */
  readonly streamLimits?: StreamLimits;
}

/**
 * The inbox prefix of a service's connection: replies to its requests (JetStream API answers,
 * publish acks, pulled messages) arrive below it, and its NATS user may subscribe there only, so
 * no service reads another's replies.
 */
export function inboxPrefixOf(service: string): string {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(service)) throw new Error(`not a service name: ${service}`);
  return `_INBOX_${service}`;
}

/**
 * Connects to NATS as the service (its nkey), reconnecting forever, and declares the streams the
 * service owns (create, or update to the configuration in code). Streams it consumes are created
 * if absent by its consumers; it never changes another service's stream.
 * @example
 * const bus = await connectBus({ servers: config.NATS_URL, name: "applications", ns, logger,
 *   natsSeed: keys.natsSeed });
 */
export async function connectBus(options: ConnectBusOptions): Promise<Bus> {
  const nc = await connect({
    servers: options.servers.split(","),
    name: options.name,
    inboxPrefix: inboxPrefixOf(options.name),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    ...(options.natsSeed
      ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(options.natsSeed)) }
      : {}),
  });
  const log = options.logger.child({ component: "nats" });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error")
        log.warn({ status: s.type, detail: String(s.data) }, "nats connection status changed");
    }
  })();
  try {
    const jsm = await nc.jetstreamManager();
    for (const stream of streamsOwnedBy(options.name))
      await declareStream(jsm, options.ns, stream, {
        update: true,
        limits: options.streamLimits ?? DEFAULT_STREAM_LIMITS,
      });
    return {
      nc,
      js: nc.jetstream(),
      jsm,
      ns: options.ns,
      close: async () => {
        if (!nc.isClosed()) await nc.drain();
      },
    };
  } catch (err) {
    await nc.close();
    throw err;
  }
}
