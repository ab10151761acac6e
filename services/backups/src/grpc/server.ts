import type { ServiceRegistration } from "@proximity/grpc";
import { backupsV1 } from "@proximity/proto";
import type { HandlerDeps } from "./handler-deps.js";
import { createBackup } from "./handlers/create-backup.js";
import { deleteBackup } from "./handlers/delete-backup.js";
import { getBackup } from "./handlers/get-backup.js";
import { getBackupPolicy } from "./handlers/get-backup-policy.js";
import { listBackups } from "./handlers/list-backups.js";
import { restoreBackup } from "./handlers/restore-backup.js";
import { updateBackupPolicy } from "./handlers/update-backup-policy.js";

/** The BackupsService registration for createGrpcServer. */
export function backupsServiceRegistration(deps: HandlerDeps): ServiceRegistration {
  const implementation: backupsV1.BackupsServiceServer = {
    createBackup: createBackup(deps),
    listBackups: listBackups(deps),
    getBackup: getBackup(deps),
    deleteBackup: deleteBackup(deps),
    restoreBackup: restoreBackup(deps),
    getBackupPolicy: getBackupPolicy(deps),
    updateBackupPolicy: updateBackupPolicy(deps),
  };
  return {
    name: "proximity.backups.v1.BackupsService",
    definition: backupsV1.BackupsServiceService,
    implementation,
  };
}
