import type { Logger } from "@proximity/logger";
import type { Tracer } from "@proximity/telemetry";
import type { ConsumerInfo, JetStreamClient, JetStreamManager } from "nats";
import { createEventConsumer, type EventConsumer, type Subscription } from "./consumer.js";
import type { EventVerifier } from "./signature.js";
import { streamName } from "./streams.js";
import type { ConsumerDefinition } from "./topology.js";

const CONSUMER_NOT_FOUND = 10014;

export interface RetireDurableOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ns: string;
  readonly logger: Logger;
  /** The retired durable (one of `RetiredDurables`). */
  readonly durable: ConsumerDefinition;
  /** Its handlers, as createEventConsumer takes them: what it still holds is handled as before. */
  // biome-ignore lint/suspicious/noExplicitAny: heterogeneous handler list, each typed by subscribe()
  readonly subscriptions: readonly Subscription<any>[];
  readonly verifier: EventVerifier;
  readonly tracer?: Tracer;
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
 * Drains a durable that a release replaced, then deletes it: an older producer may have left in it
 * events its replacement does not receive (another subject), which are handled here as before.
 * Drained means every message its stream held when this began was delivered and every delivered
 * message acknowledged; events published later on its subjects come from producers of the new
 * release too (who also publish what its replacement takes) or from an older producer still
 * running, which is why the release notes ask to upgrade producers first. Replicas may retire the
 * same durable at once: they share its messages, and deleting one already gone is done.
 *
 * Absent (a new installation, or retired already): nothing to do. The handlers must dedupe on the
 * same inbox key as the replacement's, since while it drains the retired durable may also deliver
 * events the replacement handles.
 */
export function retireDurable(o: RetireDurableOptions): RetiringDurable {
  const stream = streamName(o.ns, o.durable.stream);
  const name = o.durable.name;
  const log = o.logger.child({ consumer: name });
  const stopping = new AbortController();
  let consumer: EventConsumer | undefined;

  const info = (): Promise<ConsumerInfo | undefined> =>
    o.jsm.consumers.info(stream, name).catch((err: unknown) => {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === CONSUMER_NOT_FOUND)
        return undefined;
      throw err;
    });
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.pollMs ?? 5_000);
      stopping.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
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
          await stopConsumer();
          if (until !== undefined) log.info("retired durable deleted elsewhere");
          return;
        }
        until ??= (await o.jsm.streams.info(stream)).state.last_seq;
        if (isDrained(current, until)) {
          // Stopped before judging: a handler still running would acknowledge after the judgement.
          await stopConsumer();
          const settled = await info();
          if (settled && isDrained(settled, until)) {
            await o.jsm.consumers.delete(stream, name).catch((err: unknown) => {
              const code = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
              if (code !== CONSUMER_NOT_FOUND) throw err;
            });
            log.info({ upToStreamSeq: until }, "retired durable drained and deleted");
            return;
          }
        }
        if (!consumer && !stopping.signal.aborted) {
          log.info({ pending: current.num_pending, upToStreamSeq: until }, "draining a retired durable");
          consumer = createEventConsumer({
            js: o.js,
            jsm: o.jsm,
            ns: o.ns,
            logger: o.logger,
            durable: o.durable,
            subscriptions: o.subscriptions,
            verifier: o.verifier,
            ...(o.tracer ? { tracer: o.tracer } : {}),
          });
          await consumer.start();
        }
      } catch (err) {
        // NATS away, or a replica deleted it mid-start: tried again at the next poll.
        log.warn({ err }, "retiring a durable failed; retrying");
        await stopConsumer().catch(() => undefined);
      }
      await pause();
    }
  };

  const done = run().finally(stopConsumer);
  return {
    done,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}

/**
 * Every message up to stream sequence `until` that matches its filter was delivered (or none is
 * left to deliver), and every delivered one acknowledged (the ack floor caught up with delivery).
 */
function isDrained(info: ConsumerInfo, until: number): boolean {
  const delivered = info.num_pending === 0 || info.delivered.stream_seq >= until;
  return (
    delivered && info.ack_floor.consumer_seq === info.delivered.consumer_seq && info.num_ack_pending === 0
  );
}
