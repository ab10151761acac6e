import { Events, newTraceparent } from "@proximity/bus";
import { ConflictError, NotFoundError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { upsertAppOwner } from "../db/app-owner.repository.js";
import { failBackup, lockNextPending, startPending } from "../db/backup.repository.js";
import type { BackupRow } from "../db/backups.table.js";
import type { BackupsDb } from "../db/database.js";
import { BackupMessages } from "../domain/backup.js";
import { backupRef, emit } from "../events/publish.js";
import type { ArchiveClaim, OnBehalfOf } from "../infra/applications-peer.js";
import { abandonClaim, isRefusal } from "./abandon-claim.js";
import { appFactsOf } from "./app-facts.js";
import { emitBackupStarted } from "./backup-started.js";
import type { BackupsDeps } from "./deps.js";

/** A pending backup the applications service could not be reached for is given up after this. */
export const PENDING_GIVE_UP_MS = 60 * 60_000;
const BATCH = 20;

const SKIPPED_NOT_FOUND = "Skipped: the app no longer exists";
const SKIPPED_UNREACHABLE = "Skipped: the applications service did not answer in time";
const UNRECORDED = "Skipped: the backup could not be recorded";

interface HeldClaim {
  readonly operationId: string;
  readonly backupId: string;
  readonly as: OnBehalfOf;
}

export interface DispatchOutcome {
  readonly started: number;
  readonly skipped: number;
  /** Left pending for the next pass (the applications service did not answer). */
  readonly deferred: number;
}

/**
 * Starts pending scheduled backups like manual ones, on behalf of the app's owner. Each is taken
 * FOR UPDATE SKIP LOCKED in a transaction of its own that stays open over the claim at the
 * applications service, so two replicas never start the same one; the claim and the row's change
 * commit or (on a crash) neither is acted on. An app that is busy or cannot be backed up makes the
 * backup `failed` with the reason and BackupFailed (never silent); an unreachable applications
 * service leaves it pending for the next pass, up to PENDING_GIVE_UP_MS after its slot (see
 * skipOrDefer).
 */
export async function dispatchPendingBackups(
  deps: BackupsDeps,
  log: Logger,
  now = new Date(),
): Promise<DispatchOutcome> {
  const tried: string[] = [];
  const counts = { started: 0, skipped: 0, deferred: 0 };
  while (tried.length < BATCH) {
    const taken = tried.length;
    // Set while the app is claimed for the row being dispatched (read after the transaction failed).
    const held: { claim?: HeldClaim | undefined } = {};
    try {
      const result = await deps.db.transaction().execute(async (trx) => {
        const row = await lockNextPending(trx, tried);
        if (!row) return undefined;
        tried.push(row.id);
        const as: OnBehalfOf = { user: { id: row.owner_id, isAdmin: false }, traceparent: newTraceparent() };
        let claim: ArchiveClaim;
        try {
          claim = await deps.applications.beginArchiveOperation(
            { appId: row.app_id, kind: "backup", operationId: row.operation_id, backupId: row.id },
            as,
          );
        } catch (err) {
          return skipOrDefer(deps, trx, row, err, now, as, log);
        }
        held.claim = { operationId: row.operation_id, backupId: row.id, as };
        const { app } = claim;
        if (!app.vmid || !app.hostId || !app.node) {
          await abandonClaim(deps.applications, row.operation_id, BackupMessages.noContainer, as, log);
          held.claim = undefined;
          return skipOrDefer(deps, trx, row, new ConflictError(BackupMessages.noContainer), now, as, log);
        }
        const running = await startPending(trx, row.id, {
          ownerId: app.ownerId,
          hostId: app.hostId,
          node: app.node,
          vmid: app.vmid,
        });
        // The claim names the app: kept for its backups, should it be deleted later.
        await upsertAppOwner(trx, appFactsOf(app));
        await emitBackupStarted(trx, running, claim.deadline, as.traceparent);
        log.info(
          { appId: row.app_id, backupId: row.id, slot: row.scheduled_for },
          "scheduled backup started",
        );
        return "started" as const;
      });
      if (!result) break;
      counts[result]++;
    } catch (err) {
      // Failed before taking a row (the database itself): the next row would fail alike.
      if (tried.length === taken) throw err;
      log.error({ err }, "dispatching a scheduled backup failed");
      const { claim } = held;
      if (claim) await giveUp(deps, claim, log);
    }
  }
  return counts;
}

/**
 * The claim was taken but our side did not commit: the claim is given back and the backup fails
 * (retrying it would present an operation id the applications service has seen end). Best effort:
 * if the database is down too, the backup stays pending and the next pass sorts it out.
 */
async function giveUp(deps: BackupsDeps, claim: HeldClaim, log: Logger): Promise<void> {
  await abandonClaim(deps.applications, claim.operationId, UNRECORDED, claim.as, log);
  try {
    await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("backups")
        .select("id")
        .where("id", "=", claim.backupId)
        .where("status", "=", "pending")
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!row) return;
      const failed = await failBackup(trx, row.id, UNRECORDED);
      await emit(
        trx,
        Events.BackupFailed,
        { backup: backupRef(failed), operationId: failed.operation_id, reason: UNRECORDED },
        failed.app_id,
        claim.as.traceparent,
      );
    });
  } catch (err) {
    log.warn({ err, backupId: claim.backupId }, "could not record the scheduled backup as failed");
  }
}

/**
 * The app could not be claimed. A refusal (busy, gone) fails the backup with the reason. Anything
 * else leaves it pending for the next pass, which asks again with the same operation id: the
 * applications service answers a claim it took (its answer was lost) as if it had just taken it.
 * Once that has gone on for PENDING_GIVE_UP_MS the backup fails, and a claim that may have been
 * taken meanwhile is given back.
 */
async function skipOrDefer(
  deps: BackupsDeps,
  trx: BackupsDb,
  row: BackupRow,
  err: unknown,
  now: Date,
  as: OnBehalfOf,
  log: Logger,
): Promise<"skipped" | "deferred"> {
  let reason: string;
  // The applications service's own words: "another operation is running: restore", a state…
  if (err instanceof ConflictError) reason = `Skipped: ${lowerFirst(err.message)}`;
  else if (err instanceof NotFoundError) reason = SKIPPED_NOT_FOUND;
  else if (now.getTime() - (row.scheduled_for?.getTime() ?? 0) < PENDING_GIVE_UP_MS) {
    log.warn(
      { err, appId: row.app_id, backupId: row.id },
      "scheduled backup deferred: the app could not be claimed",
    );
    return "deferred";
  } else {
    reason = SKIPPED_UNREACHABLE;
    if (!isRefusal(err)) await abandonClaim(deps.applications, row.operation_id, reason, as, log);
  }
  const failed = await failBackup(trx, row.id, reason);
  await emit(
    trx,
    Events.BackupFailed,
    { backup: backupRef(failed), operationId: failed.operation_id, reason },
    failed.app_id,
    as.traceparent,
  );
  log.info({ appId: row.app_id, backupId: row.id, reason }, "scheduled backup skipped");
  return "skipped";
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
