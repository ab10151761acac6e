import type { HandlerFactory, ServiceRegistration } from "@proximity/grpc";
import { backupsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import { getBackupPolicyHandler } from "./handlers/get-backup-policy.js";

/** The BackupsService registration for createGrpcServer. */
export function backupsServiceRegistration(
  h: HandlerFactory,
  db: Kysely<BackupsDatabase>,
): ServiceRegistration {
  const implementation: backupsV1.BackupsServiceServer = {
    getBackupPolicy: getBackupPolicyHandler(h, db),
  };
  return {
    name: "proximity.backups.v1.BackupsService",
    definition: backupsV1.BackupsServiceService,
    implementation,
  };
}
