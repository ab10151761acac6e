import { randomUUID } from "node:crypto";
import { ConflictError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { claimApp } from "../db/app.repository.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { lastFinishedKind } from "../db/operation.repository.js";
import { ActionRefusedError } from "../domain/action-refused.error.js";
import { type AppAction, type OperationKind, planAction } from "../domain/operations.js";
import { getApp } from "./get-app.js";

/** What the work after a successful claim receives. */
export interface Claim {
  /** The app as it was read before the claim. */
  readonly before: AppRow;
  /** The app after the claim (in flight, holding the operation). */
  readonly app: AppRow;
  readonly kind: OperationKind;
  readonly operationId: string;
}

/** Optional parts of a claim. */
export interface ClaimOptions {
  /** Refuses the action on what was read (throws), before anything is claimed. */
  readonly check?: (app: AppRow) => void;
  /** The new operation's id when the caller chose it (the backups service does); else a new one. */
  readonly operationId?: string;
}

class LostRace extends Error {}

const ATTEMPTS = 3;

/**
 * Runs `action` on an app the viewer may see: checks the rules on what was read, then in one
 * transaction claims the app (conditional UPDATE on the status read and no operation running)
 * and runs `work` (operation row, log line, outbox). If another request changed the app between
 * the read and the claim, the app is read again and the answer explains what happened: an
 * invalid transition, or "another operation is running". Throws 404 for apps the viewer may not see.
 */
export async function withClaimedApp<R>(
  db: ApplicationsDb,
  appId: string,
  viewer: EndUser,
  action: AppAction,
  work: (trx: ApplicationsDb, claim: Claim) => Promise<R>,
  options: ClaimOptions = {},
): Promise<R> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await getApp(db, appId, viewer);
    const plan = planAction(before, action);
    if (!plan.ok) throw new ActionRefusedError(before.status, action, plan.reason);
    if (before.current_operation) throw busy(before.current_operation);
    options.check?.(before);
    const operationId = options.operationId ?? randomUUID();
    try {
      return await db.transaction().execute(async (trx) => {
        const app = await claimApp(trx, before, plan.to, { id: operationId, kind: plan.kind });
        if (!app) throw new LostRace();
        return work(trx, { before, app, kind: plan.kind, operationId });
      });
    } catch (err) {
      if (!(err instanceof LostRace)) throw err;
    }
  }
  throw new ConflictError("The app kept changing while the request was handled; try again");
}

export function busy(kind: OperationKind): ConflictError {
  return new ConflictError(`Another operation is running: ${kind}`);
}

/**
 * An app in error after a delete that timed out may still be deleted by the provisioner later:
 * acting on its container now would race that delete. Only deleting it again is offered (the
 * throw rolls the claim back).
 */
export async function refuseAfterUnfinishedDelete(
  trx: ApplicationsDb,
  { before, app, operationId }: Claim,
  action: AppAction,
): Promise<void> {
  if (before.status !== "error") return;
  if ((await lastFinishedKind(trx, app.id, operationId)) !== "delete") return;
  throw new ActionRefusedError(
    before.status,
    action,
    "Cannot act on the app: its deletion did not finish in time; delete it again",
  );
}
