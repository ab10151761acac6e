import { ValidationError } from "@proximity/errors";
import { countLiveAppsOnHost } from "../db/app.repository.js";
import type { ApplicationsDb } from "../db/database.js";

/** Apps not gone on a host: the hosts service refuses to delete a host while this is above 0. */
export async function countAppsOnHost(db: ApplicationsDb, hostId: string): Promise<number> {
  if (!hostId) throw new ValidationError("Invalid request", [{ field: "host_id", message: "is required" }]);
  return countLiveAppsOnHost(db, hostId);
}
