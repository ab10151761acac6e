import { randomUUID } from "node:crypto";
import { Events, newTraceparent } from "@proximity/bus";
import { ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { type Kysely, sql } from "kysely";
import { insertBackupIfFree } from "../db/backup.repository.js";
import {
  advancePolicy,
  type DuePolicy,
  disablePolicy,
  lockDuePolicies,
} from "../db/backup-policy.repository.js";
import type { BackupsDatabase, BackupsDb } from "../db/database.js";
import { nextRun, parseSchedule } from "../domain/schedule.js";
import { backupRef, emit } from "../events/publish.js";

const BATCH = 50;

/** Why a slot did not get its backup because the app already had one pending or running. */
export const SKIPPED_BUSY_BACKUP = "Skipped: another backup of the app was running";

/** Why a slot did not get its backup because its policy cannot be scheduled (then it is turned off). */
export const SKIPPED_POLICY_OFF = "Skipped: the backup schedule was turned off because its";

export interface ScheduleOutcome {
  /** Slots that got a pending backup. */
  readonly scheduled: number;
  /** Slots recorded as failed (another backup of the app was pending or running). */
  readonly skipped: number;
  /** Policies that could not be scheduled: logged and left alone, or turned off when they never can be. */
  readonly failed: number;
}

/**
 * Turns due policy slots into pending backups, exactly once with any number of replicas: in one
 * transaction the due policies are locked FOR UPDATE SKIP LOCKED (another replica skips them), a
 * `pending` backup is inserted for the slot (UNIQUE (app_id, scheduled_for) refuses a second one
 * for ever) and next_run_at moves to the first slot after now, so slots missed while every
 * replica was down run once, not once each. A slot whose app already has a backup pending or
 * running is recorded as failed with the reason (never dropped silently). Each policy is
 * scheduled under a savepoint of its own: one that fails is undone and logged alone, never the
 * batch; one whose schedule or time zone cannot give a next run is turned off, its slot recorded
 * as failed with the reason.
 */
export async function scheduleDueBackups(
  db: Kysely<BackupsDatabase>,
  log: Logger,
  now = new Date(),
): Promise<ScheduleOutcome> {
  return db.transaction().execute(async (trx) => {
    const counts = { scheduled: 0, skipped: 0, failed: 0 };
    for (const policy of await lockDuePolicies(trx, now, BATCH)) {
      try {
        const outcome = await inSavepoint(trx, () => scheduleSlot(trx, policy, now, log));
        if (outcome) counts[outcome]++;
      } catch (err) {
        counts.failed++;
        log.error({ err, appId: policy.app_id }, "a due backup policy could not be scheduled; skipped");
        if (err instanceof ValidationError) await turnOff(trx, policy, err, log);
      }
    }
    if (counts.scheduled + counts.skipped + counts.failed > 0) log.info(counts, "scheduled backups");
    return counts;
  });
}

/** One due policy: its slot taken (or recorded as skipped) and its next run set. */
async function scheduleSlot(
  trx: BackupsDb,
  policy: DuePolicy,
  now: Date,
  log: Logger,
): Promise<"scheduled" | "skipped" | undefined> {
  if (policy.app_deleted) {
    await disablePolicy(trx, policy.app_id);
    return undefined;
  }
  // Both throw a ValidationError for a policy that can never run (stored before a rule changed,
  // a time zone the runtime no longer knows).
  const next = nextRun(parseSchedule(policy.schedule), now, policy.time_zone);
  if (policy.owner_id === null) {
    await advancePolicy(trx, policy.app_id, next, null);
    log.warn({ appId: policy.app_id }, "scheduled slot passed: the app's owner is not known yet");
    return undefined;
  }
  if (policy.next_run_at === null) {
    // Enabled without a next run (older data): start counting from now.
    await advancePolicy(trx, policy.app_id, next, null);
    return undefined;
  }
  const slot = policy.next_run_at;
  let outcome: "scheduled" | "skipped" | undefined;
  if (await takeSlot(trx, policy, policy.owner_id, slot)) outcome = "scheduled";
  else if (await recordFailedSlot(trx, policy, policy.owner_id, slot, SKIPPED_BUSY_BACKUP))
    outcome = "skipped";
  await advancePolicy(trx, policy.app_id, next, slot);
  return outcome;
}

/**
 * A policy that can never be scheduled is turned off, and its owner told through the slot it
 * missed (a failed backup with the reason, BackupFailed). Best effort: if this fails too, it is
 * logged and the next pass tries again.
 */
async function turnOff(trx: BackupsDb, policy: DuePolicy, err: ValidationError, log: Logger): Promise<void> {
  const problem = err.fieldErrors[0];
  const what = problem?.field === "time_zone" ? `time zone ${policy.time_zone}` : "schedule";
  const reason = `${SKIPPED_POLICY_OFF} ${what} cannot be used: ${problem?.message ?? err.message}`;
  try {
    await inSavepoint(trx, async () => {
      await disablePolicy(trx, policy.app_id);
      const slot = policy.next_run_at;
      if (slot && policy.owner_id !== null)
        await recordFailedSlot(trx, policy, policy.owner_id, slot, reason);
    });
    log.warn({ appId: policy.app_id, reason }, "backup policy turned off");
  } catch (turnOffErr) {
    log.error({ err: turnOffErr, appId: policy.app_id }, "could not turn the backup policy off");
  }
}

/** Runs `work` so that a failure undoes its own writes only, and the transaction goes on. */
async function inSavepoint<T>(trx: BackupsDb, work: () => Promise<T>): Promise<T> {
  await sql`savepoint due_policy`.execute(trx);
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await sql`rollback to savepoint due_policy`.execute(trx);
    throw err;
  }
  await sql`release savepoint due_policy`.execute(trx);
  return result;
}

const slotValues = (policy: DuePolicy, ownerId: string, slot: Date) => ({
  id: randomUUID(),
  operation_id: randomUUID(),
  app_id: policy.app_id,
  owner_id: ownerId,
  mode: policy.mode,
  compression: policy.compression,
  trigger: "scheduled" as const,
  scheduled_for: slot,
});

async function takeSlot(trx: BackupsDb, policy: DuePolicy, ownerId: string, slot: Date): Promise<boolean> {
  const row = await insertBackupIfFree(trx, { ...slotValues(policy, ownerId, slot), status: "pending" });
  return row !== undefined;
}

/** The slot gets no backup, with the reason (if the slot exists already, nothing is added). */
async function recordFailedSlot(
  trx: BackupsDb,
  policy: DuePolicy,
  ownerId: string,
  slot: Date,
  reason: string,
): Promise<boolean> {
  const row = await insertBackupIfFree(trx, {
    ...slotValues(policy, ownerId, slot),
    status: "failed",
    error: reason,
    completed_at: new Date(),
  });
  if (!row) return false;
  await emit(
    trx,
    Events.BackupFailed,
    { backup: backupRef(row), operationId: row.operation_id, reason },
    row.app_id,
    newTraceparent(),
  );
  return true;
}
