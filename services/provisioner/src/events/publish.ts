/**
 * The provisioner's public events. The rule: an event is written to the outbox inside the
 * transaction of the change it reports (the relay publishes it), so it exists if and only if the
 * change committed; business code never publishes to JetStream directly. The one exception is the
 * snapshot events (the catalog marks them): ContainersObserved and BackupsObserved report what a
 * Proxmox node or storage showed, change nothing in this database, and are replaced by the next
 * observation; consumers conclude nothing from a missing one. They are published straight to
 * JetStream (createSnapshotPublisher, same signed message as the relay's): through the outbox
 * each cost several PostgreSQL round trips per node and round for an atomicity they do not need.
 */
import {
  addToOutbox,
  Events,
  type OutboxInsert,
  type OutboxRecord,
  outboxInsertStatement,
  type SnapshotPublisher,
} from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { context, ROOT_CONTEXT } from "@proximity/telemetry";
import type { DbOrTrx } from "../db/database.js";

export const SERVICE_NAME = "provisioner";

/** Which operation an event is about, of which kind, and the trace it continues. */
export interface EventOrigin {
  readonly operationId: string;
  readonly kind: provisionerEventsV1.OperationKind;
  readonly appId: string;
  readonly traceparent: string;
}

const meta = (o: EventOrigin) => ({ source: SERVICE_NAME, traceparent: o.traceparent, subject: o.appId });

/** One line of an operation's progress (a step begun, an attempt failed), as events carry it. */
export type ProgressLine = Readonly<provisionerEventsV1.ProgressLine>;

/** Lines of one operation (at least one), in the order they happened. */
export interface OperationLines {
  readonly origin: EventOrigin;
  readonly lines: readonly ProgressLine[];
}

/**
 * One progress event carrying the lines of one or more operations: an entry each, its first line in
 * the entry's own fields, the others in `later`. An event of one operation continues its trace and
 * names its app; one of several continues none of theirs (a new trace). Whichever span is active
 * is not theirs (the write may be another operation's doing), so it is never used. A statement to
 * run in the caller's transaction.
 */
export function progressInsert(operations: readonly OperationLines[]): OutboxInsert {
  const entries = operations.map(({ origin, lines: [first, ...later] }) => {
    if (!first) throw new Error("a progress entry needs a line");
    return { operationId: origin.operationId, kind: origin.kind, appId: origin.appId, ...first, later };
  });
  const only = operations.length === 1 ? operations[0]?.origin : undefined;
  return context.with(ROOT_CONTEXT, () =>
    outboxInsertStatement(
      Events.OperationsProgressed,
      { operations: entries },
      only ? meta(only) : { source: SERVICE_NAME },
    ),
  );
}

/** What a finished operation left behind (the app's container and a summary for its log). */
export interface OperationResult {
  readonly hostId: string;
  readonly node: string;
  /** 0 when there is no container any more (delete). */
  readonly vmid: number;
  readonly ipAddress: string;
  /** "running" | "stopped" | "" (no container, or unknown). */
  readonly containerStatus: string;
  readonly message: string;
  /** Adopt only: what was found (secret-looking configuration keys already removed). */
  readonly adopted?: provisionerEventsV1.AdoptedContainer;
  /** Backup only: the archive written. */
  readonly archive?: provisionerEventsV1.BackupArchive;
  /** Backup, restore and delete-backup: the backup record the operation was about. */
  readonly backupId?: string;
  /** The operation's lines not reported yet, logged before the result (withResult). */
  readonly progress?: readonly ProgressLine[];
}

/** OperationSucceeded, for the statement that ends the operation (finishOperationWithResult). */
export function succeededEvent(
  o: EventOrigin,
  result: OperationResult,
): OutboxRecord<provisionerEventsV1.OperationSucceeded> {
  return {
    event: Events.OperationSucceeded,
    payload: {
      operationId: o.operationId,
      kind: o.kind,
      appId: o.appId,
      ...result,
      adopted: result.adopted,
      archive: result.archive,
      backupId: result.backupId ?? "",
      progress: [...(result.progress ?? [])],
    },
    meta: meta(o),
  };
}

/** Why an operation failed for good, and where it left the container. */
export interface OperationFailure {
  /** Safe for users: see failure-reason.ts. */
  readonly reason: string;
  readonly attempts: number;
  /** "running" | "stopped" | "" (unknown). */
  readonly containerStatus: string;
  /** Backup, restore and delete-backup: the backup record the operation was about. */
  readonly backupId?: string;
  /** The operation's lines not reported yet, logged before the result (withResult). */
  readonly progress?: readonly ProgressLine[];
}

/** OperationFailed, as succeededEvent. */
export function failedEvent(
  o: EventOrigin,
  failure: OperationFailure,
): OutboxRecord<provisionerEventsV1.OperationFailed> {
  return {
    event: Events.OperationFailed,
    payload: {
      operationId: o.operationId,
      kind: o.kind,
      appId: o.appId,
      ...failure,
      backupId: failure.backupId ?? "",
      progress: [...(failure.progress ?? [])],
    },
    meta: meta(o),
  };
}

/** Records the result of a host check (the hosts service applies it to the host and its nodes). */
export function addHostChecked(
  trx: DbOrTrx,
  report: provisionerEventsV1.HostChecked,
  traceparent: string,
): Promise<string> {
  return addToOutbox(trx, Events.HostChecked, report, {
    source: SERVICE_NAME,
    traceparent,
    subject: report.hostId,
  });
}

/**
 * Publishes what one node of a host reported about its containers (metrics and reconciliation),
 * straight to JetStream: a snapshot (see above). Rejects when JetStream did not acknowledge it.
 */
export function publishContainersObserved(
  snapshots: SnapshotPublisher,
  report: provisionerEventsV1.ContainersObserved,
  traceparent: string,
): Promise<string> {
  return snapshots.publish(Events.ContainersObserved, report, { traceparent, subject: report.hostId });
}

/**
 * Publishes the backup archives one storage listed on one node (storage-content reconciliation),
 * straight to JetStream: a snapshot (see above). Rejects when JetStream did not acknowledge it.
 */
export function publishBackupsObserved(
  snapshots: SnapshotPublisher,
  report: provisionerEventsV1.BackupsObserved,
  traceparent: string,
): Promise<string> {
  return snapshots.publish(Events.BackupsObserved, report, { traceparent, subject: report.hostId });
}
