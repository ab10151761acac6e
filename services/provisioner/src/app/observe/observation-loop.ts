/**
 * Container observations: at the start of every interval (timers aligned to interval boundaries)
 * each replica lists the registered hosts and, for every host whose slot it wins (see
 * infra/observation-slots.ts), observes it. Bounded: `concurrency` hosts at once per process,
 * `nodeConcurrency` nodes per host. `stop()` ends the timer and waits for the round in progress.
 */
import { newTraceparent } from "@proximity/bus";
import type { ObservationSlots } from "../../infra/observation-slots.js";
import { mapLimit } from "./map-limit.js";
import { type ObserveDeps, observeHost } from "./observe-host.js";

export interface ObservationLoop {
  stop(): Promise<void>;
}

export interface ObservationSettings {
  readonly intervalMs: number;
  readonly concurrency: number;
  /** Backup storages are listed on every n-th round only (1 = every round). */
  readonly backupsEveryRounds: number;
}

export function startObservationLoop(
  deps: ObserveDeps,
  slots: ObservationSlots,
  settings: ObservationSettings,
): ObservationLoop {
  const log = deps.logger.child({ component: "container-observations" });
  const { intervalMs } = settings;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const runRound = async (slot: number) => {
    const traceparent = newTraceparent();
    const { items: hosts } = await deps.peers.hosts.listHosts({}, { traceparent });
    await mapLimit(hosts, settings.concurrency, async (host) => {
      if (stopped) return;
      try {
        if (!(await slots.claim(host.id, slot))) return; // another replica observes it this interval
        await observeHost(deps, host.id, traceparent, log, {
          backups: slot % settings.backupsEveryRounds === 0,
        });
      } catch (err) {
        log.warn({ err, hostId: host.id }, "observation of a host failed");
      }
    });
  };
  const schedule = () => {
    if (stopped) return;
    // A few ms past the boundary, so every replica computes the new slot.
    const wait = intervalMs - (Date.now() % intervalMs) + 5;
    timer = setTimeout(() => {
      const slot = Math.floor(Date.now() / intervalMs);
      round = round
        .then(() => runRound(slot))
        .catch((err: unknown) => log.warn({ err }, "observation round failed"));
      schedule();
    }, wait);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
