/**
 * Proxmox tasks inside journaled steps. The UPID is stored before it is polled: a worker that
 * restarts mid-task finds it in the journal and resumes polling instead of starting the task again.
 */
import { UnavailableError, ValidationError } from "@proximity/errors";
import { TaskFailedError, type Upid } from "@proximity/proxmox";
import { type StepRow, saveStepUpid } from "../../db/operation-step.repository.js";
import type { Attempt, HostConnection } from "./context.js";
import type { StepName } from "./step-names.js";

/**
 * Waits for the task journaled in `previous`, or starts one with `start` (null = nothing to do,
 * e.g. the container already runs), journals its UPID, then waits (up to `timeoutMs`, default the
 * configured task timeout). A failed task's UPID is cleared so the next attempt starts afresh.
 */
export async function runProxmoxTask(
  a: Attempt,
  connection: HostConnection,
  name: StepName,
  previous: StepRow | undefined,
  start: () => Promise<Upid | null>,
  timeoutMs?: number,
): Promise<Upid | null> {
  const { db, settings } = a.deps;
  const operationId = a.request.operationId;
  const resumed = previous?.upid ?? null;
  const upid = resumed ?? (await start());
  if (upid === null) return null;
  if (resumed === null) await saveStepUpid(db, operationId, name, upid);
  else a.log.info({ step: name, upid }, "resuming a journaled Proxmox task");
  try {
    await connection.pve.waitForTask(upid, {
      timeoutMs: timeoutMs ?? settings.taskTimeoutMs,
      intervalMs: settings.taskPollIntervalMs,
      signal: a.signal,
    });
    return upid;
  } catch (err) {
    if (err instanceof TaskFailedError) {
      a.log.warn(
        { step: name, upid, exitstatus: err.exitstatus, logTail: err.logTail },
        "Proxmox task failed",
      );
      await saveStepUpid(db, operationId, name, null);
    } else if (resumed !== null && err instanceof ValidationError) {
      // Proxmox no longer knows the journaled task (node reinstalled, task log rotated): start over.
      await saveStepUpid(db, operationId, name, null);
      throw new UnavailableError("The journaled Proxmox task is unknown to the host", err);
    }
    throw err;
  }
}
