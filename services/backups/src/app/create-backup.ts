import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@proximity/db";
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import { findAppOwner, upsertAppOwner } from "../db/app-owner.repository.js";
import { type BackupView, insertBackup } from "../db/backup.repository.js";
import { BackupMessages, parseBackupOptions } from "../domain/backup.js";
import type { ArchiveClaim } from "../infra/applications-peer.js";
import { abandonClaim, isRefusal } from "./abandon-claim.js";
import { appFactsOf } from "./app-facts.js";
import { emitBackupStarted } from "./backup-started.js";
import { type BackupsDeps, type Caller, onBehalfOf } from "./deps.js";

export interface CreateBackupInput {
  readonly appId: string;
  /** "" = snapshot. */
  readonly mode: string;
  /** "" = zstd. */
  readonly compression: string;
  /** "" = the host's backup storage. */
  readonly storage: string;
}

/**
 * Starts a backup of an app now. The applications service claims the app first (one operation
 * per app: busy → 409); then one transaction records the running backup with the provisioner's
 * request and BackupStarted. The partial unique index (one pending or running backup per app)
 * refuses a second backup even if the claim somehow let two through. Whatever fails after the
 * claim may have been taken (including a claim whose answer was lost) gives it back.
 */
export async function createBackup(
  deps: BackupsDeps,
  input: CreateBackupInput,
  caller: Caller,
): Promise<BackupView> {
  if (!input.appId)
    throw new ValidationError("Invalid backup request", [{ field: "app_id", message: "is required" }]);
  const options = parseBackupOptions(input);
  // The host's backup storage is chosen by admins; a user naming another could fill any storage.
  if (options.storage && !caller.user.isAdmin) {
    throw new PermissionDeniedError("Only administrators may choose the backup storage");
  }
  if (!caller.user.isAdmin) {
    // Apps whose events have not arrived yet are left to the applications service, which checks
    // ownership itself; an app known to be someone else's or deleted is refused here.
    const owner = await findAppOwner(deps.db, input.appId);
    if (owner && (owner.deleted || owner.ownerId !== caller.user.id))
      throw new NotFoundError("App not found");
  }
  const backupId = randomUUID();
  const operationId = randomUUID();
  const as = onBehalfOf(caller);
  let claim: ArchiveClaim;
  try {
    claim = await deps.applications.beginArchiveOperation(
      { appId: input.appId, kind: "backup", operationId, backupId },
      as,
    );
  } catch (err) {
    // A refusal took nothing; any other failure (a lost answer, a timeout) may have taken the app.
    if (!isRefusal(err)) {
      await abandonClaim(deps.applications, operationId, NOT_STARTED, as, caller.log);
    }
    throw err;
  }
  const { app, deadline } = claim;
  try {
    if (!app.vmid || !app.hostId || !app.node) throw new ConflictError(BackupMessages.noContainer);
    const row = await deps.db.transaction().execute(async (trx) => {
      await upsertAppOwner(trx, appFactsOf(app));
      const row = await insertBackup(trx, {
        id: backupId,
        app_id: app.id,
        owner_id: app.ownerId,
        host_id: app.hostId,
        node: app.node,
        vmid: app.vmid,
        storage: options.storage,
        mode: options.mode,
        compression: options.compression,
        status: "running",
        trigger: "manual",
        scheduled_for: null,
        operation_id: operationId,
        requested_by: caller.user.id,
        started_at: new Date(),
      });
      await emitBackupStarted(trx, row, deadline, caller.traceparent);
      return row;
    });
    caller.log.info({ appId: app.id, backupId, operationId, mode: row.mode }, "backup started");
    return {
      ...row,
      app_deleted: false,
      app_hostname: app.hostname || null,
      app_catalog_id: app.catalogId || null,
    };
  } catch (err) {
    const refused = isUniqueViolation(err, "backups_one_active_per_app")
      ? new ConflictError(BackupMessages.anotherBackup, err)
      : err;
    const reason = refused instanceof ConflictError ? refused.message : "The backup could not be recorded";
    await abandonClaim(deps.applications, operationId, reason, as, caller.log);
    throw refused;
  }
}

const NOT_STARTED = "The backup could not be started";
