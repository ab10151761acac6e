import { ValidationError } from "@proximity/errors";
import type { ApplicationsDb } from "../db/database.js";
import { findQuota, setMaxApps } from "../db/quota.repository.js";

export interface UserQuota {
  readonly userId: string;
  readonly maxApps: number;
  readonly used: number;
  /** No per-user value: the configured default applies. */
  readonly isDefault: boolean;
}

const USER_ID_MAX = 255;
const MAX_APPS_LIMIT = 100_000;

function assertUserId(userId: string): void {
  if (!userId || userId.length > USER_ID_MAX) {
    throw new ValidationError("Invalid request", [{ field: "user_id", message: "is required" }]);
  }
}

export async function getUserQuota(
  db: ApplicationsDb,
  userId: string,
  defaultMax: number,
): Promise<UserQuota> {
  assertUserId(userId);
  const row = await findQuota(db, userId);
  return {
    userId,
    maxApps: row?.max_apps ?? defaultMax,
    used: row?.live_apps ?? 0,
    isDefault: row?.max_apps == null,
  };
}

/**
 * Sets a user's limit (0 clears it: the default applies again). A limit below what the user
 * already runs is allowed: their apps stay, new ones are refused until they are under it.
 */
export async function setUserQuota(
  db: ApplicationsDb,
  userId: string,
  maxApps: number,
  defaultMax: number,
): Promise<UserQuota> {
  assertUserId(userId);
  if (!Number.isInteger(maxApps) || maxApps < 0 || maxApps > MAX_APPS_LIMIT) {
    throw new ValidationError("Invalid request", [
      { field: "max_apps", message: `must be between 0 (the default) and ${MAX_APPS_LIMIT}` },
    ]);
  }
  const row = await setMaxApps(db, userId, maxApps === 0 ? null : maxApps);
  return {
    userId,
    maxApps: row.max_apps ?? defaultMax,
    used: row.live_apps,
    isDefault: row.max_apps === null,
  };
}
