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
