import type { ColumnType } from "kysely";

/**
 * VMIDs taken by Proximity per host. unique (host_id, vmid) is the final guard against two
 * operations using one VMID; a row is written before the container is created and removed only
 * once the container is known to be gone.
 */
export interface ContainersTable {
  host_id: string;
  vmid: number;
  node: string;
  app_id: string;
  operation_id: string;
  created_at: ColumnType<Date, never, never>;
}
