import type { Selectable } from "kysely";

/** The latest observation of each app's container (one row per app, replaced by newer ones). */
export interface AppMetricsTable {
  app_id: string;
  /** CPU usage as Proxmox reports it (fraction of the container's cores, 0–1 per core). */
  cpu: number;
  mem_bytes: number;
  max_mem_bytes: number;
  disk_bytes: number;
  max_disk_bytes: number;
  uptime_seconds: number;
  /** The container's status when observed: running | stopped | … */
  container_status: string;
  /** When the provisioner read it (the provisioner's clock). */
  observed_at: Date;
}

export type AppMetricsRow = Selectable<AppMetricsTable>;

/** The newest observation applied per node: older ones arriving late are ignored whole. */
export interface ObservedNodesTable {
  host_id: string;
  node: string;
  observed_at: Date;
}
