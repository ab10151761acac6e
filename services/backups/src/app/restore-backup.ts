import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import { ConflictError, NotFoundError } from "@proximity/errors";
import { applicationsV1 } from "@proximity/proto";
import {
  appOfBackup,
  type BackupView,
  claimForRestore,
  findBackup,
  findVisibleBackup,
  releaseRestoreClaim,
} from "../db/backup.repository.js";
import type { BackupRow } from "../db/backups.table.js";
import { insertRestore } from "../db/restore.repository.js";
import { BackupMessages, checkNewHostname, isUuid, whyNotRestorable } from "../domain/backup.js";
import { backupRef, emit } from "../events/publish.js";
import type { OnBehalfOf } from "../infra/applications-peer.js";
import { abandonClaim, isRefusal } from "./abandon-claim.js";
import { type BackupsDeps, type Caller, onBehalfOf } from "./deps.js";

export interface RestoreBackupInput {
  readonly appId: string;
  readonly backupId: string;
  /** "" = onto the backup's own app; else a new app with this hostname, owned by the caller. */
  readonly newHostname: string;
}

export interface RestoreOutcome {
  readonly backup: BackupView;
  readonly targetAppId: string;
  readonly operationId: string;
  readonly newApp: boolean;
}

/** Where a restore goes, as the applications service answered the claim. */
interface Target {
  readonly app: applicationsV1.App;
  readonly newApp: boolean;
  /** Start the container after the restore (it was running or in error before; always for a new app). */
  readonly startAfter: boolean;
  /** When the applications service fails the restore: the provisioner must not start after it. */
  readonly deadline: Date | undefined;
}

const START_AGAIN_FROM = new Set([
  applicationsV1.AppStatus.APP_STATUS_RUNNING,
  applicationsV1.AppStatus.APP_STATUS_ERROR,
]);

/**
 * Restores a completed backup onto its own app or into a new one. Order matters: the archive is
 * claimed first (conditional update: no delete or second restore from it meanwhile), then the app
 * at the applications service (one operation per app; or the new app is created there), then one
 * transaction records the running restore with the provisioner's request and RestoreStarted.
 * Whatever fails gives back what was taken before it, and what may have been (a claim whose
 * answer was lost).
 */
export async function restoreBackup(
  deps: BackupsDeps,
  input: RestoreBackupInput,
  caller: Caller,
): Promise<RestoreOutcome> {
  const hostname = checkNewHostname(input.newHostname);
  const newApp = hostname !== "";
  if (!isUuid(input.backupId)) throw new NotFoundError("Backup not found");
  const seen = await findVisibleBackup(deps.db, input.backupId, caller.user, input.appId || undefined);
  if (!seen) throw new NotFoundError("Backup not found");
  if (!newApp && seen.app_deleted) throw new ConflictError(BackupMessages.appDeletedRestore);

  const operationId = randomUUID();
  const claimed = await claimForRestore(deps.db, seen.id, operationId);
  if (!claimed) {
    const current = await findBackup(deps.db, seen.id);
    if (!current) throw new NotFoundError("Backup not found");
    throw new ConflictError(whyNotRestorable(current.status, current.restore_operation_id !== null));
  }
  const as = onBehalfOf(caller);
  let target: Target;
  try {
    target = await claimTarget(deps, claimed, hostname, operationId, as);
  } catch (err) {
    // A refusal took nothing; any other failure (a lost answer, a timeout) may have taken the app
    // (or made the new one).
    if (!isRefusal(err)) {
      await abandonClaim(deps.applications, operationId, NOT_STARTED, as, caller.log);
    }
    await releaseRestoreClaim(deps.db, claimed.id, operationId).catch((releaseErr: unknown) =>
      caller.log.warn({ err: releaseErr, backupId: claimed.id }, "could not release the restore claim"),
    );
    throw err;
  }
  try {
    const backup = await recordRestore(deps, claimed, target, operationId, caller);
    caller.log.info(
      { backupId: claimed.id, sourceAppId: claimed.app_id, targetAppId: target.app.id, operationId, newApp },
      "restore started",
    );
    return {
      backup: { ...backup, ...appOfBackup(seen) },
      targetAppId: target.app.id,
      operationId,
      newApp,
    };
  } catch (err) {
    const refused = isUniqueViolation(err, "restores_one_running_per_app")
      ? new ConflictError(BackupMessages.anotherRestore, err)
      : err;
    const reason = refused instanceof ConflictError ? refused.message : "The restore could not be recorded";
    await abandonClaim(deps.applications, operationId, reason, as, caller.log);
    // If this fails too, the orphaned-claim sweep gives the archive back later.
    await releaseRestoreClaim(deps.db, claimed.id, operationId).catch((releaseErr: unknown) =>
      caller.log.warn({ err: releaseErr, backupId: claimed.id }, "could not release the restore claim"),
    );
    throw refused;
  }
}

const NOT_STARTED = "The restore could not be started";

/** The app restored into: the backup's own (claimed like a life-cycle action) or a new one. */
async function claimTarget(
  deps: BackupsDeps,
  backup: BackupRow,
  hostname: string,
  operationId: string,
  as: OnBehalfOf,
): Promise<Target> {
  if (hostname) {
    const { app, deadline } = await deps.applications.restoreIntoNewApp(
      {
        sourceAppId: backup.app_id,
        newHostname: hostname,
        operationId,
        backupId: backup.id,
        hostId: backup.host_id ?? "",
        node: backup.node ?? "",
      },
      as,
    );
    return { app, newApp: true, startAfter: true, deadline };
  }
  const { app, statusBefore, deadline } = await deps.applications.beginArchiveOperation(
    { appId: backup.app_id, kind: "restore", operationId, backupId: backup.id },
    as,
  );
  return { app, newApp: false, startAfter: START_AGAIN_FROM.has(statusBefore), deadline };
}

async function recordRestore(
  deps: BackupsDeps,
  backup: BackupRow,
  target: Target,
  operationId: string,
  caller: Caller,
): Promise<BackupRow> {
  const { app, newApp } = target;
  if (!newApp && app.hostId !== backup.host_id) throw new ConflictError(BackupMessages.otherHost);
  if (!newApp && !app.vmid) throw new ConflictError(BackupMessages.noContainerToRestore);
  return deps.db.transaction().execute(async (trx) => {
    await insertRestore(trx, {
      id: operationId,
      backup_id: backup.id,
      source_app_id: backup.app_id,
      target_app_id: app.id,
      new_app: newApp,
      requested_by: caller.user.id,
      status: "running",
    });
    await emit(
      trx,
      Events.RestoreRequested,
      {
        operationId,
        backupId: backup.id,
        appId: app.id,
        sourceAppId: backup.app_id,
        hostId: newApp ? (backup.host_id ?? "") : app.hostId,
        node: newApp ? app.node || backup.node || "" : app.node,
        vmid: newApp ? 0 : app.vmid,
        storage: backup.storage,
        volid: backup.volid ?? "",
        newApp,
        hostname: newApp ? app.hostname : "",
        publicPort: newApp ? app.port : 0,
        secretEnvironment: newApp ? Object.keys(app.secrets).sort() : [],
        startAfter: target.startAfter,
        adopted: app.adopted,
        notAfter: target.deadline,
      },
      app.id,
      caller.traceparent,
    );
    await emit(
      trx,
      Events.RestoreStarted,
      { backup: backupRef(backup), operationId, targetAppId: app.id, newApp },
      app.id,
      caller.traceparent,
    );
    return backup;
  });
}
