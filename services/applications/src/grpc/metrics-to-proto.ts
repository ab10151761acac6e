import type { applicationsV1 } from "@proximity/proto";
import type { AppMetricsRow } from "../db/app-metrics.table.js";

/** A metrics snapshot on the wire; unset (unknown) when there is none or it is stale. */
export function metricsToProto(metrics: AppMetricsRow | undefined): applicationsV1.AppMetrics | undefined {
  if (!metrics) return undefined;
  return {
    cpu: metrics.cpu,
    memBytes: metrics.mem_bytes,
    maxMemBytes: metrics.max_mem_bytes,
    diskBytes: metrics.disk_bytes,
    maxDiskBytes: metrics.max_disk_bytes,
    sampledAt: metrics.observed_at,
  };
}
