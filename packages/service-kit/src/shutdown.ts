import type { Logger } from "@proximity/logger";

/** Named shutdown steps, run once, newest first (what started last stops first). */
export interface ShutdownRegistry {
  register(name: string, step: () => Promise<void> | void): void;
  /** Runs every step once (each bounded by the step timeout); later calls await the same run. */
  run(reason: string): Promise<void>;
  /** Runs on SIGINT/SIGTERM, then exits with 128 + signal number. */
  installSignalHandlers(): void;
}

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Time one step may take before it is abandoned, default 15 s. */
  readonly stepTimeoutMs?: number;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Graceful shutdown through one registry. Services register in start order (database, bus, gRPC
 * server, consumers…), so reverse order stops intake first, lets in-flight work finish, then
 * drains NATS and closes the pool.
 */
export function createShutdownRegistry(options: ShutdownOptions): ShutdownRegistry {
  const steps: { name: string; step: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  const log = options.logger;
  const timeout = options.stepTimeoutMs ?? 15_000;

  const run = (reason: string) => {
    running ??= (async () => {
      log.info({ reason }, "shutting down");
      for (const { name, step } of [...steps].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(step),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout);
            }),
          ]);
          log.debug({ step: name }, "shutdown step done");
        } catch (err) {
          log.error({ err, step: name }, "shutdown step failed");
        } finally {
          clearTimeout(timer);
        }
      }
      log.info("shutdown complete");
    })();
    return running;
  };

  return {
    register: (name, step) => {
      steps.push({ name, step });
    },
    run,
    installSignalHandlers: () => {
      for (const [signal, number] of Object.entries(SIGNALS)) {
        process.once(signal, () => {
          void run(signal).finally(() => process.exit(128 + number));
        });
      }
    },
  };
}
