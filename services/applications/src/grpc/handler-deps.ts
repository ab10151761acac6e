import type { HandlerFactory } from "@proximity/grpc";
import type { LifeCycleDeps } from "../app/life-cycle-deps.js";

/** What the RPC handlers work with (the life-cycle use-cases' deps, passed on); built once by the service. */
export interface HandlerDeps extends LifeCycleDeps {
  readonly h: HandlerFactory;
  /** Metrics older than this are not shown (config METRICS_STALE_AFTER_MS). */
  readonly metricsStaleAfterMs: number;
}
