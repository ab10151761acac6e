import type { MigrationSet } from "@proximity/db";
import * as initial from "./0001_initial.js";
import * as appOwners from "./0002_app_owners.js";
import * as backups from "./0003_backups.js";
import * as policySchedules from "./0004_policy_schedules.js";
import * as appNames from "./0005_app_names.js";

/** Every migration of the backups schema, in order. */
export const backupsMigrations: MigrationSet = {
  "0001_initial": initial,
  "0002_app_owners": appOwners,
  "0003_backups": backups,
  "0004_policy_schedules": policySchedules,
  "0005_app_names": appNames,
};
