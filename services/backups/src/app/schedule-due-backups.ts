import { randomUUID } from "node:crypto";
import { Events, newTraceparent } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import { insertBackupIfFree } from "../db/backup.repository.js";
import {
  advancePolicy,
  type DuePolicy,
  disablePolicy,
  lockDuePolicies,
} from "../db/backup-policy.repository.js";
import type { BackupsDatabase, BackupsDb } from "../db/database.js";
import { nextRun, parseSchedule, type Schedule } from "../domain/schedule.js";
import { backupRef, emit } from "../events/publish.js";

const BATCH = 50;

/** Why a slot did not get its backup because the app already had one pending or running. */
export const SKIPPED_BUSY_BACKUP = "Skipped: another backup of the app was running";

export interface ScheduleOutcome {
  /** Slots that got a pending backup. */
  readonly scheduled: number;
  /** Slots recorded as failed (another backup of the app was pending or running). */
  readonly skipped: number;
}

/**
 * Turns due policy slots into pending backups, exactly once with any number of replicas: in one
 * transaction the due policies are locked FOR UPDATE SKIP LOCKED (another replica skips them), a
 * `pending` backup is inserted for the slot (UNIQUE (app_id, scheduled_for) refuses a second one
 * for ever) and next_run_at moves to the first slot after now, so slots missed while every
 * replica was down run once, not once each. A slot whose app already has a backup pending or
 * running is recorded as failed with the reason (never dropped silently).
 */
export async function scheduleDueBackups(
  db: Kysely<BackupsDatabase>,
  log: Logger,
  now = new Date(),
): Promise<ScheduleOutcome> {
  return db.transaction().execute(async (trx) => {
    let scheduled = 0;
    let skipped = 0;
    for (const policy of await lockDuePolicies(trx, now, BATCH)) {
      const schedule = scheduleOf(policy, log);
      if (!schedule || policy.app_deleted || policy.owner_id === null) {
        // Nothing to run for: an unreadable schedule, an app that is gone or whose owner is unknown.
        if (policy.owner_id === null && schedule) {
          await advancePolicy(trx, policy.app_id, nextRun(schedule, now, policy.time_zone), null);
          log.warn({ appId: policy.app_id }, "scheduled slot passed: the app's owner is not known yet");
        } else {
          await disablePolicy(trx, policy.app_id);
        }
        continue;
      }
      const next = nextRun(schedule, now, policy.time_zone);
      if (policy.next_run_at === null) {
        // Enabled without a next run (older data): start counting from now.
        await advancePolicy(trx, policy.app_id, next, null);
        continue;
      }
      const slot = policy.next_run_at;
      if (await takeSlot(trx, policy, policy.owner_id, slot)) scheduled++;
      else if (await recordSkippedSlot(trx, policy, policy.owner_id, slot)) skipped++;
      await advancePolicy(trx, policy.app_id, next, slot);
    }
    if (scheduled + skipped > 0) log.info({ scheduled, skipped }, "scheduled backups");
    return { scheduled, skipped };
  });
}

function scheduleOf(policy: DuePolicy, log: Logger): Schedule | undefined {
  try {
    return parseSchedule(policy.schedule);
  } catch (err) {
    log.error({ err, appId: policy.app_id }, "stored schedule is invalid; policy disabled");
    return undefined;
  }
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

/** The slot could not be taken: another backup is active (or the slot exists, then nothing is added). */
async function recordSkippedSlot(
  trx: BackupsDb,
  policy: DuePolicy,
  ownerId: string,
  slot: Date,
): Promise<boolean> {
  const row = await insertBackupIfFree(trx, {
    ...slotValues(policy, ownerId, slot),
    status: "failed",
    error: SKIPPED_BUSY_BACKUP,
    completed_at: new Date(),
  });
  if (!row) return false;
  await emit(
    trx,
    Events.BackupFailed,
    { backup: backupRef(row), operationId: row.operation_id, reason: SKIPPED_BUSY_BACKUP },
    row.app_id,
    newTraceparent(),
  );
  return true;
}
