/**
 * An attempt's writes to the step journal (operation_steps). A step's "running" is written before
 * its work (the intent a retry decides on: a UPID to poll, a rollback decided, a snapshot taken),
 * but for a step whose retry decides on nothing of it (journal-step.ts JournalOptions);
 * its "done" waits for the attempt's next journal write and goes in the same statement: the next
 * step's "running", the result's statement (completeOperation, failNow) or the end of a failed
 * attempt. One statement fewer per step. A crash before that write leaves the step "running", as
 * a crash just after its work always could: the retry runs it again (steps are idempotent, and
 * those with a task poll its journaled UPID).
 *
 * Every status write is fenced by the attempt's claim: only the attempt holding the running operation
 * writes it (writeStepStatuses); a write that finds the claim gone is an OwnershipLostError.
 */
import type { DbOrTrx } from "../../db/database.js";
import { deleteSteps, type StepStatusChange, writeStepStatuses } from "../../db/operation-step.repository.js";
import { OwnershipLostError } from "./errors.js";

export interface StepJournal {
  /** Journals `name` running (with `detail`, if given), with the done steps still waiting. */
  begin(name: string, detail?: string): Promise<void>;
  /** `name` is done: written with the attempt's next journal write. */
  done(name: string, detail?: string): void;
  /**
   * The operation's VMID choice (operations.vmid: later attempts and the cleanup read it), written
   * with the attempt's next journal write as a done is: the create step's running, before anything
   * is created on it.
   */
  chooseVmid(vmid: number): void;
  /** Journals `name` failed, with the done steps still waiting. */
  failed(name: string): Promise<void>;
  /** Writes the done steps and the VMID choice still waiting, if any. */
  flush(): Promise<void>;
  /**
   * The done steps and the VMID choice still waiting, for the result's statement to write
   * (finishOperationWithResult): they stop waiting when `written` is called, once it has committed
   * (failed, they still wait).
   */
  forResult(): {
    readonly steps: readonly StepStatusChange[];
    readonly vmid: number | undefined;
    written(): void;
  };
  /** Deletes steps (an abandoned VMID's) in `trx`, their waiting done and a VMID choice waiting with them. */
  forget(names: readonly string[], trx: DbOrTrx): Promise<void>;
  /** The steps done but not written yet. */
  waiting(): readonly string[];
}

/** A VMID choice (an object: a choice made again, even of the same VMID, is another one). */
interface VmidChoice {
  readonly vmid: number;
}

/** What one write took: the dones and the VMID choice. */
interface Written {
  readonly dones: readonly StepStatusChange[];
  readonly choice: VmidChoice | undefined;
}

/** `claim`: the attempt's claim on the operation (claim-id.ts), which fences every write. */
export function createStepJournal(db: DbOrTrx, operationId: string, claim: string): StepJournal {
  /** Done steps not written yet, by name (a step done again replaces its earlier done). */
  const waiting = new Map<string, StepStatusChange>();
  /** The VMID chosen and not written yet. */
  let chosen: VmidChoice | undefined;

  /** What waits (but a done about `change`'s step, which it replaces) and `change`, in one statement. */
  async function write(to: DbOrTrx, change?: StepStatusChange): Promise<Written> {
    const dones = [...waiting.values()].filter((d) => d.name !== change?.name);
    const choice = chosen;
    const changes = change ? [...dones, change] : dones;
    if (!(await writeStepStatuses(to, operationId, claim, changes, choice?.vmid)))
      throw new OwnershipLostError("Another worker took the operation over; its journal is theirs");
    return { dones, choice };
  }
  /** Written and committed: those wait no more (unless done or chosen again meanwhile). */
  const settle = (written: Written) => {
    for (const d of written.dones) if (waiting.get(d.name) === d) waiting.delete(d.name);
    if (written.choice !== undefined && chosen === written.choice) chosen = undefined;
  };
  /** A write of `name` outside the waiting ones (begin, failed) supersedes its waiting done. */
  async function writeNow(change: StepStatusChange): Promise<void> {
    settle(await write(db, change));
    waiting.delete(change.name);
  }

  return {
    begin: (name, detail) => writeNow({ name, status: "running", detail }),
    done(name, detail) {
      waiting.set(name, { name, status: "done", detail });
    },
    chooseVmid(vmid) {
      chosen = { vmid };
    },
    failed: (name) => writeNow({ name, status: "failed" }),
    async flush() {
      if (waiting.size > 0 || chosen !== undefined) settle(await write(db));
    },
    forResult() {
      const written = { dones: [...waiting.values()], choice: chosen };
      return { steps: written.dones, vmid: written.choice?.vmid, written: () => settle(written) };
    },
    async forget(names, trx) {
      for (const name of names) waiting.delete(name);
      chosen = undefined;
      await deleteSteps(trx, operationId, names);
    },
    waiting: () => [...waiting.keys()],
  };
}
