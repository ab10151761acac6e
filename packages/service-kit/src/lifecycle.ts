import type { Logger } from "@proximity/logger";

/**
 * What every service factory returns (`createXxxService(config, deps)`): `main.ts` and the
 * end-to-end tests drive services through this one shape.
 */
export interface ServiceHandle<Started = { grpcPort: number }> {
  /** Connects, migrates, binds and starts consuming; resolves once the service is ready. */
  start(): Promise<Started>;
  /** Graceful stop: readiness off, intake stopped, in-flight work finished, connections closed. */
  stop(): Promise<void>;
}

/** Registers how to release something the start-up just acquired. */
export type OnStop = (name: string, release: () => Promise<void> | void) => void;

/**
 * Builds a ServiceHandle from one start-up function. Each resource is registered with `onStop`
 * right after it is acquired; `stop()` releases them newest first (so the gRPC server stops taking
 * calls before consumers, the bus and the pool go). If start-up fails halfway, what was acquired
 * is released before the error propagates: a half-started service leaks no pool, connection or port.
 * @example
 * return defineService(logger, async (onStop) => {
 *   const db = createDatabase(...); onStop("database", () => db.destroy());
 *   ...; return { grpcPort };
 * });
 */
export function defineService<Started>(
  logger: Logger,
  startUp: (onStop: OnStop) => Promise<Started>,
): ServiceHandle<Started> {
  let stack: { name: string; release: () => Promise<void> | void }[] = [];
  const stop = async () => {
    const releasing = stack.reverse();
    stack = [];
    for (const { name, release } of releasing) {
      try {
        await release();
      } catch (err) {
        logger.error({ err, resource: name }, "release failed during stop");
      }
    }
  };
  return {
    start: async () => {
      try {
        return await startUp((name, release) => stack.push({ name, release }));
      } catch (err) {
        await stop();
        throw err;
      }
    },
    stop,
  };
}
