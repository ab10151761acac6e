import type { Logger } from "@proximity/logger";
import {
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  nkeyAuthenticator,
} from "nats";
import {
  DEFAULT_STREAM_LIMITS,
  declareStream,
  explainMissingStream,
  type StreamLimits,
  type StreamName,
  streamName,
  streamsOwnedBy,
} from "./streams.js";
import { Broadcasts, Durables } from "./topology.js";

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
   * The connecting service: the connection's name, its inbox prefix (inboxPrefixOf) and, with
   * `declareStreams`, the streams it declares (its own, and those its consumers read).
   */
  readonly name: string;
  readonly ns: string;
  readonly logger: Logger;
  /**
   * The service's NATS user nkey seed (ServiceKeys.natsSeed). A server with authentication
   * refuses a connection without the seed of a user it knows; one without ignores it.
   */
  readonly natsSeed?: string;
  /**
   * Declare the streams this service uses (BUS_DECLARE_STREAMS): create or update its own, create
   * those its consumers read (and the dead letters) if absent. Only for a server without
   * authentication (tests, a development server); on one with authentication the setup step
   * declared every stream (declareBus) and no service has the right to. Default false: the
   * service only checks that its own streams exist.
   */
  readonly declareStreams?: boolean;
  /** Limits of the streams this service owns when it declares them; default DEFAULT_STREAM_LIMITS. */
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
 * Connects to NATS as the service (its nkey), reconnecting forever. The streams are the setup
 * step's (declareBus): the service checks that its own exist and fails at once, saying so, when
 * they do not. With `declareStreams` (a server without authentication) it declares what it uses
 * itself instead: its own streams created or updated, the ones its consumers read created if
 * absent, another service's stream never changed.
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
    // No stack captured per request (every PubAck and KV call is one): it was a few ms of CPU per
    // deploy (profiled); a failed request still says what failed, without the caller's stack.
    noAsyncTraces: true,
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
    if (options.declareStreams) await declareStreamsOf(jsm, options);
    else await assertOwnStreamsExist(jsm, options.ns, options.name);
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

/**
 * What `service` declares itself: its own streams (create or update, with its limits), then
 * those its platform consumers (Durables, Broadcasts) read and the dead letters, if absent.
 */
async function declareStreamsOf(jsm: JetStreamManager, options: ConnectBusOptions): Promise<void> {
  const own = streamsOwnedBy(options.name);
  for (const stream of own)
    await declareStream(jsm, options.ns, stream, {
      update: true,
      limits: options.streamLimits ?? DEFAULT_STREAM_LIMITS,
    });
  const consumers = [...Object.values(Durables), ...Object.values(Broadcasts)].filter(
    (c) => c.service === options.name,
  );
  const read = new Set<StreamName>(consumers.map((c) => c.stream));
  if (consumers.length > 0) read.add("DEAD_LETTERS");
  for (const stream of read)
    if (!own.includes(stream)) await declareStream(jsm, options.ns, stream, { update: false });
}

/** A service's own streams must exist before it publishes: say so plainly when setup has not run. */
async function assertOwnStreamsExist(jsm: JetStreamManager, ns: string, service: string): Promise<void> {
  for (const stream of streamsOwnedBy(service))
    await jsm.streams.info(streamName(ns, stream)).catch((err: unknown) => {
      throw explainMissingStream(err, `stream ${streamName(ns, stream)}`);
    });
}
