import type { ApplicationsConfig } from "../config.js";
import type { PortRange } from "../db/port.repository.js";
import type { OperationKind } from "../domain/operations.js";

/** The configured limits the life-cycle use-cases work with. */
export interface LifeCycleSettings {
  readonly portRange: PortRange;
  /** Live apps per user when no per-user value is set. */
  readonly quotaDefault: number;
  /** How long each kind of operation may run before the reaper fails it. */
  readonly deadlinesMs: Readonly<Record<OperationKind, number>>;
}

export function lifeCycleSettings(config: ApplicationsConfig): LifeCycleSettings {
  const other = config.OPERATION_DEADLINE_DEFAULT_MS;
  return {
    portRange: config.APP_PORT_RANGE,
    quotaDefault: config.APP_QUOTA_DEFAULT,
    deadlinesMs: {
      deploy: config.OPERATION_DEADLINE_DEPLOY_MS,
      update: config.OPERATION_DEADLINE_UPDATE_MS,
      clone: config.OPERATION_DEADLINE_CLONE_MS,
      start: other,
      stop: other,
      restart: other,
      delete: other,
      adopt: other,
      backup: config.APP_BACKUP_DEADLINE_MS,
      restore: config.APP_RESTORE_DEADLINE_MS,
    },
  };
}
