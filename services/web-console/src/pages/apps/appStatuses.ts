import type { AppStatus } from "../../api/types";

// A record, so a status added to the API fails the type check here until it is listed.
const STATUSES: Record<AppStatus, true> = {
  running: true,
  stopped: true,
  error: true,
  deploying: true,
  starting: true,
  stopping: true,
  restarting: true,
  updating: true,
  cloning: true,
  adopting: true,
  restoring: true,
  removing: true,
};

/** Every app status, in the order the filter offers them. */
export const APP_STATUSES = Object.keys(STATUSES) as AppStatus[];

/** A status from the URL, or undefined for none or one the API would refuse. */
export function appStatusFrom(value: string | null): AppStatus | undefined {
  return value && Object.hasOwn(STATUSES, value) ? (value as AppStatus) : undefined;
}
