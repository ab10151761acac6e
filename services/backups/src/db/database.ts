import type { MessagingTables } from "@proximity/bus";
import type { AppOwnersTable } from "./app-owners.table.js";
import type { BackupPoliciesTable } from "./backup-policies.table.js";

/** The tables of the `backups` schema. */
export interface BackupsDatabase extends MessagingTables {
  backup_policies: BackupPoliciesTable;
  app_owners: AppOwnersTable;
}
