/**
 * The backups service: backup and restore records, policies with their scheduler and retention,
 * storage reconciliation, and the public backup events.
 */

export type { BackupsConfig } from "./config.js";
export { backupsConfigSchema, loadBackupsConfig } from "./config.js";
export { backupsMigrations } from "./db/migrations/index.js";
export type { BackupPolicy } from "./domain/backup-policy.js";
export { DEFAULT_BACKUP_POLICY } from "./domain/backup-policy.js";
export {
  APP_EVENTS_CONSUMER,
  ARCHIVE_RESULTS_CONSUMER,
  OPERATION_RESULTS_INBOX,
  RETIRED_RESULTS_CONSUMER,
  STORAGE_OBSERVATIONS_CONSUMER,
} from "./events/durables.js";
export type { BackupsServiceDeps } from "./service.js";
export { createBackupsService } from "./service.js";
