/**
 * Backup archives on a node's storage (backup, restore and delete-backup share them), and what a
 * failed archive task means in our words. Archive listings carry no secret; Proxmox's own texts are
 * matched (domain/archive-task-failure.ts) but never quoted.
 */
import { ConflictError, NotFoundError } from "@proximity/errors";
import { ProxmoxApiError, type StorageContentItem, TaskFailedError } from "@proximity/proxmox";
import { classifyArchiveFailure } from "../../domain/archive-task-failure.js";
import type { HostConnection } from "./context.js";
import { ArchiveOperationError, StepFailedError } from "./errors.js";

/** The backup archives of `storage` on `node` (of container `vmid` only, when given). */
export async function listArchives(
  connection: HostConnection,
  node: string,
  storage: string,
  vmid?: number,
): Promise<StorageContentItem[]> {
  try {
    return await connection.pve.listStorageContent(node, storage, {
      content: "backup",
      ...(vmid ? { vmid } : {}),
    });
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ArchiveOperationError(`The storage ${storage} is not available on node ${node}`, err);
    }
    throw err;
  }
}

/** The archive `volid` as its storage lists it, or undefined when it is not there. */
export async function findArchive(
  connection: HostConnection,
  node: string,
  storage: string,
  volid: string,
): Promise<StorageContentItem | undefined> {
  return (await listArchives(connection, node, storage)).find((a) => a.volid === volid);
}

/**
 * The error to report for a failed archive task or call: a permanent ArchiveOperationError for what
 * retrying cannot fix, a ConflictError (retried) for a container locked by another task, else `err`.
 */
export function archiveFailure(err: unknown, storage: string, task: ArchiveTask): unknown {
  const texts = failureTexts(err);
  switch (texts.length === 0 ? "unknown" : classifyArchiveFailure(texts)) {
    case "storage-full":
      // A restore only reads the archive: what filled up is the container's own disk storage.
      return new ArchiveOperationError(
        task === "restore"
          ? "The container's disk storage is full: no space for the restored data"
          : "The backup storage is full",
        err,
      );
    case "storage-unusable":
      return new ArchiveOperationError(`The storage ${storage} cannot hold backups on this node`, err);
    case "archive-missing":
      return new ArchiveOperationError("The archive is no longer on its storage", err);
    case "archive-protected":
      return new ArchiveOperationError("The archive is protected on the storage", err);
    case "container-protected":
      return new ArchiveOperationError(
        "The container is protected on Proxmox; remove its protection to restore it",
        err,
      );
    case "locked":
      return new ConflictError("The container is locked by another Proxmox operation", err);
    default:
      return err;
  }
}

/** Which archive task failed: the same Proxmox text can mean a different storage for each. */
export type ArchiveTask = "backup" | "restore" | "delete";

/** Runs `work`, reporting its archive failures as archiveFailure says (keeping the failed step). */
export async function withArchiveFailures<T>(
  storage: string,
  task: ArchiveTask,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof StepFailedError)) throw archiveFailure(err, storage, task);
    const cause = archiveFailure(err.cause, storage, task);
    throw cause === err.cause ? err : new StepFailedError(err.step, cause);
  }
}

/** What Proxmox said: a task's exit status and log (last line first), or an API error's message. */
function failureTexts(err: unknown): string[] {
  if (err instanceof TaskFailedError) return [err.exitstatus, ...[...err.logTail].reverse()];
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof ProxmoxApiError) return [cause.pveMessage];
  return [];
}
