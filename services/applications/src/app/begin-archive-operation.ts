import { isUniqueViolation } from "@proximity/db";
import { type FieldError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { OperationConstraints } from "../db/app-operations.table.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { appendLog } from "../db/deployment-log.repository.js";
import { findOperation, insertOperation } from "../db/operation.repository.js";
import type { AppStatus } from "../domain/app-status.js";
import { archiveIdProblems, operationIdUsed } from "../domain/archive-input.js";
import { type ArchiveKind, isArchiveKind } from "../domain/operations.js";
import { refuseAfterUnfinishedDelete, withClaimedApp } from "./claim-app.js";
import { getApp } from "./get-app.js";
import type { LifeCycleDeps, RequestContext } from "./life-cycle-deps.js";
import { type ArchiveOptions, archiveOptionsOf, settlingOf } from "./operation-options.js";

export interface BeginArchiveCommand {
  readonly appId: string;
  /** backup | restore (checked here). */
  readonly kind: string;
  readonly operationId: string;
  readonly backupId: string;
}

export interface ArchiveClaim {
  /** The app after the claim: a backup keeps its status, a restore shows `restoring`. */
  readonly app: AppRow;
  readonly statusBefore: AppStatus;
}

const REQUESTED: Readonly<Record<ArchiveKind, string>> = {
  backup: "Backup requested",
  restore: "Restore from backup requested",
};

/**
 * Claims an app the user may see for a backup of its container or a restore onto it, exactly as a
 * life-cycle action does (one operation per app, decided by the database): the operation row with
 * the backups service's ids and the first log line commit with the claim. Nothing is published:
 * the backups service sends the provisioner's request once it has recorded its side. Asking again
 * with the same operation id answers the claim already made.
 */
export async function beginArchiveOperation(
  deps: LifeCycleDeps,
  command: BeginArchiveCommand,
  ctx: RequestContext,
): Promise<ArchiveClaim> {
  const kind = validate(command);
  const earlier = await claimMadeBefore(deps.db, command, kind, ctx.user);
  if (earlier) return earlier;
  try {
    const claim = await withClaimedApp(
      deps.db,
      command.appId,
      ctx.user,
      kind,
      async (trx, claim) => {
        if (kind === "restore") await refuseAfterUnfinishedDelete(trx, claim, kind);
        const options: ArchiveOptions = { backupId: command.backupId, statusBefore: claim.before.status };
        await insertOperation(trx, {
          id: claim.operationId,
          appId: claim.app.id,
          kind,
          requestedBy: ctx.user.id,
          deadlineMs: deps.settings.deadlinesMs[kind],
          options: { ...options },
        });
        await appendLog(trx, {
          appId: claim.app.id,
          level: "info",
          step: "requested",
          message: REQUESTED[kind],
        });
        return { app: claim.app, statusBefore: claim.before.status };
      },
      { operationId: command.operationId },
    );
    ctx.log.info(
      { appId: claim.app.id, kind, operationId: command.operationId, backupId: command.backupId },
      "archive operation claimed",
    );
    return claim;
  } catch (err) {
    if (isUniqueViolation(err, OperationConstraints.primaryKey)) throw operationIdUsed(err);
    throw err;
  }
}

function validate(command: BeginArchiveCommand): ArchiveKind {
  const problems: FieldError[] = [];
  if (!isArchiveKind(command.kind)) problems.push({ field: "kind", message: "must be backup or restore" });
  problems.push(...archiveIdProblems(command));
  if (problems.length > 0 || !isArchiveKind(command.kind)) {
    throw new ValidationError("Invalid archive operation request", problems);
  }
  return command.kind;
}

/**
 * The answer to a repeated request (a retried call whose first answer was lost): the same app,
 * kind and backup, still running and holding the app. Any other use of the id is refused.
 */
async function claimMadeBefore(
  db: ApplicationsDb,
  command: BeginArchiveCommand,
  kind: ArchiveKind,
  user: EndUser,
): Promise<ArchiveClaim | undefined> {
  const op = await findOperation(db, command.operationId);
  if (!op) return undefined;
  const app = await getApp(db, command.appId, user);
  const same =
    op.app_id === app.id &&
    op.kind === kind &&
    op.status === "running" &&
    app.current_operation_id === op.id &&
    archiveOptionsOf(op).backupId === command.backupId;
  if (!same) throw operationIdUsed();
  return { app, statusBefore: settlingOf(op, app).statusBefore };
}
