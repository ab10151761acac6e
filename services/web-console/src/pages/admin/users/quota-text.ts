import type { UserQuota } from "../../../api/types";

// How the API words a quota (docs/api.md, Users): `max_apps` is the limit that applies — the
// configured default (APP_QUOTA_DEFAULT of the applications service) when `is_default` — and
// PUT `max_apps: 0` clears a user's own limit. So "0" is never a limit an admin sets: it is a
// default of 0, which allows no apps at all, and is said so.

/** "1 app", "3 apps". */
export const appCount = (count: number) => `${count.toLocaleString()} ${count === 1 ? "app" : "apps"}`;

/** The limit in words: "25 apps", or "No apps allowed" for a limit of 0. */
export function limitText(maxApps: number): string {
  return maxApps === 0 ? "No apps allowed" : `At most ${appCount(maxApps)}`;
}

/** Whose the limit is: the default every user without one of their own has, or theirs. */
export function limitSource(quota: Pick<UserQuota, "is_default">): string {
  return quota.is_default
    ? "the default limit, for every user without a limit of their own"
    : "a limit of their own";
}

/** What the limit means for the user now: nothing to say while they are under it. */
export function limitEffect(quota: Pick<UserQuota, "max_apps" | "used">): string | undefined {
  if (quota.used < quota.max_apps) return undefined;
  if (quota.used === quota.max_apps)
    return quota.max_apps === 0 ? "They cannot deploy apps." : "They are at the limit: new apps are refused.";
  return "They own more than the limit allows: their apps stay, new ones are refused.";
}
