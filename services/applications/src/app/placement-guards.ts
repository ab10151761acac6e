import { ConflictError, PermissionDeniedError, UnavailableError } from "@proximity/errors";
import type { ApplicationsDb } from "../db/database.js";
import { lockHostForPlacement } from "../db/placement-host.repository.js";
import { type PortRange, tryAllocatePort } from "../db/port.repository.js";
import { findQuota, reserveAppSlot } from "../db/quota.repository.js";

/**
 * The database checks every transaction that places a new app runs, in this order: the host row
 * (shared), the app insert, the port, and the owner's quota row last. One order, so concurrent
 * placements never wait on each other in a cycle (a removal releases its port before its quota
 * slot, the same order). The quota row goes last because it is the one row all of a user's
 * placements write: taken first, it serialised them for their whole transaction; taken last, for
 * the commit only. A placement over quota still changes nothing: its transaction rolls back.
 */

/** Counts the new app against its owner's quota; PermissionDenied (403) when it is reached. */
export async function reserveQuota(trx: ApplicationsDb, ownerId: string, defaultMax: number): Promise<void> {
  if (await reserveAppSlot(trx, ownerId, defaultMax)) return;
  const quota = await findQuota(trx, ownerId);
  const max = quota?.max_apps ?? defaultMax;
  throw new PermissionDeniedError(`App quota reached (${max} apps); ask an administrator to raise it`);
}

/** Holds the host open for the rest of the transaction; refuses a host that is being removed. */
export async function assertHostOpen(trx: ApplicationsDb, hostId: string): Promise<void> {
  const { retired } = await lockHostForPlacement(trx, hostId);
  if (retired) throw new ConflictError("The host is being removed; choose another host");
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
