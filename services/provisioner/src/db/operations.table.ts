import type { ColumnType, Generated } from "kysely";

export type OperationStatus = "running" | "succeeded" | "failed";

/** One provisioning request (id = operation_id of the event): the unit of "exactly one effect". */
export interface OperationsTable {
  id: string;
  kind: string;
  app_id: string;
  host_id: string;
  node: string;
  /** Chosen VMID; null until allocated (and again when a VMID had to be abandoned). */
  vmid: number | null;
  status: OperationStatus;
  /** Attempts that actually ran (a delivery that found the operation claimed elsewhere does not count). */
  attempts: Generated<number>;
  /** Safe explanation of the last failure (no Proxmox texts, no credentials). */
  last_error: string | null;
  /** Worker holding the operation, and until when (renewed while it works). */
  claimed_by: string | null;
  claimed_until: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}
