/**
 * Container observations: once per interval (timers aligned to interval boundaries) each replica
 * lists the registered hosts and, for every host whose slot it wins (see
 * infra/observation-slots.ts), observes it.
 *
 * Spread, not a burst: each host has a fixed phase (from its id) in the first `spread` part of the
 * interval and is not started before it, so a thousand hosts become a steady trickle of calls,
 * of claims and of ContainersObserved for the applications service, at the same point of every
 * interval (each host is observed about `intervalMs` apart). Bounded: `concurrency` hosts at once
 * per process, `nodeConcurrency` nodes per host, one observation per host at a time (rounds run
 * one after another). Per host the cost is the same whatever the number of hosts: its claim, its
 * calls, its client (kept across rounds, host-clients.ts). `stop()` ends the timer, cuts the
 * waits short and waits for the observations in flight.
 */
import { setMaxListeners } from "node:events";
import { newTraceparent } from "@proximity/bus";
import type { hostsV1 } from "@proximity/proto";
import type { ObservationSlots } from "../../infra/observation-slots.js";
import { mapLimit } from "../map-limit.js";
import { createHostClients } from "./host-clients.js";
import { type ObserveDeps, observeHost } from "./observe-host.js";

export interface ObservationLoop {
  stop(): Promise<void>;
}

export interface ObservationSettings {
  readonly intervalMs: number;
  readonly concurrency: number;
  /** Backup storages are listed on every n-th round only (1 = every round). */
  readonly backupsEveryRounds: number;
  /** Part of the interval (0…1) over which the hosts' observations start. Default 0.8. */
  readonly spread?: number;
  /** How long a host's client (and its credential) is kept before it is read again. */
  readonly clientTtlMs?: number;
  /** Called after each round (benchmarks, tests). */
  readonly onRound?: (round: ObservationRound) => void;
}

/** What one round did on this replica. */
export interface ObservationRound {
  readonly slot: number;
  readonly hosts: number;
  readonly observed: number;
  readonly failed: number;
  /** From the interval boundary to the last observation's end. */
  readonly durationMs: number;
}

const DEFAULT_SPREAD = 0.8;
const DEFAULT_CLIENT_TTL_MS = 10 * 60_000;

export function startObservationLoop(
  deps: ObserveDeps,
  slots: ObservationSlots,
  settings: ObservationSettings,
): ObservationLoop {
  const log = deps.logger.child({ component: "container-observations" });
  const { intervalMs } = settings;
  const spreadMs = intervalMs * Math.min(Math.max(settings.spread ?? DEFAULT_SPREAD, 0), 1);
  const clients = createHostClients(deps, settings.clientTtlMs ?? DEFAULT_CLIENT_TTL_MS);
  const stopping = new AbortController();
  // Each host of a round waits for its moment on this one signal, `concurrency` at once: Node's
  // warning at 11 listeners ("possible memory leak") would fire for a setting above 10.
  setMaxListeners(Math.max(10, settings.concurrency + 1), stopping.signal);
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const observeOne = async (host: hostsV1.Host, slot: number, traceparent: string) => {
    if (!(await slots.claim(host.id, slot))) return false; // another replica observes it this interval
    const api = await clients.get(host, { traceparent });
    if (!api) return false;
    try {
      await observeHost(deps, api, traceparent, log, { backups: slot % settings.backupsEveryRounds === 0 });
      return true;
    } catch (err) {
      // Renewed next round: a rotated credential or a replaced certificate shows up here.
      await clients.drop(host.id);
      log.info({ err, hostId: host.id }, "host did not answer; nothing observed");
      return false;
    }
  };

  const runRound = async (slot: number) => {
    const start = slot * intervalMs;
    const traceparent = newTraceparent();
    const { items } = await deps.peers.hosts.listHosts({}, { traceparent });
    await clients.retainOnly(new Set(items.map((h) => h.id)));
    const hosts = items
      .map((host) => ({ host, due: start + phaseOf(host.id) * spreadMs }))
      .sort((a, b) => a.due - b.due);
    let observed = 0;
    let failed = 0;
    await mapLimit(hosts, settings.concurrency, async ({ host, due }) => {
      if (!(await waitUntil(due, stopping.signal))) return;
      try {
        if (await observeOne(host, slot, traceparent)) observed++;
      } catch (err) {
        failed++;
        log.warn({ err, hostId: host.id }, "observation of a host failed");
      }
    });
    settings.onRound?.({ slot, hosts: hosts.length, observed, failed, durationMs: Date.now() - start });
  };
  const schedule = () => {
    if (stopping.signal.aborted) return;
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
      stopping.abort();
      clearTimeout(timer);
      await round;
      await clients.close();
    },
  };
}

/** A host's fixed place in the interval, in [0, 1): FNV-1a of its id, so every replica agrees. */
export function phaseOf(hostId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < hostId.length; i++) {
    h ^= hostId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

/** Resolves true at `at` (epoch ms), or false as soon as `signal` aborts. */
function waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  const ms = at - Date.now();
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
