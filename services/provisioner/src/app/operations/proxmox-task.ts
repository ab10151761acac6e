/**
 * Proxmox tasks inside journaled steps. The UPID is stored as soon as the task starts: a worker
 * that restarts mid-task finds it in the journal and resumes polling instead of starting the task
 * again.
 */
import { UnavailableError, ValidationError } from "@proximity/errors";
import { TaskFailedError, type Upid } from "@proximity/proxmox";
import { type StepRow, saveStepUpid } from "../../db/operation-step.repository.js";
import type { Attempt, HostConnection } from "./context.js";
import { OwnershipLostError } from "./errors.js";
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
  const journalUpid = async (value: Upid | null) => {
    if (!(await saveStepUpid(db, operationId, a.claim, name, value)))
      throw new OwnershipLostError("Another worker took the operation over; its journal is theirs");
  };
  const resumed = previous?.upid ?? null;
  const upid = resumed ?? (await start());
  if (upid === null) return null;
  // Journaled while the task is polled, not before (one round trip off the step's path): the write
  // takes a millisecond where a task takes seconds, and the step moves on only once it has settled.
  // Settled: undefined, or the lost claim that refused it.
  let saving: Promise<OwnershipLostError | undefined> = Promise.resolve(undefined);
  if (resumed === null) {
    saving = journalUpid(upid).then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof OwnershipLostError) return err;
        // Only a restart mid-task needs it: that restart would start the task again instead of
        // polling it, as one just before this write always could. The task itself goes on.
        a.log.warn({ err, step: name, upid }, "could not journal the Proxmox task's UPID");
        return undefined;
      },
    );
  } else a.log.info({ step: name, upid }, "resuming a journaled Proxmox task");
  try {
    await connection.pve.waitForTask(upid, {
      timeoutMs: timeoutMs ?? settings.taskTimeoutMs,
      intervalMs: settings.taskPollIntervalMs,
      signal: a.signal,
    });
  } catch (err) {
    // Before the UPID is cleared below: a write landing after the clear would leave a failed task
    // journaled for the retry to poll. An attempt that lost the operation reports that instead.
    const lost = await saving;
    if (lost) throw lost;
    if (err instanceof TaskFailedError) {
      a.log.warn(
        { step: name, upid, exitstatus: err.exitstatus, logTail: err.logTail },
        "Proxmox task failed",
      );
      await journalUpid(null);
    } else if (resumed !== null && err instanceof ValidationError) {
      // Proxmox no longer knows the journaled task (node reinstalled, task log rotated): start over.
      await journalUpid(null);
      throw new UnavailableError("The journaled Proxmox task is unknown to the host", err);
    }
    throw err;
  }
  const lost = await saving;
  if (lost) throw lost;
  return upid;
}
