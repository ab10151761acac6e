import type { ColumnType } from "kysely";

export type StepStatus = "pending" | "running" | "done" | "failed";

/** Journal of one step of an operation: what is done, and the Proxmox task it waits on. */
export interface OperationStepsTable {
  operation_id: string;
  name: string;
  status: StepStatus;
  /** Stored as the task starts, so a restarted worker resumes polling instead of repeating. */
  upid: string | null;
  /** Small non-secret result of the step (e.g. the container's IP address). */
  detail: string | null;
  /** When the step was first journaled (steps are listed in this order); null for older rows. */
  started_at: ColumnType<Date | null, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
