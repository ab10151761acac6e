import { setTimeout as sleep } from "node:timers/promises";
import type { ConsumerInfo } from "nats";
import {
  createEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type Subscription,
} from "./consumer.js";
import { subjectFor } from "./events.js";
import { streamName } from "./streams.js";
import type { ConsumerDefinition } from "./topology.js";

const CONSUMER_NOT_FOUND = 10014;

const isConsumerNotFound = (err: unknown) =>
  (err as { api_error?: { err_code?: number } }).api_error?.err_code === CONSUMER_NOT_FOUND;

export interface RetireDurableOptions
  extends Pick<
    EventConsumerOptions,
    "js" | "jsm" | "ns" | "logger" | "subscriptions" | "verifier" | "tracer"
  > {
  /** The retired durable (one of `RetiredDurables`); its subscriptions handle what it still holds. */
  readonly durable: ConsumerDefinition;
  /**
   * How long after a current producer was first heard from (an event on a variant's subject) and
   * after the last older producer was (an event on a subject the catalog now gives another payload)
   * the durable is deleted: default 15 minutes, the time a rolling upgrade of the producer takes
   * to replace its replicas and their outbox relays to publish what they had left.
   */
  readonly quietMs?: number;
  /** How often its progress is read from the server, default 5 s. */
  readonly pollMs?: number;
}

/** A durable being retired in the background. */
export interface RetiringDurable {
  /** Resolves once the durable is gone from the server (deleted here or elsewhere), or on stop(). */
  readonly done: Promise<void>;
  /** Stops draining (what is left stays on the server for the next start). */
  stop(): Promise<void>;
}

/**
 * Drains a durable that a release replaced, then deletes it. Older producers may have left events
 * in it that its replacement does not receive (they published them on a subject the catalog now
 * gives another, e.g. before an event had variants), or may still be running (consumers are
 * upgraded before producers); what they publish is handled here as before. Deleted once
 *  - every message its stream held when this began is acknowledged,
 *  - a current producer was heard from (the durable's filter covers the variants' subjects too):
 *    the producer's upgrade has begun; until then the durable is kept however long that takes, and
 *  - `quietMs` passed since then and since an older producer was last heard from (and since start).
 * Each replica judges from what it handled: an older producer publishing more than `quietMs` after
 * the first current one (a producer's rollout taking longer) could be deleted under.
 *
 * It is used as the server holds it and never created again (`bindExisting`): absent (a new
 * installation, or retired already, perhaps by another replica meanwhile), there is nothing to do.
 * Replicas may retire it at once: they share its messages, and deleting one already gone is done.
 * Its handlers must dedupe on the same inbox key as the replacement's, since it also delivers the
 * events the replacement handles.
 */
export function retireDurable(o: RetireDurableOptions): RetiringDurable {
  const stream = streamName(o.ns, o.durable.stream);
  const name = o.durable.name;
  const log = o.logger.child({ consumer: name });
  const quietMs = o.quietMs ?? 15 * 60_000;
  const stopping = new AbortController();
  let consumer: EventConsumer | undefined;
  // Monotonic: a clock step must not shorten the quiet period.
  const now = () => performance.now();
  // Counted from the start too: older producers may still be replaced after it.
  let olderProducerHeardAt = now();
  let currentProducerHeardAt: number | undefined;

  // Each handler notes who published: an event on a variant's subject comes from a current
  // producer; one on a subject its producer would no longer use for it, from an older one.
  const subscriptions = o.subscriptions.map(
    (sub): Subscription<unknown> => ({
      ...sub,
      handle: async (payload, ctx) => {
        if (ctx.subject !== undefined) {
          const today = subjectFor(sub.event, payload);
          if (ctx.subject !== today) olderProducerHeardAt = now();
          else if (today !== sub.event.subject) currentProducerHeardAt ??= now();
        }
        await sub.handle(payload, ctx);
      },
    }),
  );
  const quiet = () =>
    currentProducerHeardAt !== undefined &&
    now() - Math.max(currentProducerHeardAt, olderProducerHeardAt) >= quietMs;
  const info = (): Promise<ConsumerInfo | undefined> =>
    o.jsm.consumers.info(stream, name).catch((err: unknown) => {
      if (isConsumerNotFound(err)) return undefined;
      throw err;
    });
  const stopConsumer = async () => {
    const running = consumer;
    consumer = undefined;
    await running?.stop();
  };

  const run = async (): Promise<void> => {
    let until: number | undefined;
    while (!stopping.signal.aborted) {
      try {
        const current = await info();
        if (!current) {
          if (until !== undefined) log.info("retired durable deleted elsewhere");
          return;
        }
        until ??= (await o.jsm.streams.info(stream)).state.last_seq;
        if (isDrained(current, until) && quiet()) {
          // Handlers still running here may finish; their acknowledgements no longer matter.
          await o.jsm.consumers.delete(stream, name).catch((err: unknown) => {
            if (!isConsumerNotFound(err)) throw err;
          });
          log.info({ upToStreamSeq: until }, "retired durable drained and deleted");
          return;
        }
        if (!consumer) {
          log.info({ pending: current.num_pending, upToStreamSeq: until }, "draining a retired durable");
          const started = createEventConsumer({
            js: o.js,
            jsm: o.jsm,
            ns: o.ns,
            logger: o.logger,
            durable: o.durable,
            subscriptions,
            verifier: o.verifier,
            ...(o.tracer ? { tracer: o.tracer } : {}),
            // Never made again: deleted by another replica meanwhile, start fails and the next
            // poll finds it gone.
            bindExisting: true,
          });
          await started.start();
          consumer = started;
        }
      } catch (err) {
        // Deleted by another replica while this one bound to it: the next poll finds it gone.
        if (isConsumerNotFound(err)) log.info("retired durable gone while binding to it");
        else log.warn({ err }, "retiring a durable failed; retrying");
      }
      await sleep(o.pollMs ?? 5_000, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };

  const done = run()
    .finally(stopConsumer)
    .catch((err: unknown) => log.error({ err }, "retiring a durable stopped"));
  return {
    done,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}

/**
 * Every message up to stream sequence `until` that matches its filter is acknowledged: the ack
 * floor (every message below it acknowledged) passed it, or nothing is left to deliver and every
 * delivered message is acknowledged (the last match may lie before `until`, where the floor stops).
 */
function isDrained(info: ConsumerInfo, until: number): boolean {
  return (
    info.ack_floor.stream_seq >= until ||
    (info.num_pending === 0 &&
      info.num_ack_pending === 0 &&
      info.ack_floor.consumer_seq === info.delivered.consumer_seq)
  );
}
