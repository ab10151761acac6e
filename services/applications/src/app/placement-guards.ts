import type { OutboxRecord } from "@proximity/bus";
import { ConflictError, PermissionDeniedError, UnavailableError } from "@proximity/errors";
import type { ApplicationsDb } from "../db/database.js";
import { lockHostForPlacement } from "../db/placement-host.repository.js";
import { type PortRange, tryAllocatePort } from "../db/port.repository.js";
import { findQuota, reserveAppSlot } from "../db/quota.repository.js";

/**
 * The database checks every transaction that places a new app runs, in this order: the host row
 * (shared, with an unlocked look at the owner's quota), the app insert, the port, and the owner's
 * quota row last (a clone claims its source app before all of them). One order, so concurrent
 * placements never wait on each other in a cycle (a removal releases its port before its quota
 * slot, the same order). The quota row goes last because it is the one row all of a user's
 * placements write: taken first, it serialised them for their whole transaction; taken last, for
 * the commit only. A placement over quota still changes nothing: it is refused by the first look
 * (before any work, with the quota as its reason) or, racing the user's other placements, by the
 * last statement, and its transaction rolls back.
 */

/** The owner's quota is reached (403). */
export class QuotaReachedError extends PermissionDeniedError {}

/** The host is being removed (RetireHost): no new app goes there (409). */
export class HostRetiredError extends ConflictError {
  constructor() {
    super("The host is being removed; choose another host");
  }
}

/**
 * Counts the new app against its owner's quota (the placement's last statement), recording the
 * placement's `event` by the same statement; QuotaReachedError when the quota is reached.
 */
export async function reserveQuota(
  trx: ApplicationsDb,
  ownerId: string,
  defaultMax: number,
  event?: OutboxRecord<unknown>,
): Promise<void> {
  if (await reserveAppSlot(trx, ownerId, defaultMax, event)) return;
  throw await quotaReached(trx, ownerId, defaultMax);
}

async function quotaReached(
  trx: ApplicationsDb,
  ownerId: string,
  defaultMax: number,
): Promise<QuotaReachedError> {
  const quota = await findQuota(trx, ownerId);
  const max = quota?.max_apps ?? defaultMax;
  return new QuotaReachedError(`App quota reached (${max} apps); ask an administrator to raise it`);
}

/**
 * Holds the host open for the rest of the transaction; refuses a host that is being removed, and
 * an owner whose quota is reached already (reserveQuota decides it at the end).
 */
export async function assertPlacementOpen(
  trx: ApplicationsDb,
  hostId: string,
  owner: { readonly ownerId: string; readonly defaultMax: number },
): Promise<void> {
  const { retired, quotaReached: reached } = await lockHostForPlacement(trx, hostId, {
    userId: owner.ownerId,
    defaultMax: owner.defaultMax,
  });
  if (reached) throw await quotaReached(trx, owner.ownerId, owner.defaultMax);
  if (retired) throw new HostRetiredError();
}

const PORT_ATTEMPTS = 20;

/** Allocates a published port for the app on its host and records it on the app. */
export async function allocatePublicPort(
  trx: ApplicationsDb,
  hostId: string,
  appId: string,
  range: PortRange,
): Promise<number> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await tryAllocatePort(trx, hostId, appId, range);
    if (port === "exhausted") {
      throw new ConflictError(
        `No free port left on this host (${range.first}-${range.last} are all in use); ask an administrator to widen the port range`,
      );
    }
    if (port !== null) return port; // recorded on the app by the same statement
  }
  throw new UnavailableError("Could not reserve a port for the app; try again");
}
