/**
 * An attempt's writes to the step journal (operation_steps). A step's "running" is written before
 * its work (the intent a retry decides on: a UPID to poll, a rollback decided, a snapshot taken);
 * its "done" waits for the next write of the attempt and goes in the same statement: the next
 * step's "running", the result's transaction (completeOperation, failNow) or the end of the
 * attempt. One statement per step instead of two. A crash before that write (or a result's
 * transaction rolled back after it) leaves the step "running", as a crash just after its work
 * always could: the retry runs it again, as it would have (steps are idempotent).
 */
import type { DbOrTrx } from "../../db/database.js";
import { deleteSteps, type StepStatusChange, setStepStatuses } from "../../db/operation-step.repository.js";

export interface StepJournal {
  /** Journals `name` running (with `detail`, if given), with the done step still waiting. */
  begin(name: string, detail?: string): Promise<void>;
  /** `name` is done: written with the attempt's next journal write. */
  done(name: string, detail?: string): void;
  /** Journals `name` failed, with the done step still waiting. */
  failed(name: string): Promise<void>;
  /** Writes the done step still waiting, if any (`db` may be the result's transaction). */
  flush(db: DbOrTrx): Promise<void>;
  /** Deletes steps (an abandoned VMID's), the waiting done among them. */
  forget(names: readonly string[], db: DbOrTrx): Promise<void>;
}

export function createStepJournal(db: DbOrTrx, operationId: string): StepJournal {
  let waiting: StepStatusChange | undefined;

  /**
   * The waiting done (unless `change` is about the same step: it is written anew) and `change`, in
   * one statement. A write that fails leaves the done waiting for the next one.
   */
  async function write(to: DbOrTrx, change?: StepStatusChange): Promise<void> {
    const done = waiting;
    waiting = undefined;
    const changes = done && done.name !== change?.name ? [done] : [];
    if (change) changes.push(change);
    try {
      await setStepStatuses(to, operationId, changes);
    } catch (err) {
      waiting ??= done;
      throw err;
    }
  }

  return {
    begin: (name, detail) => write(db, { name, status: "running", detail }),
    done(name, detail) {
      waiting = { name, status: "done", detail };
    },
    failed: (name) => write(db, { name, status: "failed" }),
    flush: (to) => (waiting ? write(to) : Promise.resolve()),
    async forget(names, to) {
      if (waiting && names.includes(waiting.name)) waiting = undefined;
      await deleteSteps(to, operationId, names);
    },
  };
}
