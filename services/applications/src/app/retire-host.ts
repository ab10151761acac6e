import { ConflictError, ValidationError } from "@proximity/errors";
import { countLiveAppsOnHost } from "../db/app.repository.js";
import type { ApplicationsDb } from "../db/database.js";
import { lockHostForRetirement, markHostRetired } from "../db/placement-host.repository.js";

function assertHostId(hostId: string): void {
  if (!hostId) throw new ValidationError("Invalid request", [{ field: "host_id", message: "is required" }]);
}

/**
 * Before the hosts service deletes a host: refuses while live apps are placed on it, else marks it
 * retired. The host's row is locked FOR UPDATE, which waits for every placement holding it FOR
 * SHARE to commit, so the count includes them; placements after this see the host retired.
 */
export async function retireHost(db: ApplicationsDb, hostId: string): Promise<void> {
  assertHostId(hostId);
  await db.transaction().execute(async (trx) => {
    await lockHostForRetirement(trx, hostId);
    const live = await countLiveAppsOnHost(trx, hostId);
    if (live > 0) {
      throw new ConflictError(`${live} ${live === 1 ? "app is" : "apps are"} still live on this host`);
    }
    await markHostRetired(trx, hostId, true);
  });
}

/** Undoes retireHost when the host's deletion did not go through. */
export async function reinstateHost(db: ApplicationsDb, hostId: string): Promise<void> {
  assertHostId(hostId);
  await markHostRetired(db, hostId, false);
}
