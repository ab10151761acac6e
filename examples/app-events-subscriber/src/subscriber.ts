import {
  type Bus,
  type ConsumerDefinition,
  createEventConsumer,
  defineConsumer,
  type EventConsumer,
  type EventDefinition,
  Events,
  type EventVerifier,
  type MessageContext,
  subscribe,
} from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { applicationsEventsV1 } from "@proximity/proto";

/**
 * The public app events of the applications service (contract: docs/events.md). The requests it
 * sends the provisioner (app_*_requested) share the stream but are internal: not listed here, they
 * reach this consumer's filter and are acknowledged without a handler.
 */
export const PUBLIC_APP_EVENTS = {
  AppDeployed: Events.AppDeployed,
  AppStarted: Events.AppStarted,
  AppStopped: Events.AppStopped,
  AppRestarted: Events.AppRestarted,
  AppUpdated: Events.AppUpdated,
  AppDeleted: Events.AppDeleted,
  AppCloned: Events.AppCloned,
  AppAdopted: Events.AppAdopted,
  AppOperationFailed: Events.AppOperationFailed,
  AppNeedsAttention: Events.AppNeedsAttention,
} as const;

export type PublicAppEventName = keyof typeof PUBLIC_APP_EVENTS;

/**
 * The subscriber's durable consumer: its name, stream and events. A deployment that runs it adds
 * it to the NATS configuration's topology (natsServerConfig `topology`) with the subscriber's own
 * NATS user, so the server lets it use this durable and nothing else.
 */
export function appEventsConsumer(durable = "example-app-events"): ConsumerDefinition {
  return defineConsumer("example-app-events-subscriber", durable, Object.values(PUBLIC_APP_EVENTS));
}

/** What the subscriber logs for each event, one line each. */
export interface AppEventLine {
  readonly event: PublicAppEventName;
  readonly eventId: string;
  readonly appId: string;
  readonly ownerId: string;
  readonly hostname: string;
  /** The operation behind the event ("" for AppNeedsAttention, which reconciliation raises). */
  readonly operationId: string;
  /** Failure reason or attention reason; "" otherwise. */
  readonly reason: string;
}

/** Every public app event carries the app (AppRef); most carry the operation that caused it. */
interface AppEventPayload {
  readonly app?: applicationsEventsV1.AppRef | undefined;
  readonly operationId?: string;
  readonly reason?: string;
}

/**
 * Event ids already handled, in memory. Enough for one replica of a service with no database:
 * JetStream delivers at least once (a redelivery after a lost ack, a publisher retry after a
 * crash), so a handler must tolerate seeing an event twice.
 *
 * A service with a database does better with the inbox of @proximity/bus: run the handler's
 * writes inside `processOnce(db, durable, ctx.eventId, async (trx) => …)`; the (consumer,
 * event_id) primary key then decides, across restarts and replicas.
 */
export class SeenEvents {
  readonly #ids = new Set<string>();
  constructor(readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    this.#ids.add(id);
    // A Set iterates in insertion order: the first id is the oldest.
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value as string);
  }
}

export interface AppEventsSubscriberOptions {
  readonly bus: Bus;
  readonly logger: Logger;
  /**
   * Durable consumer name: one per subscribing service and purpose, never shared with another
   * service (each durable keeps its own position in the stream and receives every event once).
   */
  readonly durable?: string;
  /**
   * Checks that each event is the applications service's signed event before it is logged
   * (eventVerifier with the applications service's public key); others are dead-lettered.
   */
  readonly verifier: EventVerifier;
  readonly seen?: SeenEvents;
  /** Called once per event after the line is logged (tests, or the service's own work). */
  readonly onEvent?: (line: AppEventLine) => void | Promise<void>;
}

/**
 * A durable pull consumer on the APPLICATIONS stream that logs one line per public app event.
 * Events of one stream are delivered in publication order to one consumer; a handler that throws
 * is retried with backoff and dead-lettered after its last attempt.
 * @example
 * const subscriber = createAppEventsSubscriber({ bus, logger, durable: "billing-app-events" });
 * await subscriber.start();
 */
export function createAppEventsSubscriber(options: AppEventsSubscriberOptions): EventConsumer {
  const seen = options.seen ?? new SeenEvents();
  const handlerFor =
    <T extends AppEventPayload>(event: PublicAppEventName) =>
    async (payload: T, ctx: MessageContext): Promise<void> => {
      if (seen.has(ctx.eventId)) {
        ctx.log.debug({ event }, "app event already handled; skipped");
        return;
      }
      const line: AppEventLine = {
        event,
        eventId: ctx.eventId,
        appId: payload.app?.appId ?? "",
        ownerId: payload.app?.ownerId ?? "",
        hostname: payload.app?.hostname ?? "",
        operationId: payload.operationId ?? "",
        reason: payload.reason ?? "",
      };
      options.logger.info(line, `${event} ${line.hostname || line.appId}`);
      await options.onEvent?.(line);
      // Remembered only once handled: a failure above leaves the event to be redelivered.
      seen.add(ctx.eventId);
    };
  const subscriptions = Object.entries(PUBLIC_APP_EVENTS).map(([name, event]) =>
    subscribe(event as EventDefinition<AppEventPayload>, handlerFor(name as PublicAppEventName)),
  );
  return createEventConsumer({
    js: options.bus.js,
    jsm: options.bus.jsm,
    ns: options.bus.ns,
    logger: options.logger,
    durable: appEventsConsumer(options.durable),
    verifier: options.verifier,
    subscriptions,
  });
}
