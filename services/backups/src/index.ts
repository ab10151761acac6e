/**
 * The backups service: backup policies (backups themselves come later), deployment and app events
 * consumers.
 */

export type { BackupsConfig } from "./config.js";
export { backupsConfigSchema, loadBackupsConfig } from "./config.js";
export { backupsMigrations } from "./db/migrations/index.js";
export type { BackupPolicy } from "./domain/backup-policy.js";
export { DEFAULT_BACKUP_POLICY } from "./domain/backup-policy.js";
export { APP_EVENTS_CONSUMER } from "./events/app-events-consumer.js";
export { DEPLOYMENTS_CONSUMER } from "./events/deployments-consumer.js";
export type { BackupsServiceDeps } from "./service.js";
export { createBackupsService } from "./service.js";
