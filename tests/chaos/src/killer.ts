/**
 * Kills one provisioner replica with SIGKILL every `everyMs` (round robin) and starts it again at
 * once, until stopped: a crash in the middle of whatever the replica was doing.
 */
import type { ProcessPlatform } from "../../bench/src/platform-processes.js";

export interface KillerStats {
  kills: number;
  /** Starts of a killed replica that failed (and were tried again). */
  failedStarts: number;
  /** Kill → the new process listening, per kill (ms). */
  readonly restartMs: number[];
}

export function startKiller(
  platform: ProcessPlatform,
  o: { replicas: number; everyMs: number; maxKills?: number },
): { stop(): Promise<KillerStats> } {
  const stats: KillerStats = { kills: 0, failedStarts: 0, restartMs: [] };
  let running = true;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  const loop = (async () => {
    let replica = 0;
    while (running && (o.maxKills === undefined || stats.kills < o.maxKills)) {
      await pause(o.everyMs);
      if (!running) break;
      const at = Date.now();
      platform.kill("provisioner", replica, "SIGKILL");
      stats.kills++;
      // A start can fail on a loaded machine (NATS answering late at start-up): like an
      // orchestrator, start it again.
      for (let tries = 1; ; tries++) {
        try {
          await platform.restart("provisioner", replica);
          break;
        } catch (err) {
          stats.failedStarts++;
          if (tries >= 5) throw err;
        }
      }
      stats.restartMs.push(Date.now() - at);
      replica = (replica + 1) % o.replicas;
    }
  })();
  // A failure surfaces at stop(), not as an unhandled rejection while the workload runs.
  loop.catch(() => undefined);
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
      return stats;
    },
  };
}
