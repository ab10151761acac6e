import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError, type FieldError, NotFoundError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { findAppById, findVisibleApp, insertAppWithOperation } from "../db/app.repository.js";
import { OperationConstraints } from "../db/app-operations.table.js";
import { AppConstraints, type AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { findOperation } from "../db/operation.repository.js";
import { ActionRefusedError } from "../domain/action-refused.error.js";
import { hostnameProblem } from "../domain/app-input.js";
import { archiveIdProblems, operationIdUsed } from "../domain/archive-input.js";
import { isUuid } from "../domain/uuid.js";
import type { LifeCycleDeps, RequestContext } from "./life-cycle-deps.js";
import { type ArchiveOptions, archiveOptionsOf } from "./operation-options.js";
import { allocatePublicPort, assertPlacementOpen, reserveQuota } from "./placement-guards.js";
import { resolvePlacement } from "./resolve-placement.js";

export interface RestoreIntoNewAppCommand {
  readonly sourceAppId: string;
  readonly newHostname: string;
  readonly operationId: string;
  readonly backupId: string;
  /** Where the archive is: the new app is placed there. */
  readonly hostId: string;
  readonly node: string;
}

/**
 * A new app owned by the user, made from a backup of `sourceAppId`: the source's catalog item,
 * settings and secret names (the provisioner copies the values that still exist), placed where
 * the archive is, `restoring` under the backups service's operation, with its own quota slot and
 * published port, all decided by the database as for a clone (quota, retired host, hostname,
 * port). The source is not touched and may be deleted (admins only then). Nothing is published:
 * the backups service sends the provisioner's request. Asking again with the same operation id
 * answers the app already made.
 */
export async function restoreIntoNewApp(
  deps: LifeCycleDeps,
  command: RestoreIntoNewAppCommand,
  ctx: RequestContext,
): Promise<AppRow> {
  validate(command);
  const earlier = await appMadeBefore(deps.db, command, ctx.user);
  if (earlier) return earlier;
  const source = await findSource(deps.db, command.sourceAppId, ctx.user);
  if (source.adopted) {
    // Its copy would be a second unmanaged container (same static address, nothing to rebuild).
    throw new ActionRefusedError(
      source.status,
      "restore",
      "Cannot restore a backup of an adopted app into a new app: Proximity did not deploy what runs in its container; restore it onto the app instead",
    );
  }
  const placement = await resolvePlacement(
    deps.hosts,
    { hostId: command.hostId, node: command.node },
    ctx.traceparent,
  );
  try {
    const app = await deps.db.transaction().execute(async (trx) => {
      await assertPlacementOpen(trx, placement.hostId, {
        ownerId: ctx.user.id,
        defaultMax: deps.settings.quotaDefault,
      });
      const options: ArchiveOptions = { backupId: command.backupId, newApp: true, sourceAppId: source.id };
      const { app: inserted } = await insertAppWithOperation(
        trx,
        {
          id: randomUUID(),
          owner_id: ctx.user.id,
          catalog_id: source.catalog_id,
          hostname: command.newHostname,
          status: "restoring",
          host_id: placement.hostId,
          node: placement.node,
          vmid: null,
          port: source.port,
          ip_address: null,
          environment: JSON.stringify(source.environment),
          secret_env: JSON.stringify(source.secret_env),
          current_operation_id: command.operationId,
          current_operation: "restore",
          adopted: false,
          idempotency_key: null,
        },
        {
          id: command.operationId,
          kind: "restore",
          requestedBy: ctx.user.id,
          deadlineMs: deps.settings.deadlinesMs.restore,
          options: { ...options },
        },
        {
          level: "info",
          step: "requested",
          message: `Restore of a backup of ${source.hostname} into ${command.newHostname} requested`,
        },
      );
      const publicPort = await allocatePublicPort(
        trx,
        placement.hostId,
        inserted.id,
        deps.settings.portRange,
      );
      // Last: the quota row is the one row a user's placements share; it is held only until the commit.
      await reserveQuota(trx, ctx.user.id, deps.settings.quotaDefault);
      return { ...inserted, public_port: publicPort };
    });
    ctx.log.info(
      { appId: app.id, sourceAppId: source.id, operationId: command.operationId, backupId: command.backupId },
      "restore into a new app claimed",
    );
    return app;
  } catch (err) {
    if (isUniqueViolation(err, AppConstraints.liveHostname)) {
      throw new AlreadyExistsError(`Hostname ${command.newHostname} is already in use`, err);
    }
    if (isUniqueViolation(err, OperationConstraints.primaryKey)) throw operationIdUsed(err);
    throw err;
  }
}

function validate(command: RestoreIntoNewAppCommand): void {
  const problems: FieldError[] = [];
  const hostname = hostnameProblem(command.newHostname);
  if (hostname) problems.push({ field: "new_hostname", message: hostname });
  problems.push(...archiveIdProblems(command));
  if (!command.hostId) problems.push({ field: "host_id", message: "is required" });
  if (!command.node) problems.push({ field: "node", message: "is required" });
  if (problems.length > 0) throw new ValidationError("Invalid restore request", problems);
}

/**
 * The app a backup is restored from, if the user may see it: their own live app; for an admin any
 * app, deleted ones included (their backups stay restorable by admins).
 */
async function findSource(db: ApplicationsDb, id: string, user: EndUser): Promise<AppRow> {
  if (!isUuid(id)) throw new NotFoundError("App not found");
  const app = user.isAdmin ? await findAppById(db, id) : await findVisibleApp(db, id, user);
  if (!app) throw new NotFoundError("App not found");
  return app;
}

/** The new app of a repeated request (same id, source and backup, still restoring for this user). */
async function appMadeBefore(
  db: ApplicationsDb,
  command: RestoreIntoNewAppCommand,
  user: EndUser,
): Promise<AppRow | undefined> {
  const op = await findOperation(db, command.operationId);
  if (!op) return undefined;
  const options = archiveOptionsOf(op);
  const app = await findAppById(db, op.app_id);
  const same =
    op.kind === "restore" &&
    op.status === "running" &&
    options.newApp &&
    options.sourceAppId === command.sourceAppId &&
    options.backupId === command.backupId &&
    app?.owner_id === user.id &&
    app.current_operation_id === op.id;
  if (!same || !app) throw operationIdUsed();
  return app;
}
