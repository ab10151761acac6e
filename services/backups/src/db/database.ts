import type { MessagingTables } from "@proximity/bus";
import type { Kysely, Transaction } from "kysely";
import type { AppOwnersTable } from "./app-owners.table.js";
import type { BackupPoliciesTable } from "./backup-policies.table.js";
import type { BackupsTable } from "./backups.table.js";
import type { RestoresTable } from "./restores.table.js";
import type { StorageObservationsTable } from "./storage-observations.table.js";

/** The tables of the `backups` schema. */
export interface BackupsDatabase extends MessagingTables {
  backup_policies: BackupPoliciesTable;
  app_owners: AppOwnersTable;
  backups: BackupsTable;
  restores: RestoresTable;
  storage_observations: StorageObservationsTable;
}

/** The database or a transaction on it: repositories take either. */
export type BackupsDb = Kysely<BackupsDatabase> | Transaction<BackupsDatabase>;
