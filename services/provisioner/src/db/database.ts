import type { MessagingTables } from "@proximity/bus";
import type { Kysely, Transaction } from "kysely";
import type { ContainersTable } from "./containers.table.js";
import type { DeadLetterReplaysTable } from "./dead-letter-replays.table.js";
import type { OperationStepsTable } from "./operation-steps.table.js";
import type { OperationsTable } from "./operations.table.js";

/** The provisioner's schema: operation journal, VMID guard, dead-letter replays, outbox and inbox. */
export interface ProvisionerDatabase extends MessagingTables {
  operations: OperationsTable;
  operation_steps: OperationStepsTable;
  containers: ContainersTable;
  dead_letter_replays: DeadLetterReplaysTable;
}

export type Db = Kysely<ProvisionerDatabase>;
/** A connection or a transaction: repositories accept either. */
export type DbOrTrx = Kysely<ProvisionerDatabase> | Transaction<ProvisionerDatabase>;
