import { type EventDefinition, Events, type OutboxRecord, PermanentFailure } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import type { Logger } from "@proximity/logger";
import { type AppChanges, recordLateContainer, releaseSource, settleApp } from "../db/app.repository.js";
import { clearTimedOutAttention } from "../db/app-attention.repository.js";
import type { AppWithAttention } from "../db/app-attention.table.js";
import type { AppOperationRow } from "../db/app-operations.table.js";
import { AppConstraints, type AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { type AppLogLine, appendLog } from "../db/deployment-log.repository.js";
import { lockOperation, lockOperationWithApp, type OperationEnd } from "../db/operation.repository.js";
import { releasePort } from "../db/port.repository.js";
import { releaseAppSlot } from "../db/quota.repository.js";
import type { AppStatus } from "../domain/app-status.js";
import {
  type ArchiveFacts,
  backupSucceededMessage,
  failedMessage,
  failureReason,
  succeededMessage,
} from "../domain/operation-messages.js";
import {
  type ContainerStatus,
  releasesPortOnFailure,
  statusAfterFailure,
  statusAfterSuccess,
} from "../domain/operations.js";
import { isUuid } from "../domain/uuid.js";
import { appEvent, appRef, assertDescribes } from "./app-events.js";
import { archiveOptionsOf, settlingOf } from "./operation-options.js";

/** A running operation and the app it settles, both locked by the caller's transaction. */
export interface CurrentOperation {
  readonly op: AppOperationRow;
  readonly app: AppWithAttention;
}

/**
 * The operation `operationId` if a result may still settle it: it exists, is running, and is its
 * app's current operation. The operation row is locked (the reaper locks it too), so a late
 * result and a timeout never both settle one operation; its app is read by the same statement,
 * unlocked as before. Anything else is logged and skipped: a stale or unknown result must never
 * change what a newer operation decided.
 */
export async function currentOperation(
  trx: ApplicationsDb,
  operationId: string,
  log: Logger,
): Promise<CurrentOperation | undefined> {
  const locked = isUuid(operationId) ? await lockOperationWithApp(trx, operationId) : undefined;
  if (!locked) {
    log.warn({ operationId }, "result for an unknown operation; skipped");
    return undefined;
  }
  const { op, app } = locked;
  if (op.status !== "running") {
    log.info(
      { operationId, appId: op.app_id, status: op.status },
      "late result for a finished operation; ignored",
    );
    return undefined;
  }
  if (!app || app.current_operation_id !== op.id) {
    log.warn(
      { operationId, appId: op.app_id },
      "result for an operation that is not its app's current one; ignored",
    );
    return undefined;
  }
  return { op, app };
}

export interface SuccessReport {
  readonly hostId: string;
  readonly node: string;
  readonly vmid: number;
  readonly ipAddress: string;
  readonly containerStatus: ContainerStatus;
  /** Adopt: the container's configuration as Proxmox reports it. */
  readonly adoptedConfig?: Record<string, string>;
  /** Backup: the archive written (its size goes in the log). */
  readonly archive?: ArchiveFacts;
  /** The provisioner's summary for the log ("" = a generated one). */
  readonly message: string;
  /** The operation's last progress lines, logged before the result's own (in one insert). */
  readonly progress?: readonly AppLogLine[];
}

/**
 * The operation succeeded: the app settles per kind (gone frees its port and quota slot; a
 * clone's source is released), the operation is finished, and the log line and public event
 * commit with it. Empty report fields keep the stored values.
 */
export async function settleSuccess(
  trx: ApplicationsDb,
  { op, app }: CurrentOperation,
  report: SuccessReport,
  traceparent: string,
): Promise<AppRow> {
  const to = statusAfterSuccess(settlingOf(op, app), report.containerStatus);
  const container = {
    vmid: report.vmid || app.vmid,
    node: report.node || app.node,
    ipAddress: report.ipAddress || app.ip_address,
  };
  const hostId = report.hostId || app.host_id;
  if (to === "gone") {
    await releasePort(trx, app.id);
    await releaseAppSlot(trx, app.owner_id);
  }
  const settled = await settleAndRecord(
    trx,
    app,
    op.id,
    to,
    {
      status_message: "",
      vmid: container.vmid,
      node: container.node,
      host_id: hostId,
      ip_address: container.ipAddress,
      ...(to === "gone" ? { public_port: null } : {}),
      ...(report.adoptedConfig ? { adopted_config: JSON.stringify(report.adoptedConfig) } : {}),
    },
    { status: "succeeded" },
    {
      log: [
        ...(report.progress ?? []),
        {
          level: "info",
          step: "succeeded",
          message:
            op.kind === "backup"
              ? backupSucceededMessage(report.archive)
              : report.message || succeededMessage(op.kind, container),
        },
      ],
      event: (after) => succeededEvent(op, after, traceparent),
    },
  ).catch((err: unknown) => {
    // Two live apps claiming one container is a provisioner bug no retry can fix.
    if (!isUniqueViolation(err, AppConstraints.liveHostVmid)) throw err;
    throw new PermanentFailure(
      `Container ${container.vmid} on host ${hostId} is already recorded for another app`,
      {
        cause: err,
      },
    );
  });
  if (op.source_app_id) {
    await releaseSource(trx, op.source_app_id, op.id);
    await appendLog(trx, {
      appId: op.source_app_id,
      level: "info",
      step: "cloned",
      message: `Cloned into ${settled.hostname}`,
    });
  }
  await clearTimedOutAttention(trx, app);
  return settled;
}

/**
 * A deploy, clone or restore into a new app that the reaper failed for its deadline may still have
 * made its container. The container is recorded on the app (still `error`, nothing else running on
 * it), so that a delete destroys it and a retry cannot make a second one. Anything else about a late
 * result is ignored.
 */
export async function adoptLateContainer(
  trx: ApplicationsDb,
  result: { operationId: string; appId: string },
  report: SuccessReport,
  log: Logger,
): Promise<void> {
  const op = isUuid(result.operationId) ? await lockOperation(trx, result.operationId) : undefined;
  const madeTheApp =
    op?.kind === "deploy" || op?.kind === "clone" || (op?.kind === "restore" && archiveOptionsOf(op).newApp);
  const applies = op?.status === "timed_out" && madeTheApp && op.app_id === result.appId;
  if (!op || !applies || !report.vmid) return;
  const recorded = await recordLateContainer(trx, op.app_id, {
    vmid: report.vmid,
    node: report.node,
    hostId: report.hostId,
    ipAddress: report.ipAddress,
  });
  if (!recorded) {
    log.warn(
      { operationId: op.id, appId: op.app_id, vmid: report.vmid },
      "late result not recorded: the app moved on",
    );
    return;
  }
  await appendLog(trx, {
    appId: op.app_id,
    level: "warn",
    step: "late-result",
    message: `The ${op.kind} finished after its deadline: container ${report.vmid} exists. Delete the app to remove it.`,
  });
  log.warn(
    { operationId: op.id, appId: op.app_id, vmid: report.vmid },
    "late result: container recorded on the app",
  );
}

export interface FailureReport {
  readonly reason: string;
  readonly attempts: number;
  readonly containerStatus: ContainerStatus;
  /** The operation's last progress lines, logged before the result's own (in one insert). */
  readonly progress?: readonly AppLogLine[];
}

/**
 * The operation failed: the app settles where the container was left (when the provisioner knows
 * and the kind allows it; a backup's app where it was) or in `error`, with the reason as status
 * message. A failed deploy, clone or restore into a new app gives its port back; a clone's source
 * is released. AppOperationFailed says where it settled.
 */
export async function settleFailure(
  trx: ApplicationsDb,
  { op, app }: CurrentOperation,
  report: FailureReport,
  traceparent: string,
): Promise<AppRow> {
  const settling = settlingOf(op, app);
  const to = statusAfterFailure(settling, report.containerStatus);
  const reason = report.reason && failureReason(settling, to, report.reason);
  const message = failedMessage(op.kind, report.attempts, reason);
  const releasePortNow = releasesPortOnFailure(settling);
  if (releasePortNow) await releasePort(trx, app.id);
  const settled = await settleAndRecord(
    trx,
    app,
    op.id,
    to,
    {
      status_message: reason || message,
      ...(releasePortNow ? { public_port: null } : {}),
      // A refused adoption never made the container the app's: forget it, so that nothing (a power
      // action, the unique index of live containers) keeps treating it as this app's.
      ...(op.kind === "adopt" ? { vmid: null } : {}),
    },
    { status: "failed", reason: reason || message },
    {
      log: [...(report.progress ?? []), { level: "error", step: "failed", message }],
      event: (after) =>
        appEvent(
          Events.AppOperationFailed,
          {
            app: appRef(after),
            operationId: op.id,
            operation: op.kind,
            reason: reason || message,
            status: to,
          },
          after,
          traceparent,
        ),
    },
  );
  if (op.source_app_id) {
    await releaseSource(trx, op.source_app_id, op.id);
    await appendLog(trx, {
      appId: op.source_app_id,
      level: "warn",
      step: "clone-failed",
      message: `Clone into ${settled.hostname} failed; this app was not changed`,
    });
  }
  return settled;
}

/** What a settlement writes besides the app: its log lines, and its event made from the app as settled. */
export interface SettlementOutcome {
  readonly log: readonly AppLogLine[];
  /** The public event, from the app as the settlement leaves it (none: nobody outside is told). */
  readonly event?: (after: AppRow) => OutboxRecord<unknown>;
}

/**
 * Settles the app held by `operationId` (settleApp), its log lines and public event written by the
 * same statement. The event is made before the statement, from the app as `changes` leave it, and
 * checked against the row written (assertDescribes). Throws when the operation no longer held the
 * app (the caller locked the operation, so it is a bug).
 */
export async function settleAndRecord(
  trx: ApplicationsDb,
  app: AppRow,
  operationId: string,
  to: AppStatus,
  changes: AppChanges,
  end: OperationEnd,
  outcome: SettlementOutcome,
): Promise<AppRow> {
  const after = settledAs(app, to, changes);
  const settled = await settleApp(trx, app, operationId, to, changes, end, {
    log: outcome.log,
    event: outcome.event?.(after),
  });
  if (!settled) throw new Error(`app ${app.id} was not held by operation ${operationId}`);
  assertDescribes(after, settled);
  return settled;
}

/** `app` as settleApp will leave it with `changes`, in the fields events report (not adopted_config). */
function settledAs(app: AppRow, to: AppStatus, changes: AppChanges): AppRow {
  const or = <T>(changed: T | undefined, stored: T): T => (changed === undefined ? stored : changed);
  return {
    ...app,
    status: to,
    status_message: or(changes.status_message, app.status_message),
    vmid: or(changes.vmid, app.vmid),
    node: or(changes.node, app.node),
    host_id: or(changes.host_id, app.host_id),
    ip_address: or(changes.ip_address, app.ip_address),
    public_port: or(changes.public_port, app.public_port),
    current_operation_id: null,
    current_operation: null,
  };
}

/** The public event of an operation that succeeded on `app` (as it settles), per kind. */
function succeededEvent(op: AppOperationRow, app: AppRow, traceparent: string): OutboxRecord<unknown> {
  const base = { app: appRef(app), operationId: op.id };
  const event = <T>(definition: EventDefinition<T>, payload: T) =>
    appEvent(definition, payload, app, traceparent);
  switch (op.kind) {
    case "deploy":
      return event(Events.AppDeployed, base);
    case "start":
      return event(Events.AppStarted, base);
    case "stop":
      return event(Events.AppStopped, base);
    case "restart":
      return event(Events.AppRestarted, base);
    case "update":
      return event(Events.AppUpdated, base);
    case "adopt":
      return event(Events.AppAdopted, base);
    case "clone":
      return event(Events.AppCloned, { ...base, sourceAppId: op.source_app_id ?? "" });
    case "delete":
      return event(Events.AppDeleted, {
        ...base,
        containerDestroyed: op.options.destroyContainer === true,
        deleteBackups: op.options.deleteBackups === true,
      });
    case "backup":
      return event(Events.AppBackedUp, { ...base, backupId: archiveOptionsOf(op).backupId });
    case "restore": {
      const { backupId, newApp, sourceAppId } = archiveOptionsOf(op);
      return event(Events.AppRestored, {
        ...base,
        backupId,
        newApp,
        sourceAppId: newApp ? sourceAppId : app.id,
      });
    }
  }
}
